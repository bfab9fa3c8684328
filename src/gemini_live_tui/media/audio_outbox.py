"""Voice outbox: what the microphone path hands the network, in order, bounded.

Audio chunks and control signals (``audioStreamEnd``, ``activityStart``,
``activityEnd``) must reach the server in the order they happened: an
``activityStart`` sent after later audio would cut the user's first words
from the turn. When the network stalls the outbox must not grow without
bound either, so it holds at most ``max_audio`` audio chunks; on overflow it
drops the *oldest audio chunk* (wherever it sits among the signals) and
counts it. Control signals are never dropped or moved.

Single asyncio loop, one consumer; ``join`` waits until everything put has
been taken and marked done (for a clean close).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

AUDIO = "audio"


class VoiceOutbox:
    """A FIFO of ``(kind, *payload)`` tuples holding at most ``max_audio`` audio items."""

    def __init__(self, max_audio: int) -> None:
        if max_audio < 1:
            raise ValueError("max_audio must be at least 1")
        self.max_audio = max_audio
        self.dropped = 0  # audio chunks dropped because the network fell behind
        self._items: deque[tuple[Any, ...]] = deque()
        self._audio = 0
        self._unfinished = 0
        self._ready = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    def __len__(self) -> int:
        return len(self._items)

    def kinds(self) -> list[str]:
        """The kinds queued, oldest first (for tests and diagnostics)."""
        return [item[0] for item in self._items]

    def put_audio(self, chunk: object) -> None:
        if self._audio >= self.max_audio:
            self._drop_oldest_audio()
        self._put((AUDIO, chunk))
        self._audio += 1

    def put_signal(self, kind: str) -> None:
        if kind == AUDIO:
            raise ValueError("use put_audio for audio")
        self._put((kind,))

    async def get(self) -> tuple[Any, ...]:
        while not self._items:
            self._ready.clear()
            await self._ready.wait()
        item = self._items.popleft()
        if item[0] == AUDIO:
            self._audio -= 1
        return item

    def task_done(self) -> None:
        self._unfinished -= 1
        if self._unfinished <= 0:
            self._unfinished = 0
            self._idle.set()

    async def join(self) -> None:
        await self._idle.wait()

    def _put(self, item: tuple[Any, ...]) -> None:
        self._items.append(item)
        self._unfinished += 1
        self._idle.clear()
        self._ready.set()

    def _drop_oldest_audio(self) -> None:
        for index, item in enumerate(self._items):
            if item[0] == AUDIO:
                del self._items[index]
                self._audio -= 1
                self.dropped += 1
                self.task_done()
                return
