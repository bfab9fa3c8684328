"""Event fan-out: every subscriber gets its own bounded queue and a lag counter.

The socket reader must never wait for a slow consumer (a busy UI, a stalled
audio worker), so publishing never blocks: when a subscriber's queue is full
its oldest event is dropped and its `lagged` count grows. The others are not
affected.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Subscription(Generic[T]):
    """One subscriber's view of the event stream: iterate it, or `await get()`."""

    def __init__(self, hub: Fanout[T], maxsize: int) -> None:
        self._hub = hub
        self._queue: asyncio.Queue[T] = asyncio.Queue(maxsize)
        self.lagged = 0
        """Events dropped because this subscriber did not keep up."""

    def offer(self, event: T) -> None:
        """Queue `event` for this subscriber only, dropping its oldest when full."""
        while True:
            try:
                self._queue.put_nowait(event)
                return
            except asyncio.QueueFull:
                self._queue.get_nowait()
                self.lagged += 1

    async def get(self) -> T:
        return await self._queue.get()

    def get_nowait(self) -> T:
        """The next event; raises asyncio.QueueEmpty when there is none."""
        return self._queue.get_nowait()

    def pending(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        """Stop receiving events."""
        self._hub._subscribers.discard(self)

    def __aiter__(self) -> AsyncIterator[T]:
        return self

    async def __anext__(self) -> T:
        return await self._queue.get()


class Fanout(Generic[T]):
    """Publishes each event to every current subscriber without ever blocking."""

    def __init__(self, default_maxsize: int = 2000) -> None:
        self._subscribers: set[Subscription[T]] = set()
        self._default_maxsize = default_maxsize

    def subscribe(self, maxsize: int | None = None) -> Subscription[T]:
        subscription = Subscription(self, maxsize or self._default_maxsize)
        self._subscribers.add(subscription)
        return subscription

    def publish(self, event: T) -> None:
        for subscription in tuple(self._subscribers):
            subscription.offer(event)

    @property
    def total_lagged(self) -> int:
        return sum(s.lagged for s in self._subscribers)
