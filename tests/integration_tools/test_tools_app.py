"""The model's tools, end to end: simulator → session → app → runner → simulator.

The simulator calls a declared tool (`sim.call_tool`; an undeclared or
unknown one with a raw `toolCall`), the real app runs it, shows the call and
its outcome in the conversation, asks the user with the modal for
`run_command`, holds a background result while the user is mid-sentence, and
the answer is counted at the simulator. Every toolResponse frame is
validated against google-genai (conftest, autouse).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import psutil
from apptest import connected, texts, type_line, until
from textual.pilot import Pilot

from gemini_live_tui.live.events import Phase
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.tui.app import GeminiLiveApp
from gemini_live_tui.tui.widgets.confirm import ConfirmCommand


def finals(sim: LiveSimulator, call_id: str) -> list[dict[str, Any]]:
    """Final (not willContinue) responses the simulator received for `call_id`."""
    return [r for r in sim.tool_responses() if r["id"] == call_id and not r.get("willContinue")]


async def final(sim: LiveSimulator, call_id: str, timeout: float = 10) -> dict[str, Any]:
    """The envelope of the one final answer to `call_id`."""
    await sim.wait_for(lambda: finals(sim, call_id), timeout)
    return finals(sim, call_id)[-1]["response"]


def tool_line(app: GeminiLiveApp, *parts: str) -> str | None:
    """The first tool line that contains every one of `parts`."""
    return next((t for t in texts(app, "tool") if all(p in t for p in parts)), None)


def modal(app: GeminiLiveApp) -> ConfirmCommand | None:
    return app.screen if isinstance(app.screen, ConfirmCommand) else None


async def answer(pilot: Pilot, *keys: str) -> ConfirmCommand:
    """Wait for the confirmation modal to take keys, press `keys` on it, wait until it is gone."""
    app = pilot.app
    assert isinstance(app, GeminiLiveApp)
    shown = await until(pilot, lambda: modal(app))
    await until(pilot, lambda: shown.armed)
    await pilot.press(*keys)
    await until(pilot, lambda: modal(app) is None)
    return shown


def processes(marker: str) -> list[psutil.Process]:
    """Our descendants whose command line contains `marker`."""
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if marker in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            pass
    return found


# ----- each built-in tool: happy path and a refusal --------------------------


async def test_set_timer_fires_and_a_bad_duration_is_refused(tools_app, sim):
    app = tools_app("set_timer")
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("set_timer", {"seconds": 0.5, "label": "tea"})
        envelope = await final(sim, call)
        assert envelope["ok"] is True
        await until(pilot, lambda: tool_line(app, "set_timer", "→ ok"))
        assert tool_line(app, "set_timer", "continues in the background")
        bad = await sim.call_tool("set_timer", {"hours": 48})
        envelope = await final(sim, bad)
        assert envelope["ok"] is False and "24 hours" in envelope["error"]["message"]
        await until(pilot, lambda: tool_line(app, "set_timer(hours=48)", "→ error", "24 hours"))
        # the model's turn after the answer reaches the conversation too
        await until(pilot, lambda: any("returned" in t for t in texts(app, "model")))


async def test_list_files_lists_the_workspace_and_refuses_to_leave_it(tools_app, sim, tmp_path):
    cwd = Path(tmp_path / "cwd")
    (cwd / "notes.txt").write_text("hello\n")
    (cwd / "src").mkdir()
    app = tools_app("list_files")
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        envelope = await final(sim, await sim.call_tool("list_files", {"path": "."}))
        names = {e["name"] for e in envelope["result"]["entries"]}
        assert names == {"notes.txt", "src"}
        await until(pilot, lambda: tool_line(app, "list_files", "→ ok: 2 entries"))
        envelope = await final(sim, await sim.call_tool("list_files", {"path": "../"}))
        assert "outside the workspace" in envelope["error"]["message"]
        await until(pilot, lambda: tool_line(app, "list_files(path='../')", "outside"))


async def test_read_file_reads_text_and_refuses_binary_and_symlinks_out(tools_app, sim, tmp_path):
    cwd = Path(tmp_path / "cwd")
    (cwd / "poem.txt").write_text("line one\nline two\n")
    (cwd / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "secret.txt").write_text("outside")
    (cwd / "link.txt").symlink_to(tmp_path / "secret.txt")
    app = tools_app("read_file")
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        envelope = await final(sim, await sim.call_tool("read_file", {"path": "poem.txt"}))
        assert "line two" in json.dumps(envelope["result"])
        await until(pilot, lambda: tool_line(app, "read_file(path='poem.txt')", "→ ok"))
        envelope = await final(sim, await sim.call_tool("read_file", {"path": "blob.bin"}))
        assert "binary" in envelope["error"]["message"]
        envelope = await final(sim, await sim.call_tool("read_file", {"path": "link.txt"}))
        assert "outside the workspace" in envelope["error"]["message"]
        assert "outside" not in json.dumps(sim.tool_responses()).replace("outside the", "")
        await until(pilot, lambda: tool_line(app, "read_file(path='blob.bin')", "binary"))


async def test_google_search_sources_are_shown_and_a_client_call_is_refused(tools_app, sim):
    app = tools_app("google_search")
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        assert {"googleSearch": {}} in sim.setups()[-1]["tools"]
        await sim.send_message(
            {
                "serverContent": {
                    "groundingMetadata": {
                        "webSearchQueries": ["weather in Paris"],
                        "groundingChunks": [
                            {"web": {"uri": "https://example.org/paris", "title": "Paris"}}
                        ],
                    }
                }
            }
        )
        await until(pilot, lambda: "searched: weather in Paris" in texts(app, "info"))
        assert "source: Paris <https://example.org/paris>" in texts(app, "info")
        # the service runs the search itself: a function call for it is answered, not run
        envelope = await final(sim, await sim.call_tool("google_search", {"q": "x"}))
        assert "run by the service itself" in envelope["error"]["message"]


async def test_desktop_tools_answer_through_the_app(tools_app, sim, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    app = tools_app("desktop_get_state", "desktop_set_microphone", "desktop_set_screen_share")
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        envelope = await final(sim, await sim.call_tool("desktop_get_state"))
        assert envelope["result"]["screen"] == {"sharing": False}
        envelope = await final(sim, await sim.call_tool("desktop_set_screen_share", {"on": True}))
        assert "DISPLAY is not set" in envelope["error"]["message"]
        await until(pilot, lambda: tool_line(app, "desktop_set_screen_share", "DISPLAY"))
        envelope = await final(sim, await sim.call_tool("desktop_set_microphone", {"on": True}))
        # the same path as /mic: on, or the error /mic shows (no sound server, or no PortAudio)
        if not envelope.get("result", {}).get("on"):
            message = envelope["error"]["message"]
            assert "device" in message or "PortAudio library" in message, message
        assert app.is_running


# ----- refusals, answered at the simulator and shown in the conversation -------


async def raw_call(sim: LiveSimulator, call_id: str, name: str, args: dict[str, Any]) -> None:
    """A toolCall the simulator would not make itself (it only calls declared tools)."""
    await sim.send_message(
        {"toolCall": {"functionCalls": [{"id": call_id, "name": name, "args": args}]}}
    )


def error_of(envelope: dict[str, Any]) -> str:
    assert envelope["ok"] is False, envelope
    assert set(envelope) == {"ok", "error"}, envelope
    return envelope["error"]["message"]


async def test_read_file_refuses_an_oversized_file_and_an_absolute_path_outside(
    tools_app, sim, tmp_path
):
    cwd = Path(tmp_path / "cwd")
    (cwd / "big.log").write_text("x" * (256 * 1024 + 1))
    (tmp_path / "elsewhere.txt").write_text("not for the model")
    inside = cwd / "notes.txt"
    inside.write_text("inside\n")
    app = tools_app("read_file")
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        message = error_of(await final(sim, await sim.call_tool("read_file", {"path": "big.log"})))
        assert message == "'big.log' is 256.0 KB; read_file reads files up to 256.0 KB"
        await until(pilot, lambda: tool_line(app, "read_file(path='big.log') → error", "256.0 KB"))
        outside = str(tmp_path / "elsewhere.txt")
        message = error_of(await final(sim, await sim.call_tool("read_file", {"path": outside})))
        assert "is outside the workspace" in message
        assert "not for the model" not in json.dumps(sim.tool_responses())
        await until(
            pilot, lambda: tool_line(app, "elsewhere.txt", "→ error", "outside the workspace")
        )
        # an absolute path that ends up inside the workspace is fine
        envelope = await final(sim, await sim.call_tool("read_file", {"path": str(inside)}))
        assert envelope["ok"] is True and "inside" in json.dumps(envelope["result"])
        assert app.is_running


async def test_run_command_timeout_is_an_error_and_the_output_is_capped(tools_app, sim):
    marker = "gemini-live-slow-command"
    slow = [
        sys.executable,
        "-c",
        f"import time; print('started', flush=True); time.sleep(30)  # {marker}",
    ]
    loud = [
        sys.executable,
        "-c",
        "import sys; sys.stdout.write('y' * 100_000); sys.stderr.write('e' * 20_000)",
    ]
    app = tools_app("run_command")
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("run_command", {"argv": slow, "timeout_seconds": 0.5})
        await answer(pilot, "ctrl+y")
        message = error_of(await final(sim, call))
        assert message.startswith(f"{slow[0]!r} did not finish within 0.5 s and was stopped")
        assert "'started'" in message  # its last output, for the model to reason about
        assert processes(marker) == []
        await until(
            pilot, lambda: tool_line(app, "run_command", "→ error", "did not finish within 0.5 s")
        )
        call = await sim.call_tool("run_command", {"argv": loud})
        await answer(pilot, "ctrl+y")
        envelope = await final(sim, call)
        result = envelope["result"]
        assert envelope["ok"] is True and result["exit_code"] == 0
        assert result["stdout"] == "y" * 16 * 1024 and result["stdout_truncated"] is True
        assert result["stderr"] == "e" * 16 * 1024 and result["stderr_truncated"] is True
        await until(
            pilot,
            lambda: tool_line(app, "run_command", "→ ok: exit 0, 16384+ B stdout, 16384+ B stderr"),
        )
        call = await sim.call_tool("run_command", {"argv": loud, "timeout_seconds": 120})
        message = error_of(await final(sim, call))  # refused before anyone is asked
        assert "timeout_seconds" in message and "60" in message
        assert modal(app) is None


async def test_an_unknown_tool_gets_an_error_naming_the_available_ones(tools_app, sim):
    app = tools_app("set_timer", "list_files")
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        await raw_call(sim, "made-up-1", "format_disk", {"drive": "C"})
        message = error_of(await final(sim, "made-up-1"))
        assert (
            message == "unknown tool 'format_disk'; the tools available are: list_files, set_timer"
        )
        await until(pilot, lambda: tool_line(app, "format_disk(drive='C') → error: unknown tool"))
        assert tool_line(app, 'format_disk(drive="C") …')  # the call itself was shown first
        assert app.is_running


async def test_a_disabled_tool_is_refused_and_not_run(tools_app, sim, tmp_path):
    (Path(tmp_path / "cwd") / "secret.txt").write_text("do not read me")
    app = tools_app("set_timer", "read_file")
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/tools disable read_file")
        await type_line(pilot, "/tools apply")
        await until(pilot, lambda: len(sim.setups()) == 2 and app.chat.phase is Phase.CONNECTED)
        declared = {
            d["name"] for t in sim.setups()[-1]["tools"] for d in t.get("functionDeclarations", [])
        }
        assert declared == {"set_timer"}
        # the model calls it anyway (an old turn, a hallucination): refused, never run
        await raw_call(sim, "stale-1", "read_file", {"path": "secret.txt"})
        message = error_of(await final(sim, "stale-1"))
        assert (
            message
            == "tool 'read_file' is disabled; the user can enable it with /tools enable read_file"
        )
        assert "do not read me" not in json.dumps(sim.tool_responses())
        await until(
            pilot, lambda: tool_line(app, "read_file(path='secret.txt') → error", "disabled")
        )
        assert app.is_running


# ----- run_command and the confirmation modal ---------------------------------


ECHO = [sys.executable, "-c", "print('hello from the command')"]


async def test_run_command_allowed_once_runs_and_asks_again(tools_app, sim):
    app = tools_app("run_command")
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("run_command", {"argv": ECHO})
        shown = await answer(pilot, "ctrl+y")
        assert shown.argv == tuple(ECHO)
        envelope = await final(sim, call)
        assert envelope["result"]["stdout"] == "hello from the command\n"
        assert envelope["result"]["exit_code"] == 0
        await until(pilot, lambda: tool_line(app, "allowed once by you"))
        await until(pilot, lambda: tool_line(app, "run_command", "→ ok: exit 0"))
        assert app.focused is app.prompt  # back to typing
        again = await sim.call_tool("run_command", {"argv": ECHO})
        await answer(pilot, "ctrl+y")  # "once" is not remembered
        assert (await final(sim, again))["ok"] is True


async def test_run_command_denied_is_an_error_for_the_model(tools_app, sim, tmp_path):
    target = Path(tmp_path / "cwd" / "made-by-the-model")
    app = tools_app("run_command")
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("run_command", {"argv": ["touch", str(target)]})
        shown = await until(pilot, lambda: modal(app))
        await until(pilot, lambda: shown.armed)
        assert shown.focused is shown.query_one("#deny")  # Enter never runs anything by mistake
        assert f"touch {target}" in "\n".join(
            shown.query_one("#confirm-command").render().plain.splitlines()
        )
        await answer(pilot, "escape")
        envelope = await final(sim, call)
        assert envelope["ok"] is False and "denied" in envelope["error"]["message"]
        await until(pilot, lambda: tool_line(app, "denied by you"))
        assert not target.exists()


async def test_run_command_always_is_remembered_for_that_exact_argv(tools_app, sim):
    app = tools_app("run_command")
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("run_command", {"argv": ECHO})
        await answer(pilot, "tab", "enter")  # Deny has the focus; the next button is Always
        assert (await final(sim, call))["ok"] is True
        again = await sim.call_tool("run_command", {"argv": ECHO})
        assert (await final(sim, again))["ok"] is True
        assert modal(app) is None
        await until(pilot, lambda: tool_line(app, "allowed for this session (remembered)"))
        other = await sim.call_tool("run_command", {"argv": [*ECHO, "extra"]})
        await answer(pilot, "escape")  # another argv asks again
        assert (await final(sim, other))["ok"] is False


# ----- cancellation -----------------------------------------------------------


async def test_cancelling_a_running_timer(tools_app, sim):
    app = tools_app("set_timer")
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("set_timer", {"seconds": 30})
        await until(pilot, lambda: tool_line(app, "continues in the background"))
        await sim.cancel_tool(call)
        await until(pilot, lambda: tool_line(app, "set_timer(seconds=30) cancelled by the server"))
        assert not app.feature_set.tools.runner.running
        await pilot.pause(0.3)
        assert finals(sim, call) == []  # nothing more is sent for a cancelled call


async def test_cancelling_a_running_command_kills_it(tools_app, sim):
    marker = "gemini-live-cancel-me"
    argv = [sys.executable, "-c", f"import time; time.sleep(30)  # {marker}"]
    app = tools_app("run_command")
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("run_command", {"argv": argv, "timeout_seconds": 60})
        await answer(pilot, "ctrl+y")
        await until(pilot, lambda: processes(marker))
        await sim.cancel_tool(call)
        await until(pilot, lambda: tool_line(app, "run_command", "cancelled by the server"))
        assert processes(marker) == []
        assert finals(sim, call) == []


async def test_cancelling_while_the_modal_is_open_closes_it(tools_app, sim):
    app = tools_app("run_command")
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("run_command", {"argv": ECHO})
        await until(pilot, lambda: modal(app))
        await sim.cancel_tool(call)
        await until(pilot, lambda: modal(app) is None)
        await until(pilot, lambda: tool_line(app, "run_command", "cancelled by the server"))
        assert finals(sim, call) == []
        await type_line(pilot, "still typing")  # the prompt has the keys again
        await sim.wait_for(lambda: "still typing" in sim.texts())


# ----- one answer per call where the model waits for it ---------------------


async def test_a_blocking_model_gets_exactly_one_answer_per_call(tools_app, sim):
    """3.1 Flash Live takes synchronous calls: a slow timer is answered once, with its
    result (a "continuing in the background" answer would become the result)."""
    setup = Setup(model="models/gemini-3.1-flash-live-preview", response_modalities=("TEXT",))
    app = tools_app("set_timer", setup=setup)
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("set_timer", {"seconds": 0.6, "label": "tea"})
        await until(pilot, lambda: tool_line(app, "set_timer", "→ ok"))
        await pilot.pause(0.3)
        [answer] = [r for r in sim.tool_responses() if r["id"] == call]
        assert answer["response"]["result"]["label"] == "tea"
        assert "willContinue" not in answer and "scheduling" not in answer
        assert tool_line(app, "continues in the background") is None


# ----- reconnects and setup changes -------------------------------------------


async def test_a_call_in_flight_during_goaway_is_answered_before_the_connection_moves(
    tools_app, sim
):
    app = tools_app("set_timer")
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("set_timer", {"seconds": 1.5})
        await until(pilot, lambda: tool_line(app, "continues in the background"))
        await sim.send_goaway(4)  # time enough for the answer: the connection is kept
        await until(pilot, lambda: len(sim.setups()) == 2 and app.chat.phase is Phase.CONNECTED)
        answered_on = [
            r.connection
            for r in sim.received
            for f in r.message.get("toolResponse", {}).get("functionResponses", [])
            if f["id"] == call and not f.get("willContinue")
        ]
        assert answered_on == [1], "answered on the connection that issued the call"
        assert any("set_timer returned" in t for t in texts(app, "model"))
        assert not any("went to the model as a message" in t for t in texts(app))


def answers_on(sim: LiveSimulator) -> list[tuple[int, str, bool]]:
    """(connection, call id, willContinue) of every function response, in arrival order."""
    return [
        (r.connection, f["id"], bool(f.get("willContinue")))
        for r in sim.received
        for f in r.message.get("toolResponse", {}).get("functionResponses", [])
    ]


async def test_results_across_a_drop_and_a_goaway_reach_the_model_once_each(tools_app, sim):
    """Calls that outlive their connection: their results go to the model as
    messages on the new connection, never as responses to ids it did not issue."""
    sim.audio_speed = 50.0  # spoken replies quicker than the timers
    app = tools_app("set_timer")
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        calls = [
            await sim.call_tool("set_timer", {"seconds": s, "label": f"t{n}"})
            for n, s in enumerate((0.5, 1.2, 1.9))
        ]

        def handles() -> int:
            return sum("sessionResumptionUpdate" in m for _, m in sim.sent)

        def carried(call: str) -> list[str]:
            return [t for t in sim.texts() if call in t]

        await final(sim, calls[0])
        await until(pilot, lambda: tool_line(app, "label='t0'", "→ ok"))
        await until(pilot, lambda: any("set_timer returned" in t for t in texts(app, "model")))
        await sim.drop()  # while two calls still run
        await until(pilot, lambda: len(sim.setups()) == 2 and app.chat.phase is Phase.CONNECTED)
        before = handles()
        await sim.wait_for(lambda: carried(calls[1]), timeout=10)
        await until(  # the spoken reply to the carried result, then a handle
            pilot,
            lambda: any(calls[1] in t for t in texts(app, "model")) and handles() > before,
            20,
        )
        await pilot.pause(0.1)
        await sim.send_goaway(0.2)  # while the last one still runs
        await until(pilot, lambda: len(sim.setups()) == 3 and app.chat.phase is Phase.CONNECTED)
        await sim.wait_for(lambda: carried(calls[2]), timeout=10)
        await pilot.pause(0.3)
        answers = answers_on(sim)
        assert sorted(call for _, call, more in answers if more) == sorted(calls)
        assert [(c, call) for c, call, more in answers if not more] == [(1, calls[0])]
        # no resumable handle while calls ran: the resumed session predates all
        # three calls, so even the first, answered result is carried again (at
        # least once: a carried message not yet covered at the GoAway goes again)
        assert all(carried(call) for call in calls)
        assert {r.connection for r in sim.received if calls[2] in json.dumps(r.message)} == {1, 3}
        await until(
            pilot, lambda: sum("went to the model as a message" in t for t in texts(app)) == 3
        )


async def test_tools_apply_changes_the_declarations_and_what_runs(make_app, sim):
    app = make_app()  # default tools: google_search, set_timer, list_files, read_file
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/tools enable run_command")
        await type_line(pilot, "/tools disable set_timer")
        await type_line(pilot, "/tools apply")
        await until(pilot, lambda: len(sim.setups()) == 2 and app.chat.phase is Phase.CONNECTED)
        declared = {
            d["name"] for t in sim.setups()[-1]["tools"] for d in t.get("functionDeclarations", [])
        }
        assert "run_command" in declared and "set_timer" not in declared
        assert all(
            "behavior" not in d for d in sim.setups()[-1]["tools"][0]["functionDeclarations"]
        )
        call = await sim.call_tool("run_command", {"argv": ECHO})
        await answer(pilot, "ctrl+y")
        assert (await final(sim, call))["ok"] is True


async def test_a_non_blocking_model_gets_non_blocking_declarations(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/model gemini-2.5-flash-native-audio-preview-12-2025")
        await type_line(pilot, "/apply")
        await until(pilot, lambda: len(sim.setups()) == 2 and app.chat.phase is Phase.CONNECTED)
        functions = sim.setups()[-1]["tools"][0]["functionDeclarations"]
        assert {d["behavior"] for d in functions} == {"NON_BLOCKING"}
        call = await sim.call_tool("set_timer", {"seconds": 0.5})
        await sim.wait_for(lambda: finals(sim, call))
        answers = [r for r in sim.tool_responses() if r["id"] == call]
        assert [a.get("scheduling") for a in answers] == ["SILENT", "WHEN_IDLE"]
