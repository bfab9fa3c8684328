"""Waiting for session events with a timeout, for the tests."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from gemini_live_tui.live.events import Event, Phase, PhaseChanged
from gemini_live_tui.live.fanout import Subscription
from gemini_live_tui.live.session import LiveSession

E = TypeVar("E")


async def next_of(sub: Subscription[Event], kind: type[E], timeout: float = 5.0) -> E:
    """The next event of `kind`, skipping others."""
    async with asyncio.timeout(timeout):
        while True:
            event = await sub.get()
            if isinstance(event, kind):
                return event


async def collect_until(sub: Subscription[Event], kind: type, timeout: float = 5.0) -> list[Event]:
    """Events up to and including the next one of `kind`."""
    seen: list[Event] = []
    async with asyncio.timeout(timeout):
        while True:
            event = await sub.get()
            seen.append(event)
            if isinstance(event, kind):
                return seen


async def phase(sub: Subscription[Event], wanted: Phase, timeout: float = 5.0) -> PhaseChanged:
    async with asyncio.timeout(timeout):
        while True:
            event = await sub.get()
            if isinstance(event, PhaseChanged) and event.phase is wanted:
                return event


async def start_connected(session: LiveSession, timeout: float = 5.0) -> Subscription[Event]:
    """Subscribe to `session`, start it and wait until it is CONNECTED; the subscription."""
    sub = session.subscribe()
    await session.start()
    await phase(sub, Phase.CONNECTED, timeout)
    return sub
