"""What the simulator heard and said, kept for the tests to read back.

A test asserts on what reached the service (`texts()`, `setups()`,
`tool_responses()`, `audio_pcm()`) and waits for it (`wait_for`, woken on
every message). The demo runs for hours, so with `record=False` realtime
audio and video are only counted, and memory stays flat.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Received:
    """One message the simulator received, with the connection it came on."""

    connection: int
    message: dict[str, Any]
    at: float


class Recorder:
    """Every client message in arrival order, what was sent back, and a wait on news."""

    def __init__(self, *, record: bool = True) -> None:
        self.record = record
        self.received: list[Received] = []
        self.counts: dict[str, int] = {}  # messages by kind (realtimeInput by its field)
        self.audio_arrivals: deque[float] = deque(maxlen=100_000)  # CLOCK_MONOTONIC
        self.sent: list[tuple[int, dict[str, Any]]] = []
        self._changed = asyncio.Condition()

    # ----- writing (the server calls these) -------------------------------

    def note_received(self, connection: int, message: dict[str, Any]) -> None:
        key = next(iter(message), "")
        if key == "realtimeInput":
            key = next(iter(message[key]), key)
        self.counts[key] = self.counts.get(key, 0) + 1
        if key == "audio":
            self.audio_arrivals.append(time.monotonic())
        if self.record or key not in ("audio", "video"):
            self.received.append(Received(connection, message, time.monotonic()))
        if not self.record and len(self.sent) > 400:
            del self.sent[:200]

    def note_sent(self, connection: int, message: dict[str, Any]) -> None:
        self.sent.append((connection, message))

    async def notify(self) -> None:
        """Wake every `wait_for` to check its predicate again."""
        async with self._changed:
            self._changed.notify_all()

    # ----- reading (for assertions) ---------------------------------------

    def realtime(self, key: str) -> list[Any]:
        """Values of `realtimeInput.KEY` in arrival order."""
        return [
            r.message["realtimeInput"][key]
            for r in self.received
            if key in r.message.get("realtimeInput", {})
        ]

    def texts(self) -> list[str]:
        return self.realtime("text")

    def setups(self) -> list[dict[str, Any]]:
        return [r.message["setup"] for r in self.received if "setup" in r.message]

    def tool_responses(self) -> list[dict[str, Any]]:
        return [
            response
            for r in self.received
            for response in r.message.get("toolResponse", {}).get("functionResponses", [])
        ]

    def audio_pcm(self) -> bytes:
        """All realtime audio received, concatenated."""
        return b"".join(base64.b64decode(a["data"]) for a in self.realtime("audio"))

    def video_frames(self) -> list[bytes]:
        return [base64.b64decode(v["data"]) for v in self.realtime("video")]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
        """Wait until `predicate()` is truthy (checked on every received message)."""
        async with asyncio.timeout(timeout), self._changed:
            while not (result := predicate()):
                await self._changed.wait()
            return result
