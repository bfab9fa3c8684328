"""Input history: Up/Down walk the lines sent before, across runs, per profile.

Kept as JSON lines in the state folder (`history/PROFILE.jsonl`), written
atomically with mode 0600 (the user's words are private) and capped so it
never grows without bound. A damaged file is ignored line by line, never
fatal.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from ..config import ConfigError, profile_path, state_dir, write_private

log = logging.getLogger(__name__)

MAX_ENTRIES = 1000


def history_path(profile: str) -> Path:
    """Where the history of `profile` is kept."""
    profile_path(profile)  # validates the name
    return state_dir() / "history" / f"{profile}.jsonl"


class InputHistory:
    """Sent lines, oldest first, with a cursor for Up/Down."""

    def __init__(self, path: Path | None = None, entries: list[str] | None = None) -> None:
        self.path = path
        self.entries: list[str] = list(entries or [])[-MAX_ENTRIES:]
        self._index = len(self.entries)
        self._draft = ""

    @classmethod
    def load(cls, profile: str) -> InputHistory:
        """The saved history of `profile` (empty when there is none or it is unreadable)."""
        try:
            path = history_path(profile)
        except ConfigError:
            return cls(None)
        entries: list[str] = []
        try:
            for raw in path.read_text(encoding="utf-8").splitlines():
                try:
                    value = json.loads(raw)
                except json.JSONDecodeError:
                    continue
                if isinstance(value, str):
                    entries.append(value)
        except FileNotFoundError:
            pass
        except OSError as error:
            log.warning("cannot read history %s: %s", path, error)
        return cls(path, entries)

    def add(self, line: str) -> None:
        """Remember a sent line (not a repeat of the last one) and save."""
        line = line.strip()
        if line and (not self.entries or self.entries[-1] != line):
            self.entries.append(line)
            del self.entries[:-MAX_ENTRIES]
            self.save()
        self.reset()

    def save(self) -> None:
        if self.path is None:
            return
        text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self.entries)
        try:
            write_private(self.path, text)
        except OSError as error:
            log.warning("cannot write history %s: %s", self.path, error)

    def reset(self) -> None:
        self._index = len(self.entries)
        self._draft = ""

    def previous(self, current: str) -> str | None:
        """The entry before the cursor (Up); None at the oldest."""
        if self._index == len(self.entries):
            self._draft = current
        if self._index == 0:
            return None
        self._index -= 1
        return self.entries[self._index]

    def next(self) -> str | None:
        """The entry after the cursor (Down); the unsent draft after the newest."""
        if self._index >= len(self.entries):
            return None
        self._index += 1
        if self._index == len(self.entries):
            return self._draft
        return self.entries[self._index]
