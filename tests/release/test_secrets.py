"""The API key never shows: not on screen, not in the log, not in any file the app writes."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

import pytest
from apptest import texts, type_line, until
from livesim import session_on
from polling import wait_until
from ptyrun import PtyProgram

from gemini_live_tui import logs
from gemini_live_tui.live.events import Phase
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession, SessionSettings
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp

SECRET = "AIzaSyTEST-very-secret-key-0123456789abc"


def files_containing(root: Path, needle: str) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and needle.encode() in path.read_bytes():
            found.append(path)
    return found


@pytest.fixture
def private_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_dirs) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("GEMINI_API_KEY", SECRET)
    root = logging.getLogger()
    saved = list(root.handlers)
    yield tmp_path
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in saved:
        root.addHandler(handler)


async def test_a_whole_session_leaves_no_trace_of_the_key(
    private_tree: Path, isolated_dirs, start_sim
):
    log_file = logs.setup_file_logging()
    sim = await start_sim(api_key=SECRET)
    attempts = 0

    async def factory(setup: Setup) -> LiveSession:
        nonlocal attempts
        attempts += 1
        if attempts == 1:  # a failure whose message quotes the key
            raise RuntimeError(f"could not refresh credential {SECRET}")
        return session_on(
            sim.base_url, setup, key=SECRET, settings=SessionSettings(backoff_base=0.01)
        )

    app = GeminiLiveApp(
        AppOptions(
            label="secret-test",
            setup=Setup(model="models/m", response_modalities=("TEXT",)),
            session_factory=factory,
            cwd=isolated_dirs["cwd"],
            home=isolated_dirs["cwd"].parent,
        )
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: texts(app, "error"))
        app.run_session()  # try again: this time it connects
        await until(pilot, lambda: app.chat.phase is Phase.CONNECTED, 10)
        await type_line(pilot, "hello")
        await until(pilot, lambda: texts(app, "model"))
        await type_line(pilot, "/save transcript.md")
        await until(pilot, lambda: (isolated_dirs["cwd"] / "transcript.md").exists())
        await sim.close_with(1008, "API key not valid. Please pass a valid API key.")
        await until(pilot, lambda: app.chat.phase is Phase.CLOSED)
        await asyncio.sleep(0.1)
        screen = "\n".join(texts(app)) + "\n".join(app.conversation.visible_text())
        svg = app.export_screenshot()
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "could not refresh credential" in screen, "the error itself is shown"
    assert SECRET not in screen and SECRET not in svg
    assert log_file.exists() and "could not" in log_file.read_text()
    leaks = files_containing(private_tree, SECRET)
    assert not leaks, f"the key was written to {leaks}"


def test_the_key_stays_off_the_terminal_of_the_real_command(private_tree: Path, isolated_dirs):
    """The installed command path: a refused key shows the server's reason, never the key."""
    port_file = private_tree / "port"

    async def serve() -> None:
        async with LiveSimulator(api_key="the-right-key") as sim:
            port_file.write_text(sim.base_url)
            await asyncio.sleep(30)

    import threading

    thread = threading.Thread(target=lambda: asyncio.run(serve()), daemon=True)
    thread.start()
    wait_until(port_file.exists, 10, step=0.01)
    env = dict(os.environ, TERM="xterm-256color", GEMINI_LIVE_BASE_URL=port_file.read_text())
    program = PtyProgram([sys.executable, "-m", "gemini_live_tui.cli", "--text"], env)
    assert program.wait_for("API key not valid", 30), program.text()[-400:]
    program.type("\x03")
    program.close()
    assert SECRET not in program.text()
    leaks = files_containing(private_tree, SECRET)
    assert not leaks, f"the key was written to {leaks}"
