"""Process start to first painted frame: gemini-live vs a bare Textual app.

Each run starts a fresh Python process in a pseudo-terminal (a real terminal
driver, not headless) and takes the time from just before `Popen` to the
moment the app's first frame has been written; the app marks that moment
(`call_after_refresh` in `on_mount`, monotonic clock, shared by all
processes on Linux) in the file named by GEMINI_LIVE_FIRST_PAINT_FILE and
exits. The bare app does exactly the same with one `Label`. Runs alternate so
both see the same machine load.

    uv run python benchmarks/tui_first_paint.py [RUNS] [--no-bytecode]

By default the children may use .pyc files (in a temporary
PYTHONPYCACHEPREFIX, warmed by one untimed run), as after an install;
`--no-bytecode` makes every start compile every module from source, as
with PYTHONDONTWRITEBYTECODE=1 (this sandbox's default).
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_APP = """
import os, time
from pathlib import Path
from textual.app import App
from textual.widgets import Label

class Bare(App):
    def compose(self):
        yield Label("hello")
    def on_mount(self):
        self.call_after_refresh(self.mark)
    def mark(self):
        Path(os.environ["GEMINI_LIVE_FIRST_PAINT_FILE"]).write_text(f"{time.monotonic()}\\n")
        self.exit()

Bare().run()
"""


def first_paint(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning `argv` in a pty to its first painted frame."""
    with tempfile.TemporaryDirectory() as folder:
        marker = Path(folder) / "painted"
        env = {**env, "GEMINI_LIVE_FIRST_PAINT_FILE": str(marker), "TERM": "xterm-256color"}
        controller, terminal = pty.openpty()
        start = time.monotonic()
        process = subprocess.Popen(
            argv, stdin=terminal, stdout=terminal, stderr=terminal, env=env, close_fds=True
        )
        os.close(terminal)
        output = b""
        try:
            while process.poll() is None:
                ready, _, _ = select.select([controller], [], [], 0.05)
                if ready:
                    with contextlib.suppress(OSError):
                        output = (output + os.read(controller, 65536))[-4000:]
        finally:
            process.kill()
            process.wait()
            os.close(controller)
        if not marker.exists():
            raise RuntimeError(f"{argv[-1]} painted nothing: {output.decode(errors='replace')}")
        return float(marker.read_text()) - start


def main() -> None:
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    runs = int(numbers[0]) if numbers else 7
    env = {k: v for k, v in os.environ.items() if "API_KEY" not in k and "TOKEN" not in k}
    cached = "--no-bytecode" not in sys.argv
    with tempfile.TemporaryDirectory() as home:
        env["GEMINI_LIVE_CONFIG_DIR"] = f"{home}/config"
        env["GEMINI_LIVE_STATE_DIR"] = f"{home}/state"
        if cached:  # as after an install: .pyc files exist (kept out of the tree)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = f"{home}/pycache"
        else:  # every start compiles every module from source
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        commands = {
            "bare textual label": [sys.executable, "-c", BARE_APP],
            "gemini-live (no key)": [sys.executable, "-m", "gemini_live_tui.cli"],
            "gemini-live --demo": [sys.executable, "-m", "gemini_live_tui.cli", "--demo"],
        }
        for argv in commands.values():  # warm the file cache (and the bytecode cache)
            first_paint(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, argv in commands.items():
                times[name].append(first_paint(argv, env))
    bare = statistics.median(times["bare textual label"])
    mode = "with bytecode cache" if cached else "without bytecode cache (compiling every start)"
    print(f"runs: {runs} each, alternating, {mode}; median / min / max in seconds")
    for name, values in times.items():
        median = statistics.median(values)
        extra = "" if name.startswith("bare") else f"  ({median - bare:+.3f} s vs bare)"
        print(f"{name:22} {median:.3f} / {min(values):.3f} / {max(values):.3f}{extra}")


if __name__ == "__main__":
    main()
