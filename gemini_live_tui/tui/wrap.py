"""Word wrap by terminal cells, incremental for text that only grows.

A streaming reply grows by a few characters many times a second and can
reach tens of thousands of characters; wrapping all of it on every update
would stall the event loop. Greedy wrapping never moves a break before the
last row when text is appended, so `wrap_rows` keeps every row but the last
and re-wraps only from the start of the last row. Breaks come from rich's
`divide_line` (cell widths, so East Asian wide characters and emoji count
two), paragraph by paragraph at newlines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..compat import divide_line

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LEADING_SPACE = re.compile(r"[^\S\n]*")


def clean(text: str) -> str:
    """Tabs to spaces, other control characters (but newlines) removed."""
    return _CONTROL.sub("", text.replace("\t", "    ").replace("\r\n", "\n"))


@dataclass(frozen=True, slots=True)
class Wrapped:
    """`text` cut into rows of at most `width` cells: row i is text[starts[i]:ends[i]]."""

    text: str
    width: int
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def rows(self) -> list[str]:
        return [self.text[a:b] for a, b in zip(self.starts, self.ends, strict=True)]


def _divide(text: str, offset: int, width: int) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    position = 0
    for paragraph in text.split("\n"):
        breaks = divide_line(paragraph, width) if paragraph else []
        bounds = [0, *breaks, len(paragraph)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            starts.append(offset + position + a)
            ends.append(offset + position + b)
        position += len(paragraph) + 1
    return starts, ends


def _starts_word(text: str, index: int) -> bool:
    """True at a word's first character (where greedy wrapping can restart).

    Not at the first word of a paragraph that begins with spaces: rich folds those
    spaces together with that word, and where that fold ends depends on the text
    after it; wrapping resumes before such a paragraph instead.
    """
    if index == 0:
        return True
    if index >= len(text) or not text[index - 1].isspace() or text[index].isspace():
        return False
    start = text.rfind("\n", 0, index) + 1
    return index == start or _LEADING_SPACE.match(text, start).end() != index  # type: ignore[union-attr]


def wrap_rows(text: str, width: int, previous: Wrapped | None = None) -> Wrapped:
    """Wrap `text` (already `clean`ed) to `width` cells, reusing `previous` if
    `text` extends its text at the same width."""
    width = max(1, width)
    if (
        previous is not None
        and previous.width == width
        and previous.starts
        and text.startswith(previous.text)
    ):
        # Resume at the last row that starts a word: a row inside a folded long
        # word depends on where that word began.
        keep = len(previous.starts) - 1
        while keep > 0 and not _starts_word(text, previous.starts[keep]):
            keep -= 1
        resume = previous.starts[keep]
        starts, ends = _divide(text[resume:], resume, width)
        return Wrapped(
            text, width, previous.starts[:keep] + tuple(starts), previous.ends[:keep] + tuple(ends)
        )
    starts, ends = _divide(text, 0, width)
    return Wrapped(text, width, tuple(starts), tuple(ends))
