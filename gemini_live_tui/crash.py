"""Crash reports: masked and without locals in the log file, one short line on the terminal.

Textual reports an unhandled error with a Rich traceback that lists every
frame's local variables (`show_locals=True`) and prints it on `sys.stderr`
when the app stops. While the app runs, fd 2 is the log file
(native_stderr.py), so that report went into the log unmasked — a local such
as `headers` can hold the key — and the user never learnt why the app ended.
Here:

- `crash_safe(AppClass)` gives the app a crash handler that logs the error
  through the masking formatter (a plain traceback: no locals) instead of
  Textual's report, and keeps the error for the CLI;
- `crash_guard()` wraps `sys.stderr` in a `MaskingWriter` for the run, and
  installs `sys.excepthook` and `threading.excepthook` that log through the
  same masked logger; everything is put back afterwards;
- `crash_line()` is what the CLI prints on the real terminal once the app
  has left it: `gemini-live crashed: <masked error>; details in <log>`.

Native libraries keep writing to fd 2 (the log): only Python-level output
passes through here.
"""

from __future__ import annotations

import contextlib
import io
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from . import compat
from .logs import mask

log = logging.getLogger("gemini_live_tui.crash")

#: A line longer than this is written out (masked) even without its newline.
_PENDING_LIMIT = 65536


class MaskingWriter(io.TextIOBase):
    """A text stream that masks every registered secret before passing text on.

    Text is held until its line ends, so a secret split over two `write` calls
    is still masked (a secret never spans a newline).
    """

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target
        self._pending = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self._target.fileno()

    def write(self, text: str) -> int:
        self._pending += text
        head, newline, tail = self._pending.rpartition("\n")
        if newline:
            self._target.write(mask(head + newline))
            self._pending = tail
        if len(self._pending) > _PENDING_LIMIT:
            self._target.write(mask(self._pending))
            self._pending = ""
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._target.write(mask(self._pending))
            self._pending = ""
        with contextlib.suppress(Exception):
            self._target.flush()


def _exc_info(error: BaseException) -> tuple[type[BaseException], BaseException, Any]:
    return type(error), error, error.__traceback__


def _original(error: BaseException) -> BaseException:
    """The error a worker raised, rather than Textual's `WorkerFailed` wrapper around it."""
    from textual.worker import WorkerFailed

    return error.error if isinstance(error, WorkerFailed) else error


class _CrashSafe(compat.CrashHooks):
    """Mixed in before the app class: Textual's crash handling, minus the report with locals."""

    crash: BaseException | None = None

    def crashed(self, error: BaseException) -> None:
        original = _original(error)
        if self.crash is None:
            self.crash = original
        log.error("unexpected error, the app stops", exc_info=_exc_info(original))


def crash_safe(app_class: type) -> type:
    """`app_class` with the masked crash handler; the app's `.crash` holds the error."""
    return type(
        app_class.__name__,
        (_CrashSafe, app_class),
        # Textual finds CSS_PATH relative to the module the class was defined in
        {"__module__": app_class.__module__, "__qualname__": app_class.__qualname__},
    )


def _excepthook(kind: type[BaseException], error: BaseException, tb: Any) -> None:
    log.error("uncaught error", exc_info=(kind, error, tb))


def _thread_excepthook(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else "?"
    log.error(
        "uncaught error in thread %s",
        name,
        exc_info=args.exc_value,
    )


@contextlib.contextmanager
def crash_guard() -> Iterator[None]:
    """For the app's run: masked `sys.stderr`, excepthooks through the masked log."""
    saved = sys.stderr, sys.excepthook, threading.excepthook
    writer = MaskingWriter(sys.stderr)
    sys.stderr = writer
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
    try:
        yield
    finally:
        writer.flush()
        sys.stderr, sys.excepthook, threading.excepthook = saved


def crash_line(error: BaseException, log_file: Path, limit: int = 300) -> str:
    """One masked line for the terminal: what went wrong and where the details are."""
    lines = mask(str(error)).strip().splitlines()
    what = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    if len(what) > limit:
        what = what[: limit - 1] + "…"
    return f"gemini-live crashed: {what}; details in {log_file}"
