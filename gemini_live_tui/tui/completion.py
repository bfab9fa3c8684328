"""Tab completion for the input line: ``@`` paths and slash commands.

The input widget asks `complete` what could go at the cursor and shows the
candidates in a popup; accepting one replaces ``line[start:end]`` with its
``insert`` text (`Completion.apply` does that). Kept free of Textual so the
rules are tested as plain functions.

- In a message, a word starting with ``@`` completes to files and folders
  (folders end in ``/`` so Tab can go on into them). Inserted paths are
  written with `quote_path`, so spaces and quotes survive parsing; a typed
  ``~/`` stays ``~/``. Hidden entries show only when the typed name starts
  with ``.``. Matching is case-sensitive, falling back to case-insensitive
  when nothing matches.
- In a slash command, the first word completes to command names, later words
  to the sub-commands and ``choices`` (tool names, voices…) of the command
  table the app passes in; a `CommandSpec` with ``takes_path`` completes a
  path argument (no ``@``).

Only the directory named by the typed prefix is listed (one ``scandir``),
and at most `MAX_CANDIDATES` entries come back, so a Tab in a huge folder
stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from gemini_live_tui.tui.input_parser import quote_path, scan_path_word

__all__ = ["MAX_CANDIDATES", "Candidate", "CommandSpec", "Completion", "complete"]

MAX_CANDIDATES = 200


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One slash command (or sub-command) as far as completion cares.

    ``choices`` are the values the next word may take (e.g. tool names after
    ``/tools enable``); ``takes_path`` makes the next word complete as a path.
    """

    name: str
    help: str = ""
    subcommands: tuple[CommandSpec, ...] = ()
    choices: tuple[str, ...] = ()
    takes_path: bool = False

    @property
    def takes_more(self) -> bool:
        """Whether anything can follow this word (so a space is inserted after it)."""
        return bool(self.subcommands or self.choices or self.takes_path)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One popup entry: ``label`` to show, ``insert`` to put in the line."""

    insert: str
    label: str
    help: str = ""


@dataclass(frozen=True, slots=True)
class Completion:
    """Candidates for ``line[start:end]`` (the word under the cursor)."""

    start: int
    end: int
    candidates: tuple[Candidate, ...] = field(default=())

    def apply(self, line: str, index: int = 0) -> tuple[str, int]:
        """The line with candidate ``index`` accepted, and the new cursor position."""
        insert = self.candidates[index].insert
        rest = line[self.end :]
        if insert.endswith(" ") and rest[:1].isspace():
            insert = insert[:-1]
            cursor = self.start + len(insert) + 1
        else:
            cursor = self.start + len(insert)
        return line[: self.start] + insert + rest, cursor


def _list_dir(directory: Path, prefix: str) -> list[tuple[str, bool]]:
    """Entries of ``directory`` whose name starts with ``prefix``: (name, is_dir)."""
    show_hidden = prefix.startswith(".")
    try:
        with os.scandir(directory) as it:
            entries = [
                (e.name, _is_dir(e))
                for e in it
                if (show_hidden or not e.name.startswith(".")) and e.name.startswith(prefix)
            ]
            if not entries and prefix:
                low = prefix.lower()
                with os.scandir(directory) as again:
                    entries = [
                        (e.name, _is_dir(e))
                        for e in again
                        if (show_hidden or not e.name.startswith("."))
                        and e.name.lower().startswith(low)
                    ]
    except OSError:
        return []
    entries.sort(key=lambda item: (item[0].lower(), item[0]))
    return entries[:MAX_CANDIDATES]


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()  # follows symlinks
    except OSError:
        return False


def _path_candidates(word_text: str, cwd: Path, home: Path, lead: str) -> list[Candidate]:
    """Candidates for a partly typed path word (the text after ``@``, as typed)."""
    word = scan_path_word(word_text, 0)
    value = word.value
    if word.home_relative and value == "~":
        return [Candidate(lead + "~/", "~/")]
    tilde = word.home_relative
    rel = value[2:] if tilde else value
    cut = rel.rfind("/") + 1
    dir_part, base = rel[:cut], rel[cut:]
    if tilde:
        directory = home / dir_part
    elif dir_part.startswith("/"):
        directory = Path(dir_part)
    else:
        directory = cwd / dir_part
    out = []
    for name, is_dir in _list_dir(directory, base):
        shown = dir_part + name + ("/" if is_dir else "")
        text = ("~/" if tilde else "") + quote_path(shown)
        out.append(Candidate(lead + text + ("" if is_dir else " "), name + ("/" if is_dir else "")))
    return out


def _word_at(line: str, cursor: int) -> tuple[int, bool] | None:
    """Start of the message word holding the cursor, and whether it is an ``@`` word."""
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            if i > cursor:
                return None
            continue
        start = i
        is_at = line[i] == "@"
        if is_at:
            i = scan_path_word(line, i + 1).end
        else:
            while i < n and not line[i].isspace():
                i += 1
        if start <= cursor <= i:
            return start, is_at
        if start > cursor:
            return None
    return None


def _complete_message(line: str, cursor: int, cwd: Path, home: Path) -> Completion | None:
    found = _word_at(line, cursor)
    if found is None or not found[1]:
        return None
    start, _ = found
    cands = _path_candidates(line[start + 1 : cursor], cwd, home, "@")
    return Completion(start, cursor, tuple(cands))


def _command_words(text: str) -> list[tuple[int, str]]:
    """Shell-like words of ``text`` as (start, value); a trailing blank opens an empty word."""
    words: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        word = scan_path_word(text, i)
        words.append((i, word.value))
        i = word.end
    if not words or text[-1].isspace() and not _ends_inside_word(text):
        words.append((n, ""))
    return words


def _ends_inside_word(text: str) -> bool:
    """True when the last blank of ``text`` is quoted or escaped (part of a word)."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        i = scan_path_word(text, i).end
        if i >= n:
            return True
    return False


