"""The simulator's state: one client connection, and the session it carries.

A session outlives its connection: a resumption handle brings it back on
the next one, as it was when the handle was issued (`HandleState`). Both
the protocol server and the scripted model read and change this state, so
it sits apart from either.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request

from .hearing import SpeechDetector
from .personas import Judge

if TYPE_CHECKING:
    from .server import LiveSimulator


@dataclass
class SimSession:
    """Server-side conversation state that survives reconnects through handles."""

    id: int
    history: list[tuple[str, str]] = field(default_factory=list)
    pending_tools: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    handles_issued: int = 0
    connection: SimConnection | None = None
    faulted: set[str] = field(default_factory=set)  # texts whose keyword fault already fired
    issued_calls: set[str] = field(default_factory=set)  # call ids this session's state knows


@dataclass(frozen=True)
class HandleState:
    """What a resumption handle restores: the session as it was when the handle was issued."""

    session: SimSession
    history_len: int
    issued_calls: frozenset[str]


class SimConnection:
    """One client connection: its setup, its speech detector, its reply task."""

    @property
    def request(self) -> Request:
        """The opening handshake's request (always there once the client is connected)."""
        assert self.ws.request is not None
        return self.ws.request

    def __init__(self, sim: LiveSimulator, ws: ServerConnection, number: int) -> None:
        self.sim = sim
        self.ws = ws
        self.number = number
        self.setup: dict[str, Any] = {}
        self.session: SimSession | None = None
        self.reply_task: asyncio.Task[None] | None = None
        self.hearing = SpeechDetector()
        self.video_frames = 0
        self.last_video: bytes | None = None
        self.closed = False
        self.tasks: list[asyncio.Task[None]] = []
        self.judge: Judge | None = None  # the persona's rules for this connection, if any

    @property
    def modality(self) -> str:
        modalities = self.setup.get("generationConfig", {}).get("responseModalities", ["AUDIO"])
        return "TEXT" if "TEXT" in modalities else "AUDIO"

    @property
    def declared_tools(self) -> set[str]:
        names = set()
        for tool in self.setup.get("tools", []):
            for declaration in tool.get("functionDeclarations", []):
                names.add(declaration.get("name"))
        return names

    @property
    def vad_enabled(self) -> bool:
        config = self.setup.get("realtimeInputConfig", {})
        return not config.get("automaticActivityDetection", {}).get("disabled", False)

    async def send(self, message: dict[str, Any]) -> None:
        if self.sim.stalled:
            await self.sim._unstalled.wait()
        text = json.dumps(message)
        await self.ws.send(text.encode() if self.sim.binary_frames else text)
        self.sim.note_sent(self.number, message)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame."""
        self.closed = True
        self.ws.transport.abort()
