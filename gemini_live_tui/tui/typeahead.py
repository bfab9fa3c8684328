"""Keys typed before the app has the terminal: kept, with Enter still meaning Enter.

Until Textual switches the terminal to raw mode it is in cooked mode, where
the line discipline turns each Enter (a carriage return) into a line feed as
it arrives. Textual then reads that line feed as Ctrl-J, which the prompt
takes as "new line", so `first⏎second⏎` typed while the app starts became
one two-line draft and nothing was sent. `held_typeahead` reads what is
already waiting, as the user meant it (a line feed there was an Enter), and
turns the translation off until the app exits, so keys typed after that
reach Textual exactly as they were typed. Line editing (Backspace) done by
the terminal before that moment is already applied to what is read.
"""

from __future__ import annotations

import os
import select
import sys
import termios
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import TextIO

_IFLAG, _LFLAG, _CC = 0, 3, 6


def early_lines(typed: str) -> tuple[list[str], str]:
    """What was typed before the app started: the lines Enter finished, and the rest."""
    text = "".join(ch for ch in typed if ch == "\n" or ch.isprintable())
    *lines, draft = text.split("\n")
    return lines, draft


def _drain(fd: int) -> bytes:
    data = b""
    while select.select([fd], [], [], 0)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data


@contextmanager
def held_typeahead(stream: TextIO | None = None) -> Iterator[str]:
    """Yield the text typed so far on `stream` (stdin) and keep Enter as Enter until exit.

    Yields "" when `stream` is not a terminal. The terminal's settings are
    restored on the way out.
    """
    stream = sys.stdin if stream is None else stream
    try:
        fd = stream.fileno()
        before = termios.tcgetattr(fd) if os.isatty(fd) else None
    except (OSError, ValueError, termios.error):
        before = None
    if before is None:
        yield ""
        return
    attrs = termios.tcgetattr(fd)
    attrs[_IFLAG] &= ~termios.ICRNL
    attrs[_LFLAG] &= ~(termios.ICANON | termios.ECHO)
    attrs[_CC][termios.VMIN] = 1
    attrs[_CC][termios.VTIME] = 0
    try:
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
        typed = _drain(fd).decode("utf-8", "replace")
    except termios.error:
        typed = ""
    try:
        yield typed
    finally:
        with suppress(termios.error):
            termios.tcsetattr(fd, termios.TCSANOW, before)
