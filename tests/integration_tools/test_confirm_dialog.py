"""The run_command dialog takes no decision from typing.

A tool call that arrives while the user types must not be allowed (or denied)
by the letters of their sentence: keys typed before the dialog appeared, in
its first moments, or any letter later, go back to the message being typed;
only a deliberate key (Ctrl-Y, Esc, Enter on a chosen button) decides, once
the dialog has been quiet for a moment. The dialog names the tool, the
program and each argument.
"""

from __future__ import annotations

import sys

from apptest import chatting, texts, type_fast, until

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.models import DEFAULT_MODEL
from gemini_live_tui.tui.widgets.confirm import ConfirmCommand

MARK = "ran-by-the-model"
#: The default model answers in audio only (its persona refuses a TEXT setup).
SPOKEN = Setup(model=DEFAULT_MODEL, response_modalities=("AUDIO",))


def _modal(app) -> ConfirmCommand | None:
    return app.screen if isinstance(app.screen, ConfirmCommand) else None


def _answers(sim, call_id: str) -> list[dict]:
    """Final answers to `call_id` (not the "still running" notices)."""
    return [r for r in sim.tool_responses() if r["id"] == call_id and not r.get("willContinue")]


def _command(tmp_path) -> list[str]:
    target = tmp_path / "cwd" / MARK
    return [sys.executable, "-c", f"open({str(target)!r}, 'w').close()"]


async def test_typing_while_a_command_call_arrives_decides_nothing_and_is_kept(
    tools_app, sim, tmp_path
):
    async with chatting(tools_app, "run_command", setup=SPOKEN) as (app, pilot):
        type_fast(app, "what ab")
        call = await sim.call_tool("run_command", {"argv": _command(tmp_path)})
        shown = await until(pilot, lambda: _modal(app))
        type_fast(app, "out this\r")  # `o` was "allow once", `a` "always allow"
        type_fast(app, "hello\x19")  # Ctrl-Y too early is typing, not a decision
        await sim.wait_for(lambda: sim.texts(), 5)
        await pilot.pause(0.3)
        assert _modal(app) is shown and not shown.armed
        assert not (tmp_path / "cwd" / MARK).exists()
        assert sim.texts() == ["what about this"]
        assert texts(app, "you") == ["what about this"]
        assert app.prompt.value == "hello"
        assert _answers(sim, call) == []
        await until(pilot, lambda: shown.armed)
        await pilot.press("escape")
        await until(pilot, lambda: _modal(app) is None)
        await sim.wait_for(lambda: _answers(sim, call), 5)
        assert _answers(sim, call)[0]["response"]["ok"] is False
        assert not (tmp_path / "cwd" / MARK).exists()


async def test_a_letter_after_the_grace_period_goes_to_the_message_and_disarms(
    tools_app, sim, tmp_path
):
    async with chatting(tools_app, "run_command", setup=SPOKEN) as (app, pilot):
        await sim.call_tool("run_command", {"argv": _command(tmp_path)})
        shown = await until(pilot, lambda: _modal(app))
        await until(pilot, lambda: shown.armed)
        await pilot.press("a", "o", "d", "enter")  # typing resumed: none of these decide
        await pilot.pause(0.1)
        assert _modal(app) is shown and not shown.armed
        assert sim.texts() == ["aod"]
        await until(pilot, lambda: shown.armed)  # quiet again
        await pilot.press("ctrl+y")
        await until(pilot, lambda: (tmp_path / "cwd" / MARK).exists())


async def test_the_dialog_names_the_tool_the_program_and_each_argument(tools_app, sim, tmp_path):
    async with chatting(tools_app, "run_command", size=(120, 30), setup=SPOKEN) as (app, pilot):
        await sim.call_tool("run_command", {"argv": ["grep", "-r", "two words", "."]})
        shown = await until(pilot, lambda: _modal(app))
        text = "\n".join(
            str(shown.query_one(f"#confirm-{part}").render())
            for part in ("title", "command", "argv", "keys")
        )
        assert "tool run_command" in text
        assert "grep -r 'two words' ." in text
        assert "program: 'grep'" in text
        assert "arguments (3): '-r', 'two words', '.'" in text
        await until(pilot, lambda: shown.armed)
        assert "Ctrl-Y allow once" in str(shown.query_one("#confirm-keys").render())
        await pilot.press("escape")
