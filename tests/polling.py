"""Waiting for something a test can only poll for: a window, a frame, a process gone.

`wait_until` blocks (tests without an event loop, such as the Xvfb ones);
`eventually` awaits, with `pause` standing in for the sleep between checks
(the app tests pass `pilot.pause`, which also lets the screen refresh). Both
return the predicate's truthy value and fail the test when time runs out,
naming `what` was awaited.
Where the simulator is what changes, `sim.wait_for` wakes on each message
instead of polling.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def _timed_out(predicate: Callable[[], object], timeout: float, what: str) -> AssertionError:
    what = what or getattr(predicate, "__qualname__", repr(predicate))
    return AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def wait_until(
    predicate: Callable[[], T], timeout: float = 5.0, step: float = 0.05, what: str = ""
) -> T:
    """Call `predicate` every `step` seconds until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise _timed_out(predicate, timeout, what)
        time.sleep(step)
    return value


async def eventually(
    predicate: Callable[[], T],
    timeout: float = 5.0,
    step: float = 0.02,
    pause: Callable[[float], Awaitable[object]] = asyncio.sleep,
    what: str = "",
) -> T:
    """Await `pause(step)` between calls of `predicate` until it is truthy; return its value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := predicate()):
        if asyncio.get_running_loop().time() > deadline:
            raise _timed_out(predicate, timeout, what)
        await pause(step)
    return value
