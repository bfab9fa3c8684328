"""The running app's profile: one copy in memory, every change written through.

Voice, screen sharing and the desktop tools all remember choices in the same
profile file, from worker threads. Each of them loading, changing and saving
the file on its own made the order of their saves depend on thread timing.
`ProfileStore` is the one place a running app reads and changes the profile:
one lock, the profile held in memory (the file is not read again), and each
change applied to the file first through `config.edit_profile` (tomlkit, so
the user's comments and layout survive), then to the copy in memory — so
memory and file always agree, and changes land in the order they were made.

Its methods block (file I/O): call them from a thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable

from .config import Profile, edit_profile, load_profile


class ProfileStore:
    """The profile `name`, loaded once (or given), changed only through `change`."""

    def __init__(self, name: str, profile: Profile | None = None) -> None:
        self.name = name
        self._profile = copy.deepcopy(profile) if profile is not None else None
        self._lock = threading.Lock()

    def read(self) -> Profile:
        """A copy of the profile (loaded from the file on first use; raises `ConfigError`)."""
        with self._lock:
            return copy.deepcopy(self._current())

    def change(self, change: Callable[[Profile], None]) -> Profile:
        """Apply `change` to the file, then to the profile in memory; returns a copy.

        Raises `ConfigError` or `OSError` when the file cannot be written; the
        profile in memory is then left as it was.
        """
        with self._lock:
            current = self._current()
            edit_profile(change, self.name)
            change(current)
            return copy.deepcopy(current)

    def _current(self) -> Profile:
        if self._profile is None:
            self._profile = load_profile(self.name)
        return self._profile
