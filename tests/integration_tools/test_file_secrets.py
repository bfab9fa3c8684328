"""The file tools and the user's secrets, through the real app and the simulator.

Known credentials (`.ssh`, `.netrc`, `.env`, `*.pem`, a symlink to a key) are
never read, listings mark them, other hidden paths are read only after the
user allowed it in the confirmation dialog; and the home folder is never the
workspace unless the user says so (the real command in a pty).
"""

from __future__ import annotations

import json
from pathlib import Path

from apptest import connected, texts, until
from ptyrun import APP, PtyProgram, private_env

from gemini_live_tui.tui.widgets.confirm import ConfirmCommand

KEY = "-----BEGIN OPENSSH PRIVATE KEY----- do-not-leak"


def _home_like(cwd: Path) -> None:
    (cwd / ".ssh").mkdir()
    (cwd / ".ssh/id_ed25519").write_text(KEY)
    (cwd / ".netrc").write_text("machine x login me password do-not-leak")
    (cwd / ".env").write_text("TOKEN=do-not-leak")
    (cwd / "server.pem").write_text(KEY)
    (cwd / "innocent.txt").symlink_to(cwd / ".ssh/id_ed25519")
    (cwd / ".aws").mkdir()
    (cwd / ".aws/credentials").write_text("aws_secret_access_key=do-not-leak")
    (cwd / ".gitignore").write_text("build/\n")
    (cwd / "notes.txt").write_text("plain notes\n")


async def _final(sim, call_id: str) -> dict:
    def finals() -> list:
        return [r for r in sim.tool_responses() if r["id"] == call_id and not r.get("willContinue")]

    await sim.wait_for(finals, 10)
    return finals()[-1]["response"]


async def _decide(pilot, app, button: str) -> str:
    """Wait for the dialog, press one of its buttons with the mouse until it closes;
    returns the dialog's title."""
    shown = await until(
        pilot, lambda: app.screen if isinstance(app.screen, ConfirmCommand) else None
    )
    await pilot.pause()
    title = str(shown.query_one("#confirm-title").render())
    for _ in range(50):
        if not isinstance(app.screen, ConfirmCommand):
            break
        await pilot.click(f"#{button}")
        await pilot.pause(0.1)
    assert not isinstance(app.screen, ConfirmCommand)
    return title


async def test_secrets_are_refused_and_hidden_files_need_the_user(tools_app, sim, isolated_dirs):
    _home_like(isolated_dirs["cwd"])
    app = tools_app("read_file", "list_files")
    async with app.run_test(size=(120, 40)) as pilot:
        await connected(pilot)
        for path in (
            ".ssh/id_ed25519",
            ".netrc",
            ".env",
            "server.pem",
            "innocent.txt",
            ".aws/credentials",
            "./.ssh/../.ssh/id_ed25519",
        ):
            envelope = await _final(sim, await sim.call_tool("read_file", {"path": path}))
            assert envelope["ok"] is False, path
            assert "holds credentials" in envelope["error"]["message"], path
        envelope = await _final(sim, await sim.call_tool("list_files", {"path": ".ssh"}))
        assert "holds credentials" in envelope["error"]["message"]
        assert "do-not-leak" not in json.dumps(sim.tool_responses())
        assert not isinstance(app.screen, ConfirmCommand)  # never even asked

        listing = await _final(sim, await sim.call_tool("list_files", {"path": "."}))
        marks = {e["name"]: e.get("protected") for e in listing["result"]["entries"]}
        assert marks["notes.txt"] is None
        assert (
            marks[".ssh"]
            == marks[".netrc"]
            == marks["server.pem"]
            == ("credential: the file tools never read it")
        )
        assert marks[".gitignore"] == "hidden: reading it asks the user"

        denied = await sim.call_tool("read_file", {"path": ".gitignore"})
        title = await _decide(pilot, app, "deny")
        assert title == "The model wants to read a hidden path with read_file"
        envelope = await _final(sim, denied)
        assert (
            envelope["error"]["message"]
            == "the user did not allow reading the hidden path '.gitignore'"
        )
        allowed = await sim.call_tool("read_file", {"path": ".gitignore"})
        await _decide(pilot, app, "once")
        envelope = await _final(sim, allowed)
        assert envelope["result"]["text"] == "build/\n"
        plain = await _final(sim, await sim.call_tool("read_file", {"path": "notes.txt"}))
        assert plain["result"]["text"] == "plain notes\n"
        await until(pilot, lambda: any("holds credentials" in t for t in texts(app, "tool")))


def _tools_list(program: PtyProgram) -> str:
    program.type("/tools list\r")
    assert program.wait_for("read_file —", 30), program.text()[-2000:]
    return program.text()


def test_launched_in_home_the_file_tools_are_off_until_the_user_says_so(tmp_path):
    home = tmp_path / "home"
    env = private_env(home)
    notice = "file tools are off: the app was started in your home folder"
    program = PtyProgram([*APP, "--demo", "--text"], env, cwd=str(home))
    try:
        assert program.wait_for("ready", 60), program.text()[-2000:]
        assert notice in program.text()
        screen = _tools_list(program)
        assert "off          read_file" in screen and "off          list_files" in screen
        program.type("\x03")
    finally:
        assert program.close() == 0
    program = PtyProgram([*APP, "--demo", "--text", "--workspace", "~"], env, cwd=str(home))
    try:
        assert program.wait_for("ready", 60), program.text()[-2000:]
        screen = _tools_list(program)
        assert notice not in screen
        assert "on           read_file" in screen
        program.type("\x03")
    finally:
        assert program.close() == 0
