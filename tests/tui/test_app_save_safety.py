"""`/save` never replaces what the app did not create: existing files need
`--force` (and keep their mode), symlinks are written through, FIFOs,
devices and folders' special files are refused with one line."""

from __future__ import annotations

import os
import pwd
import stat
import threading
from pathlib import Path

from apptest import texts, type_line, until


async def _save(pilot, app, command: str) -> str:
    """Type a /save command and return the line it answered with."""
    before = len(app.conversation.lines)

    def answer() -> list[str]:
        return [
            line.text
            for line in app.conversation.lines[before:]
            if line.role in ("error", "system") and line.text != command
        ]

    await type_line(pilot, command)
    return (await until(pilot, answer))[-1]


async def test_an_existing_file_needs_force_and_keeps_its_mode(make_app, isolated_dirs):
    cwd = isolated_dirs["cwd"]
    notes = cwd / "notes.md"
    notes.write_text("my own notes\n")
    notes.chmod(0o644)
    owner = (notes.stat().st_uid, notes.stat().st_gid)
    if os.geteuid() == 0:  # as root, the file of another user stays theirs
        nobody = pwd.getpwnam("nobody")
        owner = (nobody.pw_uid, nobody.pw_gid)
        os.chown(notes, *owner)
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_line(pilot, "something to keep")
        line = await _save(pilot, app, "/save notes.md")
        assert line == f"{notes} exists — /save --force {notes} replaces it"
        assert notes.read_text() == "my own notes\n"
        line = await _save(pilot, app, "/save --force notes.md")
        assert line.startswith("saved ")
        assert "something to keep" in notes.read_text()
        assert stat.S_IMODE(notes.stat().st_mode) == 0o644
        assert (notes.stat().st_uid, notes.stat().st_gid) == owner
        line = await _save(pilot, app, "/save --forse notes.md")
        assert line.startswith("usage: /save [--force] [PATH]")
        new = cwd / "new.md"
        await _save(pilot, app, "/save new.md")
        assert stat.S_IMODE(new.stat().st_mode) == 0o600
        assert [p.name for p in cwd.iterdir() if p.name.endswith(".tmp")] == []


async def test_a_symlink_is_written_through_and_stays_a_link(make_app, isolated_dirs, tmp_path):
    cwd = isolated_dirs["cwd"]
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "chat.md"
    real.write_text("old\n")
    real.chmod(0o640)
    (cwd / "chat.md").symlink_to(real)
    (cwd / "dangling.md").symlink_to(dotfiles / "fresh.md")
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_line(pilot, "through the link")
        await _save(pilot, app, "/save --force chat.md")
        assert (cwd / "chat.md").is_symlink()
        assert "through the link" in real.read_text()
        assert stat.S_IMODE(real.stat().st_mode) == 0o640
        await _save(pilot, app, "/save dangling.md")
        assert (cwd / "dangling.md").is_symlink()
        assert "through the link" in (dotfiles / "fresh.md").read_text()


async def test_fifos_and_devices_are_refused_even_with_force(make_app, isolated_dirs):
    cwd = isolated_dirs["cwd"]
    fifo = cwd / "pipe"
    os.mkfifo(fifo)
    (cwd / "null").symlink_to("/dev/null")
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_line(pilot, "hello")
        line = await _save(pilot, app, "/save --force pipe")
        assert line == f"{fifo} is a FIFO, not a regular file — not replaced"
        assert stat.S_ISFIFO(fifo.lstat().st_mode)
        line = await _save(pilot, app, "/save --force null")
        assert line == f"{cwd / 'null'} is a device, not a regular file — not replaced"
        assert os.readlink(cwd / "null") == "/dev/null"
        assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
        assert texts(app, "error")[-1].endswith("not replaced")
        assert app.is_running


def test_a_fifo_refusal_never_opens_it(isolated_dirs):
    """A FIFO is refused without being opened (opening it would block the save)."""
    from gemini_live_tui.tui.lines import Line
    from gemini_live_tui.tui.transcript import SaveRefused, save_transcript

    fifo = isolated_dirs["cwd"] / "pipe"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            save_transcript([Line("you", "x")], fifo, force=True)
        except BaseException as error:  # noqa: BLE001 - recorded for the assertion
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive()
    assert isinstance(outcome[0], SaveRefused)
