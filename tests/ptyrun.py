"""Run a terminal program in a real pty, type into it, and read its screen text.

``private_env`` gives the program a fresh HOME with its own XDG folders and
none of the caller's Gemini credentials, so a run neither reads nor writes
the user's files.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

ANSI = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>78]|\x1b\][^\x07]*\x07"
)


# The real command, as the user runs it (add its arguments).
APP = [sys.executable, "-m", "gemini_live_tui.cli"]


def private_env(home: Path, **extra: str) -> dict[str, str]:
    """This process's environment with HOME and the XDG folders under ``home`` (made here).

    Variables starting GEMINI_, GOOGLE_, VERTEX_ or XDG_ are dropped first;
    ``extra`` is added last.
    """
    home.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GEMINI_", "GOOGLE_", "VERTEX_", "XDG_"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local/share"),
        TERM="xterm-256color",
    )
    env.update(extra)
    return env


class PtyProgram:
    def __init__(self, argv: list[str], env: dict[str, str], cwd: str | None = None) -> None:
        self.controller, terminal = pty.openpty()
        os.set_blocking(self.controller, False)
        self.process = subprocess.Popen(
            argv, stdin=terminal, stdout=terminal, stderr=terminal, env=env, cwd=cwd, close_fds=True
        )
        os.close(terminal)
        self.output = b""

    def read(self, seconds: float = 0.1) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([self.controller], [], [], 0.05)
            if ready:
                try:
                    self.output += os.read(self.controller, 65536)
                except OSError:
                    return

    def text(self) -> str:
        """The output with escape sequences removed (cursor moves become nothing)."""
        return ANSI.sub(b"", self.output).decode("utf-8", "replace")

    def wait_for(self, needle: str, timeout: float = 30) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read(0.1)
            if needle in self.text():
                return True
            if self.process.poll() is not None:
                self.read(0.2)
                return needle in self.text()
        return False

    def type(self, text: str) -> None:
        os.write(self.controller, text.encode())

    def close(self, timeout: float = 10) -> int | None:
        end = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < end:
            self.read(0.1)
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait()
        os.close(self.controller)
        return code


def run_to_exit(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[int | None, list[str]]:
    """Run the real command (`APP` + `argv`) until it exits; its exit code and non-empty
    output lines."""
    program = PtyProgram([*APP, *argv], env, cwd=str(cwd))
    code = program.close(timeout=30)
    return code, [line.strip() for line in program.text().splitlines() if line.strip()]
