"""Pilot helpers shared by the app tests: poll the app until something the user would see is true."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from polling import eventually
from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot

from gemini_live_tui.live.events import Phase
from gemini_live_tui.tui.app import GeminiLiveApp


async def until(pilot: Pilot, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Pause the pilot until `predicate()` is truthy; fail after `timeout` seconds."""
    return await eventually(predicate, timeout, pause=pilot.pause)


def texts(app: GeminiLiveApp, role: str | None = None) -> list[str]:
    """The text of every line in the view (of one role)."""
    return [line.text for line in app.conversation.lines if role is None or line.role == role]


async def connected(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, GeminiLiveApp)
    await until(pilot, lambda: app.chat.phase is Phase.CONNECTED and app.chat.resumable)


@asynccontextmanager
async def chatting(
    make_app: Callable[..., GeminiLiveApp],
    *args: Any,
    size: tuple[int, int] = (80, 24),
    **options: Any,
) -> AsyncIterator[tuple[GeminiLiveApp, Pilot]]:
    """The app from `make_app(*args, **options)` running at `size`, once it is connected."""
    app = make_app(*args, **options)
    async with app.run_test(size=size) as pilot:
        await connected(pilot)
        yield app, pilot


async def type_line(pilot: Pilot, line: str) -> None:
    """Type `line` into the input and press Enter."""
    app = pilot.app
    assert isinstance(app, GeminiLiveApp)
    app.prompt.value = line
    app.prompt.cursor_position = len(line)
    await pilot.press("enter")


#: Control characters as the terminal driver reports them.
_CONTROL_KEYS = {"\r": "enter", "\n": "ctrl+j", "\x7f": "backspace", "\t": "tab"}


def type_fast(app: GeminiLiveApp, typed: str) -> None:
    """Post `typed` as key events the way the terminal driver does: all at once, without
    waiting for the app between keys (a fast typist, or a paste without bracketed paste).
    ``\r`` is Enter, ``\n`` Ctrl-J, ``\x7f`` Backspace, other control characters Ctrl-letter."""
    for char in typed:
        key = _CONTROL_KEYS.get(char) or (
            f"ctrl+{chr(ord(char) + 96)}" if "\x01" <= char <= "\x1a" else _character_to_key(char)
        )
        app.post_message(events.Key(key, char if char.isprintable() else None))


async def typed_and_spoken(pilot: Pilot, sim: Any) -> None:
    """A short conversation to save: "hello" typed and answered, then "spoken words"
    heard from the user (a finished input transcription), each waited for on screen."""
    app = pilot.app
    assert isinstance(app, GeminiLiveApp)
    await type_line(pilot, "hello")
    await until(pilot, lambda: texts(app, "model"))
    await sim.send_message(
        {"serverContent": {"inputTranscription": {"text": "spoken words", "finished": True}}}
    )
    await until(pilot, lambda: "spoken words" in texts(app, "you"))


async def final_tool_answer(sim: Any, call_id: str, timeout: float = 10.0) -> dict[str, Any]:
    """The envelope of a call's last answer at the simulator.

    A call that takes over ~300 ms (a device opening under load) first gets a
    ``willContinue`` notice; the result is the answer that leaves it out.
    """

    def final() -> list[dict[str, Any]]:
        return [r for r in sim.tool_responses() if r["id"] == call_id and not r.get("willContinue")]

    await sim.wait_for(final, timeout)
    return final()[0]["response"]