def _complete_command(
    line: str, cursor: int, cwd: Path, home: Path, commands: Sequence[CommandSpec]
) -> Completion | None:
    slash = line.index("/")
    if cursor <= slash:
        return None
    head = line[slash + 1 : cursor]
    words = _command_words(head)
    start = slash + 1 + words[-1][0]
    typed = words[-1][1]
    if len(words) == 1:
        low = typed.lower()
        cands = [
            Candidate("/" + c.name + (" " if c.takes_more else ""), "/" + c.name, c.help)
            for c in commands
            if c.name.lower().startswith(low)
        ]
        return Completion(start - 1, cursor, tuple(cands))
    node: CommandSpec | None = None
    level: Sequence[CommandSpec] = commands
    for _, w in words[:-1]:
        node = next((c for c in level if c.name.lower() == w.lower()), None)
        if node is None:
            return None
        level = node.subcommands
    assert node is not None
    if node.takes_path:
        cands = _path_candidates(line[start:cursor], cwd, home, "")
        return Completion(start, cursor, tuple(cands))
    low = typed.lower()
    cands = [
        Candidate(c.name + (" " if c.takes_more else ""), c.name, c.help)
        for c in node.subcommands
        if c.name.lower().startswith(low)
    ]
    cands += [Candidate(quote_path(v) + " ", v) for v in node.choices if v.lower().startswith(low)]
    return Completion(start, cursor, tuple(cands))


def complete(
    line: str,
    cursor: int,
    *,
    cwd: Path,
    home: Path,
    commands: Sequence[CommandSpec] = (),
) -> Completion | None:
    """What can replace the word under ``cursor``; None when nothing applies.

    A result with no candidates means "a completable word, but no match".
    Reads at most one directory listing.
    """
    cursor = max(0, min(cursor, len(line)))
    stripped = line.lstrip()
    if stripped.startswith("/") and not stripped.startswith("//"):
        return _complete_command(line, cursor, cwd, home, commands)
    return _complete_message(line, cursor, cwd, home)
