"""Attachments that are not regular files (a FIFO, a terminal, /dev/zero, a
folder) are refused with one line before anything is opened, so the queue
never blocks: the text and later messages still go, and Ctrl-C quits."""

from __future__ import annotations

import os
import time

from apptest import connected, texts, type_line
from ptyrun import APP, PtyProgram, private_env


async def test_special_files_are_one_line_each_and_nothing_waits(make_app, sim, isolated_dirs):
    cwd = isolated_dirs["cwd"]
    os.mkfifo(cwd / "pipe")  # nobody ever writes to it: opening it would block for good
    (cwd / "folder").mkdir()
    cases = {
        "pipe": f"{cwd / 'pipe'} is a FIFO (a pipe), not a file — only regular files can be attached",
        "/dev/tty": "/dev/tty is a device, not a file — only regular files can be attached",
        "/dev/zero": "/dev/zero is a device, not a file — only regular files can be attached",
        "folder": f"{cwd / 'folder'} is a folder — attach the files in it, e.g. @folder/…",
    }
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        for number, (name, line) in enumerate(cases.items(), 1):
            await type_line(pilot, f"@{name} look {number}")
            await sim.wait_for(lambda n=number: len(sim.texts()) == n, timeout=5)
            assert texts(app, "error")[-1] == line
        await type_line(pilot, "after them")
        await sim.wait_for(lambda: sim.texts()[-1] == "after them", timeout=5)
        assert sim.texts() == ["look 1", "look 2", "look 3", "look 4", "after them"]
        assert len(texts(app, "error")) == 4
        assert not sim.realtime("video") and not sim.realtime("audio")


def test_a_fifo_attached_in_the_real_command_then_ctrl_c_quits(tmp_path):
    home = tmp_path / "home"
    env = private_env(home)
    os.mkfifo(home / "pipe")
    program = PtyProgram([*APP, "--demo", "--text"], env, cwd=str(home))
    try:
        assert program.wait_for("ready", 60), program.text()[-2000:]
        program.type("@pipe first\r")
        assert program.wait_for('You said: "first"', 60), program.text()[-2000:]
        program.type("second\r")
        assert program.wait_for('You said: "second"', 60), program.text()[-2000:]
        assert "is a FIFO (a pipe)" in program.text()
        program.type("\x03")
        time.sleep(0.05)
        program.type("\x03")  # a second Ctrl-C while it quits: no traceback either
        code = program.close(timeout=10)
    finally:
        if program.process.poll() is None:
            program.process.kill()
    assert code == 0, program.text()[-2000:]
    assert "Traceback" not in program.text()
