"""Run a terminal program in tmux: keys arrive the way a terminal sends them.

tmux delivers `send-keys` as one burst of bytes (a fast typist, a plain
paste) and `paste-buffer -p` as a bracketed paste, which a pty write alone
cannot tell apart. Each `Tmux` has a server of its own (``-L``), with no
user configuration (``-f /dev/null``), killed on `close`.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
import uuid

from system_packages import missing_package


def require_tmux() -> str:
    """tmux's path, or skip the test saying so."""
    path = shutil.which("tmux")
    if path is None:
        missing_package(
            "tmux is not installed (Debian package tmux): the real-terminal typing cases need it"
        )
    return path


class Tmux:
    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24)):
        self.tmux = require_tmux()
        self.socket = f"gl-{uuid.uuid4().hex[:10]}"
        command = shlex.join(["env", "-i", *(f"{k}={v}" for k, v in env.items()), *argv])
        self._run(
            "new-session", "-d", "-x", str(size[0]), "-y", str(size[1]), command + "; sleep 60"
        )

    def _run(self, *args: str, input: bytes | None = None) -> str:
        done = subprocess.run(
            [self.tmux, "-L", self.socket, "-f", "/dev/null", *args],
            input=input,
            capture_output=True,
            check=True,
            timeout=10,
        )
        return done.stdout.decode("utf-8", "replace")

    def keys(self, *keys: str) -> None:
        """`send-keys`: names such as Enter, or literal text."""
        self._run("send-keys", *keys)

    def literal(self, text: str) -> None:
        """`send-keys -l`: the bytes of `text` as typed (a LF stays a LF)."""
        self._run("send-keys", "-l", text)

    def paste(self, text: str) -> None:
        """A bracketed paste of `text`."""
        self._run("load-buffer", "-", input=text.encode())
        self._run("paste-buffer", "-p", "-d")

    def screen(self) -> list[str]:
        return [row.rstrip() for row in self._run("capture-pane", "-p").splitlines()]

    def wait_for(self, predicate, timeout: float = 30) -> list[str]:
        """Poll the screen until `predicate(rows)` is true; fail with the screen if not."""
        end = time.monotonic() + timeout
        while True:
            rows = self.screen()
            if predicate(rows):
                return rows
            if time.monotonic() > end:
                raise AssertionError("screen never matched:\n" + "\n".join(rows))
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(
            [self.tmux, "-L", self.socket, "kill-server"], capture_output=True, timeout=10
        )
