"""run_command: argv only, confirmed by the user, capped, timed out, really killed."""

from __future__ import annotations

import asyncio
import sys
import time

import psutil
from polling import eventually

from gemini_live_tui.tools import ToolCallCancelled, ToolConfirmation
from gemini_live_tui.tools.command import OUTPUT_CAP

PY = sys.executable


def gone(pid: int) -> bool:
    """The process no longer runs (exited, or a zombie nobody reaped yet)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


async def vanish(pid: int, why: str = "", timeout: float = 2) -> None:
    """`pid` is gone within `timeout` (SIGKILL is delivered asynchronously)."""
    await eventually(lambda: gone(pid), timeout, step=0.01, what=why or f"process {pid} to go")


async def test_happy_path_runs_in_the_workspace_after_confirmation(harness) -> None:
    harness.confirmer.answers = ["once"]
    argv = [PY, "-c", "import os,sys; print(os.getcwd()); print('warn', file=sys.stderr)"]
    response = await harness.result("run_command", argv=argv)
    assert harness.confirmer.asked == [argv]
    result = response["result"]
    assert response["ok"] is True
    assert result["exit_code"] == 0
    assert result["stdout"].strip() == str(harness.workspace.root)
    assert result["stderr"].strip() == "warn"
    assert harness.reports.of(ToolConfirmation)[0].decision == "once"


async def test_a_failing_program_is_a_result_not_an_error(harness) -> None:
    harness.confirmer.answers = ["once"]
    response = await harness.result("run_command", argv=[PY, "-c", "raise SystemExit(3)"])
    assert response["ok"] is True and response["result"]["exit_code"] == 3


async def test_argv_is_never_given_to_a_shell(harness) -> None:
    harness.confirmer.answers = ["once"]
    marker = harness.workspace.root / "pwned"
    response = await harness.result("run_command", argv=["echo", "$HOME", ";", "touch", "pwned"])
    assert response["result"]["stdout"] == "$HOME ; touch pwned\n"
    assert not marker.exists()


async def test_denied_confirmation_returns_an_error_and_runs_nothing(harness) -> None:
    harness.confirmer.answers = ["deny"]
    response = await harness.result("run_command", argv=["touch", "made-it"])
    assert response["ok"] is False
    assert "denied" in response["error"]["message"]
    assert not (harness.workspace.root / "made-it").exists()
    assert harness.reports.of(ToolConfirmation)[0].decision == "deny"


async def test_always_allow_is_remembered_for_that_exact_argv(harness) -> None:
    harness.confirmer.answers = ["always", "deny"]
    first = await harness.result("run_command", argv=["echo", "one"])
    again = await harness.result("run_command", argv=["echo", "one"])
    other = await harness.result("run_command", argv=["echo", "two"])
    assert first["ok"] and again["ok"] and not other["ok"]
    assert harness.confirmer.asked == [["echo", "one"], ["echo", "two"]]
    decisions = [(c.decision, c.remembered) for c in harness.reports.of(ToolConfirmation)]
    assert decisions == [("always", False), ("always", True), ("deny", False)]


async def test_timeout_kills_the_process_group(harness) -> None:
    harness.confirmer.answers = ["once"]
    pids = harness.workspace.root / "pids"
    script = (
        "import os,subprocess,sys,time;"
        "c=subprocess.Popen([sys.executable,'-c','import time; time.sleep(60)']);"
        f"open({str(pids)!r},'w').write(f'{{os.getpid()}} {{c.pid}}');"
        "print('started', flush=True); time.sleep(60)"
    )
    started = time.monotonic()
    response = await harness.result("run_command", argv=[PY, "-c", script], timeout_seconds=1)
    elapsed = time.monotonic() - started
    assert response["ok"] is False
    message = response["error"]["message"]
    assert "did not finish within 1 s" in message and "started" in message
    assert elapsed < 5
    for pid in map(int, pids.read_text().split()):
        await vanish(pid, f"process {pid} to go after the timeout")


async def test_output_is_capped(harness) -> None:
    harness.confirmer.answers = ["once"]
    script = "import sys; sys.stdout.write('o'*100000); sys.stderr.write('e'*50000)"
    result = (await harness.result("run_command", argv=[PY, "-c", script]))["result"]
    assert result["stdout"] == "o" * OUTPUT_CAP and result["stdout_truncated"] is True
    assert result["stderr"] == "e" * OUTPUT_CAP and result["stderr_truncated"] is True


async def test_secrets_in_the_environment_are_not_passed(harness, monkeypatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "AIza-not-for-the-model")
    monkeypatch.setenv("SOME_TOKEN", "tok")
    monkeypatch.setenv("HARMLESS", "visible")
    harness.confirmer.answers = ["once"]
    result = (await harness.result("run_command", argv=["env"]))["result"]
    assert "HARMLESS=visible" in result["stdout"]
    assert "AIza" not in result["stdout"] and "SOME_TOKEN" not in result["stdout"]


async def test_background_children_do_not_outlive_the_call(harness) -> None:
    harness.confirmer.answers = ["once"]
    response = await harness.result("run_command", argv=["sh", "-c", "sleep 30 & echo $!"])
    child = int(response["result"]["stdout"])
    await vanish(child)


async def test_cancelling_a_running_command_kills_it(harness) -> None:
    harness.confirmer.answers = ["once"]
    pids = harness.workspace.root / "pids"
    script = (
        "import os,subprocess,sys,time;"
        "c=subprocess.Popen([sys.executable,'-c','import time; time.sleep(60)']);"
        f"open({str(pids)!r},'w').write(f'{{os.getpid()}} {{c.pid}}'); time.sleep(60)"
    )
    call_id = harness.call("run_command", argv=[PY, "-c", script], timeout_seconds=60)
    await eventually(lambda: pids.exists() and pids.read_text().strip(), 10, what="the pid file")
    await asyncio.sleep(0.05)
    running = [int(p) for p in pids.read_text().split()]
    assert not any(gone(pid) for pid in running)
    harness.runner.cancel([call_id])
    await harness.reports.wait_for(ToolCallCancelled, call_id, timeout=5)
    assert gone(running[0]), "the program itself must be gone when the cancel is reported"
    await vanish(running[1], "its child to go with the cancellation")
    assert harness.runner.running == ()
    await asyncio.sleep(0.2)
    assert all(r.will_continue for r in harness.wire.for_call(call_id))  # no final answer


async def test_bad_programs_and_arguments(harness) -> None:
    harness.confirmer.answers = ["once"] * 5
    cases = [
        ({"argv": ["definitely-not-a-program-xyz"]}, "no such program"),
        ({"argv": "ls -l"}, "list of strings"),
        ({"argv": []}, "list of strings"),
        ({"argv": ["ls", 3]}, "only strings"),
        ({"argv": ["ls"], "timeout_seconds": 600}, "at most 60"),
        ({"argv": [str(harness.workspace.root)]}, "cannot be run"),
    ]
    for args, expected in cases:
        response = await harness.result("run_command", **args)
        assert response["ok"] is False
        assert expected in response["error"]["message"], (args, response)


async def test_cancel_while_the_user_is_still_deciding_closes_the_question(make_harness) -> None:
    asked = asyncio.Event()
    closed = asyncio.Event()

    async def slow_user(argv: list[str]) -> str:
        asked.set()
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            closed.set()  # the TUI dismisses its modal here
            raise
        return "once"

    harness = make_harness(confirm=slow_user)
    call_id = harness.call("run_command", argv=["touch", "never"])
    await asyncio.wait_for(asked.wait(), 2)
    harness.runner.cancel([call_id])
    await harness.reports.wait_for(ToolCallCancelled, call_id, timeout=2)
    assert closed.is_set()
    assert not (harness.workspace.root / "never").exists()


def test_confirmation_reports_read_well() -> None:
    from gemini_live_tui.tools import describe

    once = ToolConfirmation("c1", "run_command", ("ls", "-l"), "once")
    always = ToolConfirmation("c2", "run_command", ("ls",), "always", remembered=True)
    deny = ToolConfirmation("c3", "run_command", ("rm", "x"), "deny")
    assert describe(once) == "run_command ['ls', '-l'] allowed once by you"
    assert describe(always) == "run_command ['ls'] allowed for this session (remembered)"
    assert describe(deny) == "run_command ['rm', 'x'] denied by you"
