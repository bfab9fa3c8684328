"""Delivery that keeps its word: what counts as delivered across lost connections.

A text counts as delivered only when the model's answer to it began and a
resumable handle came after that; a text whose answer is cut by a lost
connection three times is given up and said so; tool results never go to a
connection that did not issue the call.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from expect import collect_until, next_of, phase, start_connected
from livesim import SIM_KEY as KEY
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from gemini_live_tui.live import events as ev
from gemini_live_tui.live.messages import FunctionResponse
from gemini_live_tui.live.session import SessionSettings
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.simulator.server import SimConnection

TIMER_TOOL = {
    "functionDeclarations": [
        {
            "name": "set_timer",
            "description": "Start a timer.",
            "parameters": {"type": "OBJECT", "properties": {"seconds": {"type": "NUMBER"}}},
        }
    ]
}


URL = "{}/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"


def reply_text(events: list[ev.Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, ev.ModelText | ev.OutputTranscription))


class HandleBeforeTheText(LiveSimulator):
    """Issues a handle for the state *before* a text it has not read yet, then drops.

    The service may send a resumable update at any time; one issued just
    before it read a text already on the wire does not contain that text.
    """

    lose = "read me after the handle"

    async def _on_realtime(self, connection: SimConnection, body: dict[str, Any]) -> None:
        if body.get("text") == self.lose and not getattr(self, "fired", False):
            self.fired = True
            await self._issue_handle(connection)
            await asyncio.sleep(0.05)
            await self.drop()
            return
        await super()._on_realtime(connection, body)


async def test_a_handle_issued_before_the_server_read_a_text_does_not_lose_it(
    start_sim, make_session
) -> None:
    server = await start_sim(HandleBeforeTheText)
    session = make_session(server=server)
    sub = await start_connected(session)
    await session.send_text(HandleBeforeTheText.lose)
    await phase(sub, ev.Phase.RECONNECTING)
    await phase(sub, ev.Phase.CONNECTED)
    events = await collect_until(sub, ev.TurnComplete)
    assert f'You said: "{HandleBeforeTheText.lose}"' in reply_text(events)
    assert server.texts() == [HandleBeforeTheText.lose] * 2, "sent again after the resume"


async def test_a_text_that_cuts_its_answer_three_times_is_given_up_and_later_lines_answered(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    sub = await start_connected(session)
    await session.send_text("warm up")
    await collect_until(sub, ev.TurnComplete)
    sim.hold_setups()  # the reconnect will be slow, to type in
    await session.send_text("poison pill")  # the simulator drops mid-reply, every time
    await phase(sub, ev.Phase.RECONNECTING)
    await session.send_text("first after")  # typed during the reconnect
    await session.send_text("second after")
    sim.hold_setups(False)
    seen: list[ev.Event] = []
    async with asyncio.timeout(10):
        while not (
            'You said: "second after"' in reply_text(seen)
            and any(isinstance(e, ev.NotDelivered) for e in seen)
        ):
            seen.append(await sub.get())
    [gave_up] = [e for e in seen if isinstance(e, ev.NotDelivered)]
    assert gave_up == ev.NotDelivered("poison pill", 3)
    assert 'You said: "first after"' in reply_text(seen)
    assert sim.texts().count("poison pill") == 3
    assert sim.texts().count("first after") == sim.texts().count("second after") == 1
    assert len(sim.setups()) == 4, "bounded: three cut connections, then one that works"
    assert session.phase.phase is ev.Phase.CONNECTED


async def test_replayed_turns_go_one_answer_at_a_time(sim: LiveSimulator, make_session) -> None:
    sim.word_delay = 0.005
    session = make_session()
    sub = await start_connected(session)
    sim.hold_setups()
    await session.send_text("please drop now")
    await phase(sub, ev.Phase.RECONNECTING)
    await session.send_text("then this")
    sim.hold_setups(False)
    await phase(sub, ev.Phase.CONNECTED)
    events = await collect_until(sub, ev.TurnComplete)
    events += await collect_until(sub, ev.TurnComplete)
    text = reply_text(events)
    assert 'You said: "please drop now"' in text and 'You said: "then this"' in text
    second = [r for r in sim.received if r.connection == 2 and "realtimeInput" in r.message]
    replies = [m for n, m in sim.sent if n == 2 and "turnComplete" in m.get("serverContent", {})]
    assert len(second) == 2 and replies
    assert second[1].at > second[0].at  # the second turn waited for the first answer


async def test_a_drop_while_a_call_runs_carries_the_result_as_text(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session(tools=(TIMER_TOOL,))
    sub = await start_connected(session)
    call_id = await sim.call_tool("set_timer", {"seconds": 5})
    call = await next_of(sub, ev.ToolCall)
    assert call.calls[0].id == call_id
    await sim.drop()
    await phase(sub, ev.Phase.RECONNECTING)
    await phase(sub, ev.Phase.CONNECTED)
    await session.send_tool_response(
        [FunctionResponse(call_id, "set_timer", {"ok": True, "result": "rang"})]
    )
    carried = await next_of(sub, ev.ToolResultCarried)
    assert carried == ev.ToolResultCarried(("set_timer",), (call_id,))
    events = await collect_until(sub, ev.TurnComplete)
    assert "rang" in reply_text(events), "the model got the result as a message"
    assert sim.tool_responses() == [], "no response for an id the new connection never issued"
    assert session.phase.phase is ev.Phase.CONNECTED


async def test_a_goaway_while_a_call_runs_waits_for_the_answer_and_a_handle(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session(tools=(TIMER_TOOL,))
    sub = await start_connected(session)
    call_id = await sim.call_tool("set_timer", {"seconds": 1})
    await next_of(sub, ev.ToolCall)
    await sim.send_goaway(4)
    await next_of(sub, ev.GoAway)
    await asyncio.sleep(0.3)
    assert session.phase.phase is ev.Phase.CONNECTED, "kept while the call is unanswered"
    await session.send_tool_response([FunctionResponse(call_id, "set_timer", {"ok": True})])
    await phase(sub, ev.Phase.RECONNECTING)
    await phase(sub, ev.Phase.CONNECTED)
    [answer] = [r for r in sim.received if "toolResponse" in r.message]
    assert answer.connection == 1
    handle = sim.setups()[1]["sessionResumption"]["handle"]
    assert call_id in sim.sessions[handle].issued_calls, "resumed from after the answer"


async def test_1008_aborted_after_a_goaway_resumes(sim: LiveSimulator, make_session) -> None:
    sim.word_delay = 0.02
    session = make_session()
    sub = await start_connected(session)
    await session.send_text("a long answer please")
    await next_of(sub, ev.ModelText)
    await sim.send_message({"goAway": {"timeLeft": "10s"}})  # the reply holds the connection
    await next_of(sub, ev.GoAway)
    await sim.close_with(1008, "The operation was aborted.")
    closed_or_back = await next_of(sub, ev.PhaseChanged)
    assert closed_or_back.phase is ev.Phase.RECONNECTING, closed_or_back
    await phase(sub, ev.Phase.CONNECTED)
    await session.send_text("still here")
    events = await collect_until(sub, ev.TurnComplete)
    assert 'You said: "still here"' in reply_text(events)


async def test_1008_without_a_goaway_stays_final(sim: LiveSimulator, make_session) -> None:
    session = make_session()
    sub = await start_connected(session)
    await sim.close_with(1008, "The operation was aborted.")
    closed = await phase(sub, ev.Phase.CLOSED)
    assert closed.final


async def test_overstaying_a_goaway_is_closed_with_1008_aborted(sim: LiveSimulator) -> None:
    """The simulator's side: a client still there at the GoAway deadline is closed."""
    async with connect(URL.format(sim.base_url), additional_headers={"x-goog-api-key": KEY}) as ws:
        await ws.send(json.dumps({"setup": {"model": "models/m"}}))
        await ws.recv()  # setupComplete
        await sim.send_goaway(0.1)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ws.recv()
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        1008,
        "The operation was aborted.",
    )


