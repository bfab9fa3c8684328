"""Input grammar: turns the line the user typed into a command or a message.

The input box is one line of text. This module decides what that line means,
without touching Textual, the file system or the session, so it can be tested
(and fuzzed) as a plain function.

Grammar
-------

A line whose first non-blank character is ``/`` is a **slash command**::

    /tools enable "get weather"      -> SlashCommand("tools", ("enable", "get weather"))

The words after the ``/`` are split like a POSIX shell does (``shlex``):
single quotes, double quotes and backslash escapes group words; an unbalanced
quote is an `InputError`; any Unicode blank (an ideographic space too)
separates words. The command name is lower-cased. ``/system set TEXT`` is
the exception: TEXT is the rest of the line as typed (``You're "right"``
keeps its quotes), stripped of surrounding blanks; only a TEXT that is one
quoted string as a whole (``"be brief"``) loses its quotes. ``//`` at the start
sends the rest as an ordinary message beginning with ``/``.

Any other line is a **message**. A word that *starts* with ``@`` is an
attachment reference; the path runs to the next unquoted, unescaped blank:

====================  =========================================
typed                 path
====================  =========================================
``@photo.jpg``        ``CWD/photo.jpg``
``@~/a.png``          ``HOME/a.png`` (only an unquoted ``~`` or ``~/`` at the start)
``@/tmp/x.wav``       ``/tmp/x.wav``
``@my\\ file.png``    ``CWD/my file.png`` (backslash escapes any character)
``@"my file.png"``    ``CWD/my file.png`` (inside ``"…"``, ``\\"`` and ``\\\\`` are escapes)
``@'my file.png'``    ``CWD/my file.png`` (inside ``'…'`` nothing is special)
``@"my dir"/b.png``   ``CWD/my dir/b.png`` (quoted and plain parts join)
====================  =========================================

- ``@`` only counts at the start of a word, so ``mail a@b.com`` is plain text;
  a lone ``@`` is plain text too; ``\\@name`` at the start of a word sends a
  literal ``@name``.
- Sentence punctuation stuck to the end of a plain path is not part of it:
  ``what is in @cat.jpg?`` attaches ``cat.jpg``. Escape or quote it to keep
  it (``@file\\.`` is the path ``file.``). `quote_path` does this for you.
- ``~user`` is not expanded.
- An unterminated quote inside an ``@`` word is an `InputError`; quotes in the
  rest of the text (``don't``) mean nothing.
- The text sent to the model is the line without its ``@`` words; the blanks
  around a removed word shrink to one space (none before punctuation), and
  the text is stripped. The echo is the line as typed, stripped.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "AttachmentRef",
    "InputError",
    "Message",
    "ParsedLine",
    "SlashCommand",
    "PathWord",
    "parse_input_line",
    "quote_path",
    "resolve_word",
    "scan_path_word",
]

#: Characters that end a sentence and are not taken into an unquoted path.
TRAILING_PUNCTUATION = ".,;:!?)]}"


class InputError(ValueError):
    """The line cannot be understood; the message says how to fix it."""


@dataclass(frozen=True, slots=True)
class SlashCommand:
    """``/name args…``: the name lower-cased, the args split shell-like."""

    name: str
    args: tuple[str, ...]
    raw: str


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """One ``@path`` word: where the file is, and how the user wrote it."""

    path: Path
    typed: str
    span: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Message:
    """Text for the model plus the files to send before it."""

    text: str
    attachments: tuple[AttachmentRef, ...]
    echo: str


ParsedLine = SlashCommand | Message


@dataclass(frozen=True, slots=True)
class PathWord:
    """A scanned ``@`` path word (without the ``@``).

    ``plain`` holds, for each character of ``value``, whether it was typed
    unquoted and unescaped (only such characters can be punctuation or ``~``).
    ``end`` is the index in the line just after the word; ``unterminated`` is
    the quote character left open, if any.
    """

    value: str
    plain: tuple[bool, ...]
    end: int
    unterminated: str | None

    @property
    def home_relative(self) -> bool:
        """True when the word starts with an unquoted ``~`` or ``~/``."""
        v = self.value
        return bool(v) and v[0] == "~" and self.plain[0] and (len(v) == 1 or v[1] == "/")


def scan_path_word(line: str, start: int) -> PathWord:
    """Read a path word beginning at ``line[start]`` up to the first free blank.

    Never raises: an open quote runs to the end of the line and is reported in
    ``unterminated``. Used by the parser and by the completer.
    """
    chars: list[str] = []
    plain: list[bool] = []
    i, n = start, len(line)
    while i < n:
        c = line[i]
        if c.isspace():
            break
        if c == "\\":
            if i + 1 < n:
                chars.append(line[i + 1])
                plain.append(False)
                i += 2
            else:  # a lone backslash at the end is itself
                chars.append(c)
                plain.append(False)
                i += 1
        elif c == "'":
            close = line.find("'", i + 1)
            stop = n if close < 0 else close
            chars.extend(line[i + 1 : stop])
            plain.extend([False] * (stop - i - 1))
            if close < 0:
                return PathWord("".join(chars), tuple(plain), n, "'")
            i = close + 1
        elif c == '"':
            i += 1
            while i < n and line[i] != '"':
                if line[i] == "\\" and i + 1 < n and line[i + 1] in '"\\':
                    i += 1
                chars.append(line[i])
                plain.append(False)
                i += 1
            if i >= n:
                return PathWord("".join(chars), tuple(plain), n, '"')
            i += 1
        else:
            chars.append(c)
            plain.append(True)
            i += 1
    return PathWord("".join(chars), tuple(plain), i, None)


def _strip_punctuation(word: PathWord) -> PathWord:
    """Give plain trailing sentence punctuation back to the text."""
    value, plain, end = word.value, word.plain, word.end
    k = len(value)
    while k > 0 and plain[k - 1] and value[k - 1] in TRAILING_PUNCTUATION:
        k -= 1
    if k == len(value):
        return word
    return PathWord(value[:k], plain[:k], end - (len(value) - k), word.unterminated)


def resolve_word(word: PathWord, cwd: Path, home: Path) -> Path:
    """The file a path word names: ``~`` expanded, relative to ``cwd``."""
    if word.home_relative:
        return home / word.value[2:]
    return cwd / word.value


def quote_path(path: str | os.PathLike[str]) -> str:
    """Write ``path`` so that ``@`` + the result parses back to exactly ``path``.

    Plain paths come back unchanged; otherwise blanks, quotes, backslashes, a
    leading ``~`` and trailing punctuation get a backslash (the form shell
    completion uses, so the user can keep typing after it).
    """
    s = os.fspath(path)
    if not s:
        raise ValueError("an empty path cannot be attached")
    out: list[str] = []
    last = len(s) - 1
    for i, c in enumerate(s):
        if (
            c.isspace()
            or c in "\\'\""
            or (i == 0 and c == "~")
            or (i == last and c in TRAILING_PUNCTUATION)
        ):
            out.append("\\")
        out.append(c)
    return "".join(out)


_ESCAPED_AT = re.compile(r"(?:^|(?<=\s))\\@")


def _join_text(chunks: list[str]) -> str:
    """Join the text around removed ``@`` words, tidying the blanks at the seams."""
    text = chunks[0]
    for chunk in chunks[1:]:
        left, right = text.rstrip(), chunk.lstrip()
        if not left or not right or right[0] in TRAILING_PUNCTUATION:
            text = left + right
        else:
            text = left + " " + right
    return text.strip()


def _parse_message(line: str, cwd: Path, home: Path, echo: str, shift: int = 0) -> Message:
    """Parse a message line; ``shift`` moves spans back onto the typed line."""
    refs: list[AttachmentRef] = []
    chunks: list[str] = []
    chunk_start = 0
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        if line[i] == "@" and i + 1 < n and not line[i + 1].isspace():
            word = scan_path_word(line, i + 1)
            if word.unterminated:
                q = word.unterminated
                raise InputError(
                    f"unterminated {q} in {line[i:]!s} — close the quote, or write \\{q} "
                    f"for a literal {q}"
                )
            word = _strip_punctuation(word)
            if word.value:
                refs.append(
                    AttachmentRef(
                        resolve_word(word, cwd, home),
                        line[i : word.end],
                        (i + shift, word.end + shift),
                    )
                )
                chunks.append(line[chunk_start:i])
                chunk_start = word.end
                i = word.end
                continue
        while i < n and not line[i].isspace():
            i += 1
    chunks.append(line[chunk_start:])
    chunks = [_ESCAPED_AT.sub("@", c) for c in chunks]
    return Message(_join_text(chunks), tuple(refs), echo)


def _split_words(body: str) -> list[str]:
    """`shlex.split`, with every Unicode blank (an ideographic space too) between words."""
    lexer = shlex.shlex(body, posix=True)
    lexer.whitespace = _BLANKS
    lexer.whitespace_split = True
    lexer.commenters = ""
    return list(lexer)


def _unquote_whole(text: str) -> str:
    """`text` without its quotes when it is one quoted string (`"be brief"`), else as is."""
    if len(text) < 2 or text[0] not in "\"'" or text[-1] != text[0]:
        return text
    try:
        words = shlex.split(text, posix=True)
    except ValueError:
        return text
    return words[0] if len(words) == 1 else text


def _parse_command(body: str, raw: str) -> SlashCommand:
    verbatim = _VERBATIM.match(body)
    if verbatim:  # the rest of the line as typed: quotes and backslashes are text
        name, sub, rest = verbatim.group(1, 2, 3)
        rest = _unquote_whole((rest or "").strip())
        return SlashCommand(name.lower(), (sub.lower(), rest) if rest else (sub.lower(),), raw)
    try:
        words = _split_words(body)
    except ValueError as e:
        reason = "a quote is not closed" if "quotation" in str(e) else "a backslash ends the line"
        raise InputError(f"cannot read the command: {reason} — {raw}") from None
    if not words or body[:1].isspace():
        raise InputError("type a command name after /, e.g. /help (// sends a line starting /)")
    return SlashCommand(words[0].lower(), tuple(words[1:]), raw)


#: Every character `str.isspace` calls blank (shlex knows only the ASCII ones).
_BLANKS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
#: Commands whose text argument is the rest of the line, verbatim: /system set TEXT.
_VERBATIM = re.compile(r"(system)\s+(set)(?:\s(.*))?\Z", re.IGNORECASE | re.DOTALL)


def parse_input_line(line: str, cwd: Path, home: Path) -> ParsedLine:
    """Parse one input line (see the module docstring for the grammar).

    ``cwd`` anchors relative ``@`` paths and ``home`` replaces ``~``; nothing
    is read from disk. Raises `InputError` for an unbalanced quote or a bare
    ``/``; any other string parses.
    """
    stripped = line.strip()
    if stripped.startswith("//"):
        return _parse_message(line.replace("/", "", 1), cwd, home, stripped, shift=1)
    if stripped.startswith("/"):
        return _parse_command(stripped[1:], stripped)
    return _parse_message(line, cwd, home, stripped)
