"""The runner beside a real LiveSession and the loopback simulator.

The simulator calls declared tools; the runner answers through
`session.send_tool_response`. Every client frame is validated against
google-genai's `LiveClientMessage` at teardown (`start_sim`). The simulator
plays no persona: the rig declares tools on TEXT setups for any model.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from expect import phase
from google.genai import types
from google.genai._live_converters import _FunctionResponse_to_vertex
from livesim import SIM_KEY, session_on
from polling import eventually

from gemini_live_tui.live import events as ev
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.models import lookup
from gemini_live_tui.live.session import SessionSettings
from gemini_live_tui.live.transport import AuthKind, Credential
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.tools import ToolCallCancelled, ToolCallFinished, ToolRunner, builtin_registry


class Rig:
    """Session + runner + an event pump, the way the app wires them: the runner
    answers in the shape the model catalog gives the model and backend."""

    def __init__(
        self,
        sim: LiveSimulator,
        workspace: Any,
        model: str = "models/gemini-3.8-live",
        kind: AuthKind = "api_key",
    ) -> None:
        self.sim = sim
        self.registry = builtin_registry(workspace)
        enabled = self.registry.default_enabled()
        spec = lookup(model)
        setup = Setup(
            model=model,
            response_modalities=("TEXT",),
            tools=tuple(self.registry.declarations(enabled, non_blocking=spec.non_blocking)),
        )
        self.session = session_on(
            sim.base_url,
            setup,
            credential=Credential(kind, SIM_KEY),
            settings=SessionSettings(backoff_base=0.01, backoff_cap=0.05),
        )
        self.reports: list[Any] = []
        self.runner = ToolRunner(
            self.registry,
            self.session.send_tool_response,
            self._deny,
            self.reports.append,
            enabled=enabled,
            non_blocking=spec.non_blocking,
            will_continue=spec.will_continue,
        )
        self.events = self.session.subscribe()
        self.phases = self.session.subscribe()
        self._pump: asyncio.Task[None] | None = None

    @staticmethod
    async def _deny(argv: list[str]) -> str:
        return "deny"

    async def start(self) -> None:
        await self.session.start()
        await phase(self.phases, ev.Phase.CONNECTED)
        self._pump = asyncio.create_task(self._run_pump())

    async def _run_pump(self) -> None:
        while True:
            event = await self.events.get()
            if isinstance(event, ev.ToolCall):
                self.runner.handle_call(event)
            elif isinstance(event, ev.ToolCallCancellation):
                self.runner.cancel(event.ids)

    async def close(self) -> None:
        await self.runner.aclose()
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
        await self.session.close()

    def responses(self, call_id: str) -> list[tuple[int, dict[str, Any]]]:
        """(connection number, functionResponse) for every response the server got for a call."""
        return [
            (r.connection, fr)
            for r in self.sim.received
            for fr in r.message.get("toolResponse", {}).get("functionResponses", [])
            if fr["id"] == call_id
        ]


StartSim = Callable[..., Awaitable[LiveSimulator]]


@pytest.fixture
async def rig_sim(start_sim: StartSim) -> LiveSimulator:
    return await start_sim(persona=None, audio_speed=50.0)


@pytest.fixture
async def rig(rig_sim: LiveSimulator, workspace) -> AsyncIterator[Rig]:
    rig = Rig(rig_sim, workspace)
    await rig.start()
    yield rig
    await rig.close()


async def test_a_simulated_tool_call_is_answered_through_the_session(rig: Rig) -> None:
    call_id = await rig.sim.call_tool("list_files", {})
    await rig.sim.wait_for(lambda: rig.responses(call_id))
    [(connection, response)] = rig.responses(call_id)
    assert connection == 1
    assert response["name"] == "list_files" and response["response"]["ok"] is True
    declared = rig.sim.setups()[0]["tools"]
    assert {"googleSearch": {}} in declared


async def test_a_call_in_flight_during_a_goaway_is_answered_before_the_connection_moves(
    rig: Rig,
) -> None:
    """The resumed session would not know the call: answer it first, then resume past it."""
    call_id = await rig.sim.call_tool("set_timer", {"seconds": 1.5, "label": "resume"})
    await rig.sim.wait_for(lambda: rig.responses(call_id))  # the "continuing" notice
    await rig.sim.send_goaway(5)
    await phase(rig.phases, ev.Phase.RECONNECTING, timeout=6)
    await phase(rig.phases, ev.Phase.CONNECTED)
    *notices, (last_conn, final) = rig.responses(call_id)
    assert [n[0] for n in notices] == [1] and notices[0][1].get("willContinue") is True
    assert final["response"]["result"]["label"] == "resume"
    assert last_conn == 1, "the final answer goes out on the connection that issued the call"
    # the resumed connection starts from a handle issued after the answer
    handle = rig.sim.setups()[1]["sessionResumption"]["handle"]
    assert call_id in rig.sim.sessions[handle].issued_calls
    assert not any(isinstance(r, ToolCallCancelled) for r in rig.reports)


async def test_a_call_that_outlives_its_connection_reaches_the_model_as_a_message(
    rig: Rig,
) -> None:
    call_id = await rig.sim.call_tool("set_timer", {"seconds": 0.8, "label": "carried"})
    await rig.sim.wait_for(lambda: rig.responses(call_id))  # the "continuing" notice
    await rig.sim.drop()
    await phase(rig.phases, ev.Phase.CONNECTED)

    def carried() -> list[str]:
        return [t for t in rig.sim.texts() if call_id in t]

    await rig.sim.wait_for(carried, timeout=5)
    assert "carried" in carried()[0], "the result itself, not only a notice"
    assert [connection for connection, _ in rig.responses(call_id)] == [1], "only the notice"
    assert any(isinstance(r, ToolCallFinished) and r.ok for r in rig.reports)


async def test_a_cancellation_from_the_server_stops_the_call(rig: Rig) -> None:
    call_id = await rig.sim.call_tool("set_timer", {"seconds": 30})
    await rig.sim.wait_for(lambda: rig.responses(call_id))
    await rig.sim.cancel_tool(call_id)
    await eventually(lambda: any(isinstance(r, ToolCallCancelled) for r in rig.reports), 3)
    assert rig.runner.running == ()
    assert [r.get("willContinue") for _, r in rig.responses(call_id)] == [True]


async def test_an_undeclared_tool_gets_an_error_not_silence(rig: Rig) -> None:
    call_id = await rig.sim.call_tool("google_search", {"q": "x"})  # the sim calls it anyway
    await rig.sim.wait_for(lambda: rig.responses(call_id))
    [(_, response)] = rig.responses(call_id)
    assert response["response"]["ok"] is False


@pytest.fixture
async def make_rig(rig_sim: LiveSimulator, workspace) -> AsyncIterator[Any]:
    """`await make_rig(model, kind)`: a started rig on the simulator."""
    made: list[Rig] = []

    async def make(model: str, kind: AuthKind = "api_key") -> Rig:
        rig = Rig(rig_sim, workspace, model, kind)
        made.append(rig)
        await rig.start()
        return rig

    yield make
    for rig in made:
        await rig.close()


async def test_a_blocking_model_gets_exactly_one_response_per_call(make_rig) -> None:
    """3.1 Flash Live takes synchronous calls only: a slow call is answered once,
    with its result (an interim "continuing" answer would become the result)."""
    rig = await make_rig("models/gemini-3.1-flash-live-preview")
    slow = await rig.sim.call_tool("set_timer", {"seconds": 0.6, "label": "tea"})
    quick = await rig.sim.call_tool("list_files", {})
    await rig.sim.wait_for(lambda: rig.responses(slow) and rig.responses(quick), timeout=5)
    await asyncio.sleep(0.3)  # nothing more arrives for either id
    [(_, answer)] = rig.responses(slow)
    assert answer["response"]["result"]["label"] == "tea"
    assert len(rig.responses(quick)) == 1
    assert "willContinue" not in answer and "scheduling" not in answer
    assert "behavior" not in str(rig.sim.setups()[0]["tools"])


async def test_vertex_never_gets_will_continue(make_rig) -> None:
    """Vertex AI refuses `willContinue` (google-genai: "not supported in … Agent
    Platform mode"): even a slow NON_BLOCKING call gets one scheduled answer."""
    rig = await make_rig(
        "projects/p/locations/us-central1/publishers/google/models/gemini-3.8-live", "vertex"
    )
    slow = await rig.sim.call_tool("set_timer", {"seconds": 0.6, "label": "tea"})
    await rig.sim.wait_for(lambda: rig.responses(slow), timeout=5)
    await asyncio.sleep(0.3)
    [(_, answer)] = rig.responses(slow)
    assert answer["scheduling"] == "WHEN_IDLE"
    frames = [r.message for r in rig.sim.received if "toolResponse" in r.message]
    assert frames and all("willContinue" not in str(frame) for frame in frames)
    for frame in frames:  # google-genai's own Vertex converter takes every response
        for response in frame["toolResponse"]["functionResponses"]:
            _FunctionResponse_to_vertex(types.FunctionResponse.model_validate(response))
