"""A one-frame mailbox between screen capture and a possibly slow network.

Capture must never wait for the network and frames must never pile up:
when a new frame arrives before the previous one was taken for sending,
it replaces it (the stale one is dropped). At most one frame ever waits.
Used from the event loop only.
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

T = TypeVar("T")


class FrameSlot(Generic[T]):
    """Holds at most one value; ``put`` replaces, ``take`` waits for one."""

    def __init__(self) -> None:
        self._value: T | None = None
        self._full = False
        self._filled = asyncio.Event()

    @property
    def pending(self) -> bool:
        """True while a value waits to be taken."""
        return self._full

    def put(self, value: T) -> bool:
        """Store ``value``; return True when it replaced one nobody took."""
        replaced = self._full
        self._value, self._full = value, True
        self._filled.set()
        return replaced

    async def take(self) -> T:
        """Wait for a value and remove it from the slot."""
        while not self._full:
            self._filled.clear()
            await self._filled.wait()
        value, self._value, self._full = self._value, None, False
        return value  # type: ignore[return-value]