async def test_resuming_from_a_handle_before_a_call_forgets_the_call(
    sim: LiveSimulator, make_session
) -> None:
    """The simulator's side: updates say resumable false while the call runs, and a
    response for the forgotten id is refused with 1007 (a guess, see the server)."""
    session = make_session(tools=(TIMER_TOOL,))
    sub = await start_connected(session)
    handle = session.resumption_handle
    call_id = await sim.call_tool("set_timer", {"seconds": 30})
    await next_of(sub, ev.ToolCall)
    update = await next_of(sub, ev.ResumptionUpdate)
    assert update.resumable is False and not update.handle
    assert session.resumption_handle == handle
    await session.close()

    url = (
        sim.base_url
        + "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
    )
    async with connect(url, additional_headers={"x-goog-api-key": KEY}) as ws:
        setup = {
            "model": "models/m",
            "sessionResumption": {"handle": handle},
            "tools": [TIMER_TOOL],
        }
        await ws.send(json.dumps({"setup": setup}))
        await ws.recv()  # setupComplete
        resumed = sim.current
        assert resumed is not None and resumed.session is not None
        assert resumed.session.pending_tools == {}, "the call made after the handle is gone"
        answer = {"id": call_id, "name": "set_timer", "response": {"ok": True}}
        await ws.send(json.dumps({"toolResponse": {"functionResponses": [answer]}}))
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1007


async def test_a_tool_response_goes_ahead_of_turns_waiting_for_the_answer_that_called_it(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session(tools=(TIMER_TOOL,))
    sub = await start_connected(session)
    sim.hold_setups()
    await sim.drop()
    await phase(sub, ev.Phase.RECONNECTING)
    await session.send_text('tool set_timer {"seconds": 1}')  # typed during the gap
    await session.send_text("and then this")
    sim.hold_setups(False)
    call = await next_of(sub, ev.ToolCall)
    await session.send_tool_response([FunctionResponse(call.calls[0].id, "set_timer", {"ok": 1})])
    events = await collect_until(sub, ev.TurnComplete, timeout=3)
    events += await collect_until(sub, ev.TurnComplete, timeout=3)
    assert "The tool set_timer returned" in reply_text(events)
    assert 'You said: "and then this"' in reply_text(events)


class Mute(LiveSimulator):
    """Never answers "first"."""

    def _start_reply(self, connection: SimConnection, text: str, spoken: bool = False) -> None:
        if text != "first":
            super()._start_reply(connection, text, spoken)


async def test_a_replayed_turn_never_answered_holds_the_next_only_a_while(
    start_sim, make_session
) -> None:
    server = await start_sim(Mute)
    settings = SessionSettings(backoff_base=0.01, replay_answer_timeout=0.3)
    session = make_session(server=server, settings=settings)
    sub = await start_connected(session)
    server.hold_setups()
    await server.drop()
    await phase(sub, ev.Phase.RECONNECTING)
    await session.send_text("first")
    await session.send_text("second")
    server.hold_setups(False)
    await server.wait_for(lambda: "first" in server.texts())
    await asyncio.sleep(0.15)
    assert "second" not in server.texts(), "waits for the answer to the first"
    events = await collect_until(sub, ev.TurnComplete, timeout=3)
    assert 'You said: "second"' in reply_text(events)
