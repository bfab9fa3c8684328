"""Layout snapshots of the main screen at 100x30 and 60x15 (pytest-textual-snapshot).

The app runs in the snapshot plugin's own event loop, so the simulator is
started inside that loop by the session factory. Its replies are fixed (no
clocks, ports or ids on screen), which keeps the screenshots deterministic.
Update with `uv run pytest tests/tui --snapshot-update` after a deliberate
layout change.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import connected, until
from livesim import SIM_KEY, session_on

from gemini_live_tui.backend import NO_CREDENTIAL_HELP
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.tools import builtin_registry
from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp

SETUP = Setup(model="models/gemini-3.1-flash-live-preview", response_modalities=("TEXT",))


def simulated_app(cwd: Path) -> tuple[GeminiLiveApp, list[LiveSimulator]]:
    started: list[LiveSimulator] = []

    async def factory(setup: Setup) -> LiveSession:
        simulator = await LiveSimulator(api_key=SIM_KEY, word_delay=0.0).start()
        started.append(simulator)
        return session_on(simulator.base_url, setup)

    registry = builtin_registry(cwd)
    options = AppOptions(
        label="models/gemini-3.1-flash-live-preview",
        setup=SETUP,
        session_factory=factory,
        registry=registry,
        tools=frozenset(registry.default_enabled()),
        cwd=cwd,
        home=cwd,
        persist_history=False,
    )
    return GeminiLiveApp(options), started


async def _chat(pilot) -> None:
    app = pilot.app
    await connected(pilot)
    app.prompt.value = "hello, what can you do?"
    await pilot.press("enter")
    await until(pilot, lambda: any(line.role == "model" for line in app.conversation.lines), 10)
    await until(pilot, lambda: app.chat.total_tokens, 10)
    await pilot.press(*"/to", "tab")
    app.query_one("#status").refresh()
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", [(100, 30), (60, 15)], ids=["100x30", "60x15"])
def test_main_screen(snap_compare, isolated_dirs, size):
    app, started = simulated_app(isolated_dirs["cwd"])
    assert snap_compare(app, terminal_size=size, run_before=_chat)
    assert started  # the screenshot was taken against the simulator


def test_no_credential_screen(snap_compare, isolated_dirs):
    options = AppOptions(
        label="models/gemini-3.1-flash-live-preview",
        setup=SETUP,
        notice=NO_CREDENTIAL_HELP,
        cwd=isolated_dirs["cwd"],
        home=isolated_dirs["cwd"],
        persist_history=False,
    )
    assert snap_compare(GeminiLiveApp(options), terminal_size=(60, 15))
