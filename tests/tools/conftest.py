"""Fixtures for the tools tests: a real workspace folder, a wire that validates
every toolResponse frame against google-genai, a scripted confirmation, and a
runner wired to them."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from google.genai import types

from gemini_live_tui.live.events import FunctionCall, ToolCall
from gemini_live_tui.live.messages import FunctionResponse, ToolResponse
from gemini_live_tui.tools import ToolRegistry, ToolRunner, Workspace, builtin_registry
from gemini_live_tui.tools.reports import ToolReport


class Wire:
    """Stands in for `session.send_tool_response`: validates and records every frame."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.responses: list[FunctionResponse] = []
        self.sent_at: list[float] = []
        self.down = False
        self.gate: asyncio.Event | None = None  # while set and not yet open, sends wait on it
        self.attempts = 0
        self._changed = asyncio.Event()

    async def send(self, responses: list[FunctionResponse]) -> None:
        self.attempts += 1
        down = self.down  # the connection the send started on decides its fate
        if self.gate is not None:
            await self.gate.wait()
        if down:
            raise ConnectionError("the connection is being replaced")
        frame = ToolResponse(tuple(responses)).to_wire()
        types.LiveClientMessage.model_validate(frame)  # strict: unknown fields fail
        json.loads(json.dumps(frame))
        self.frames.append(frame)
        self.responses.extend(responses)
        self.sent_at.extend([asyncio.get_running_loop().time()] * len(responses))
        self._changed.set()

    def for_call(self, call_id: str) -> list[FunctionResponse]:
        return [r for r in self.responses if r.id == call_id]

    async def final(self, call_id: str, timeout: float = 10) -> FunctionResponse:
        """The last response for `call_id` (one without willContinue), waiting for it."""
        async with asyncio.timeout(timeout):
            while True:
                done = [r for r in self.for_call(call_id) if not r.will_continue]
                if done:
                    return done[-1]
                self._changed.clear()
                await self._changed.wait()


class Reports:
    """Collects the runner's reports; lets a test wait for one."""

    def __init__(self) -> None:
        self.items: list[ToolReport] = []
        self._changed = asyncio.Event()

    def __call__(self, report: ToolReport) -> None:
        self.items.append(report)
        self._changed.set()

    def of(self, kind: type, call_id: str | None = None) -> list[Any]:
        return [
            r
            for r in self.items
            if isinstance(r, kind) and (call_id is None or r.call_id == call_id)
        ]

    async def wait_for(self, kind: type, call_id: str | None = None, timeout: float = 10) -> Any:
        async with asyncio.timeout(timeout):
            while not self.of(kind, call_id):
                self._changed.clear()
                await self._changed.wait()
        return self.of(kind, call_id)[-1]


@dataclass
class Confirmer:
    """The user at the confirmation modal: answers from a script, records what was asked."""

    answers: list[str] = field(default_factory=list)
    asked: list[list[str]] = field(default_factory=list)

    async def __call__(self, argv: list[str]) -> str:
        self.asked.append(argv)
        await asyncio.sleep(0)  # a real await, like a modal
        return self.answers.pop(0) if self.answers else "deny"


@dataclass
class Harness:
    workspace: Workspace
    registry: ToolRegistry
    wire: Wire
    reports: Reports
    confirmer: Confirmer
    runner: ToolRunner
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def call(self, name: str, **args: Any) -> str:
        call_id = f"call-{next(self._ids)}"
        self.runner.handle_call(ToolCall((FunctionCall(call_id, name, args),)))
        return call_id

    async def result(self, name: str, **args: Any) -> dict[str, Any]:
        """Call a tool and return the response dict of its final answer."""
        return (await self.wire.final(self.call(name, **args))).response


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "workspace"
    root.mkdir()
    return Workspace(root)


@pytest.fixture
async def make_harness(workspace: Workspace):
    made: list[Harness] = []

    def make(
        *,
        enabled: set[str] | None = None,
        registry: ToolRegistry | None = None,
        non_blocking: bool = True,
        will_continue: bool = True,
        answer_after: float = 0.3,
        confirm: Callable[[list[str]], Any] | None = None,
        report: Callable[[ToolReport], None] | None = None,
    ) -> Harness:
        """A runner in the default model's shape (gemini-3.8-live on the Gemini API:
        NON_BLOCKING, `willContinue` allowed) unless told otherwise."""
        registry = registry or builtin_registry(workspace)
        wire, reports, confirmer = Wire(), Reports(), Confirmer()
        runner = ToolRunner(
            registry,
            wire.send,
            confirm or confirmer,
            report or reports,
            enabled=set(registry.names()) if enabled is None else enabled,
            non_blocking=non_blocking,
            will_continue=will_continue,
            answer_after=answer_after,
        )
        harness = Harness(workspace, registry, wire, reports, confirmer, runner)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        await harness.runner.aclose()


@pytest.fixture
async def harness(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness()
