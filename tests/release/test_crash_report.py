"""A crash of the real command: one masked line on the terminal, a masked report in the log.

The command runs in a pty with its own HOME and XDG folders. A `sitecustomize`
makes the app fail after its first paint in one of three ways, each time with
the API key in the error message and in a local variable (`headers`), which
Textual's own crash report would print with `show_locals=True`. Afterwards
the key must be nowhere: not on the terminal, not in any file under HOME.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from ptyrun import APP, PtyProgram, private_env

SECRET = "AIzaSyCRASH-test-secret-0123456789abcd"

CRASHING_APP = """
import os
import threading

from gemini_live_tui.tui.app import GeminiLiveApp

MODE = os.environ["CRASH_TEST_MODE"]


def fail():
    headers = {"x-goog-api-key": os.environ["GEMINI_API_KEY"]}
    raise RuntimeError(f"handshake refused for key {headers['x-goog-api-key']}")


async def failing_worker():
    fail()


_mount = GeminiLiveApp.on_mount


def on_mount(self):
    _mount(self)
    if MODE == "handler":
        self.call_after_refresh(fail)
    elif MODE == "worker":
        self.call_after_refresh(lambda: self.run_worker(failing_worker(), exit_on_error=True))
    elif MODE == "thread":
        self.call_after_refresh(lambda: threading.Thread(target=fail, name="helper").start())


GeminiLiveApp.on_mount = on_mount
"""


def crashing_env(tmp_path: Path, mode: str) -> dict[str, str]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(textwrap.dedent(CRASHING_APP))
    return private_env(
        tmp_path / "home",
        GEMINI_API_KEY=SECRET,
        CRASH_TEST_MODE=mode,
        PYTHONPATH=str(site),
        COLUMNS="100",
        LINES="30",
    )


def files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


@pytest.mark.parametrize("mode", ["handler", "worker"])
def test_a_crash_shows_one_masked_line_and_logs_a_masked_report(tmp_path, mode):
    env = crashing_env(tmp_path, mode)
    program = PtyProgram([*APP, "--demo", "--text"], env, cwd=env["HOME"])
    assert program.wait_for("gemini-live crashed", 60), program.text()[-2000:]
    code = program.close()
    screen = program.text()
    log_file = Path(env["XDG_STATE_HOME"]) / "gemini-live/gemini-live.log"
    assert code == 1
    assert SECRET not in screen
    assert (
        f"gemini-live crashed: RuntimeError: handshake refused for key ***; details in {log_file}"
        in screen
    )
    assert "Traceback" not in screen
    log = log_file.read_text()
    assert "handshake refused for key ***" in log and "Traceback" in log
    leaks = files_containing(Path(env["HOME"]), SECRET)
    assert not leaks, f"the key was written to {leaks}"


def test_an_error_in_a_thread_is_logged_masked_and_the_app_goes_on(tmp_path):
    env = crashing_env(tmp_path, "thread")
    program = PtyProgram([*APP, "--demo", "--text"], env, cwd=env["HOME"])
    assert program.wait_for("ready", 60), program.text()[-2000:]
    log_file = Path(env["XDG_STATE_HOME"]) / "gemini-live/gemini-live.log"
    program.read(1.0)
    program.type("still here\r")
    assert program.wait_for('You said: "still here"', 30), program.text()[-2000:]
    program.type("\x03")
    assert program.close() == 0
    assert SECRET not in program.text()
    log = log_file.read_text()
    assert "uncaught error in thread helper" in log and "handshake refused for key ***" in log
    leaks = files_containing(Path(env["HOME"]), SECRET)
    assert not leaks, f"the key was written to {leaks}"


def test_the_masking_writer_masks_a_secret_split_over_writes():
    import io

    from gemini_live_tui import logs
    from gemini_live_tui.crash import MaskingWriter

    logs.register_secret(SECRET)
    target = io.StringIO()
    writer = MaskingWriter(target)
    writer.write(f"key {SECRET[:10]}")
    writer.write(f"{SECRET[10:]} in a line\nand a tail {SECRET}")
    assert target.getvalue() == "key *** in a line\n"
    writer.flush()
    assert target.getvalue() == "key *** in a line\nand a tail ***"
