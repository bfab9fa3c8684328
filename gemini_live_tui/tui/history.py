"""Input history: Up/Down walk the lines sent before, across runs, per profile.

Kept as JSON lines in the state folder (`history/PROFILE.jsonl`), written
atomically with mode 0600 (the user's words are private) and capped so it
never grows without bound. A damaged file is ignored line by line, never
fatal.

`add` runs on the event loop at every Enter, so the rewrite and its fsync
happen on a writer thread: each save hands it a snapshot of the whole list,
and the thread writes the newest one (snapshots only grow, so writing the
latest keeps the order and loses nothing). `flush` waits for it; the app
calls it on the way out.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from ..config import ConfigError, profile_path, state_dir, write_private

log = logging.getLogger(__name__)

MAX_ENTRIES = 1000


def history_path(profile: str) -> Path:
    """Where the history of `profile` is kept."""
    profile_path(profile)  # validates the name
    return state_dir() / "history" / f"{profile}.jsonl"


class HistoryWriter:
    """Writes the newest snapshot of a history file on a thread of its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pending: str | None = None
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def submit(self, text: str) -> None:
        """Write `text` soon (replacing a snapshot not written yet); never blocks."""
        with self._lock:
            self._pending = text
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="history-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                text, self._pending = self._pending, None
                if text is None:
                    self._thread = None
                    self._idle.set()
                    return
            try:
                write_private(self.path, text)
            except OSError as error:
                log.warning("cannot write history %s: %s", self.path, error)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted is on disk; False on timeout."""
        return self._idle.wait(timeout)


class InputHistory:
    """Sent lines, oldest first, with a cursor for Up/Down."""

    def __init__(self, path: Path | None = None, entries: list[str] | None = None) -> None:
        self.path = path
        self._writer = HistoryWriter(path) if path is not None else None
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
        """Hand the current list to the writer thread (atomic, 0600, off the loop)."""
        if self._writer is None:
            return
        self._writer.submit("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self.entries))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until the saved history is on disk; False on timeout."""
        return True if self._writer is None else self._writer.flush(timeout)

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
