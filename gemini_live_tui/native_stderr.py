"""While the TUI runs, what C libraries print on stderr goes to the log file, not the screen.

PortAudio, ALSA and the PulseAudio client write diagnostics straight to file
descriptor 2 from C ("ALSA lib pcm_pulse.c: …", "Expression '…' failed in
pa_linux_alsa.c"), for instance when a device is unplugged mid-stream.
Python's `sys.stderr` cannot catch them, and on a full-screen terminal they
tear the picture. Textual draws on `sys.__stderr__`, which is fd 2 too, so
the terminal is first duplicated onto a new descriptor for Textual, then
fd 2 is pointed at the log file (`os.dup2`). On exit both are put back, so
a traceback after the app ends reaches the terminal again.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from . import compat


@contextlib.contextmanager
def native_stderr_to(log_file: Path) -> Iterator[None]:
    """Send fd 2 to `log_file` (appending) and give Python's `sys.__stderr__` the terminal."""
    try:
        terminal_fd = os.dup(2)
    except OSError:  # no stderr at all: nothing can tear the screen
        yield
        return
    saved_dunder, saved_stderr = sys.__stderr__, sys.stderr
    terminal = io.TextIOWrapper(
        io.FileIO(terminal_fd, "w", closefd=True),
        encoding=getattr(saved_dunder, "encoding", None) or "utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    with contextlib.suppress(Exception):
        saved_stderr.flush()
    log_fd = os.open(log_file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.dup2(log_fd, 2)
    finally:
        os.close(log_fd)
    compat.set_textual_output(terminal)  # Textual's driver writes the screen here
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            saved_stderr.flush()
        with contextlib.suppress(Exception):
            terminal.flush()
        os.dup2(terminal_fd, 2)
        compat.set_textual_output(saved_dunder)
        sys.stderr = saved_stderr
        terminal.close()
