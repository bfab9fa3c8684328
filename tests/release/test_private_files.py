"""After a session of the real command, every file it wrote is 0600 and every folder 0700.

The command runs in a pty with a fresh HOME and XDG folders (none of the
app's folders exist yet) and the usual umask 022, so a file or folder made
with default modes would show up as 0644 / 0755.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ptyrun import APP, PtyProgram, private_env


def modes_under(root: Path) -> dict[str, str]:
    found = {str(root): oct(stat.S_IMODE(root.stat().st_mode))}
    for path in root.rglob("*"):
        found[str(path)] = oct(stat.S_IMODE(path.stat().st_mode))
    return found


def test_a_session_leaves_only_private_files_and_folders(tmp_path):
    home = tmp_path / "home"
    env = private_env(home)
    saved_umask = os.umask(0o022)
    try:
        program = PtyProgram([*APP, "--demo", "--text"], env, cwd=str(home))
    finally:
        os.umask(saved_umask)
    try:
        assert program.wait_for("ready", 60), program.text()[-2000:]
        program.type("hello files\r")
        assert program.wait_for('You said: "hello files"', 30), program.text()[-2000:]
        program.type("/mic autostart on\r")  # writes the profile in the config folder
        config = home / ".config/gemini-live/default.toml"
        for _ in range(100):
            if config.exists():
                break
            program.read(0.1)
        program.type("\x03")
    finally:
        code = program.close()
    assert code == 0
    state = home / ".local/state/gemini-live"
    assert config.exists() and (state / "gemini-live.log").exists()
    assert list((state / "history").glob("*.jsonl")), "the input history was written"
    for root in (home / ".config/gemini-live", state):
        for path, mode in modes_under(root).items():
            expected = "0o700" if Path(path).is_dir() else "0o600"
            assert mode == expected, f"{path} is {mode}"
