"""The session against servers that misbehave: backoff, poison messages, bad frames, video.

Each test would fail without the fix it is named after: a reconnect loop
that never backs off, a message that cannot be encoded replayed after every
reconnect, a decoder error that kills the reader, a re-queued send that
loses its place, video frames piling up behind a reconnect.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from expect import collect_until, next_of, phase, start_connected
from google.auth.exceptions import RefreshError

from gemini_live_tui.live import events as ev
from gemini_live_tui.live.session import SessionSettings
from gemini_live_tui.live.transport import Credential
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.simulator.server import SimConnection


class ClosesAfterSetup(LiveSimulator):
    """Accepts every setup, then closes 1011 (as a quota error can), after `hold` s."""

    hold = 0.0

    async def _on_setup(self, connection: SimConnection, setup: dict[str, Any]) -> None:
        await super()._on_setup(connection, setup)
        if self.hold:
            await asyncio.sleep(self.hold)
        await connection.ws.close(1011, "Resource has been exhausted (e.g. check quota).")


class GoAwayAfterSetup(LiveSimulator):
    """Sends GoAway right after the first setupComplete only."""

    async def _on_setup(self, connection: SimConnection, setup: dict[str, Any]) -> None:
        await super()._on_setup(connection, setup)
        if connection.number == 1:
            await connection.send({"goAway": {"timeLeft": "5s"}})


def phases(events: list[ev.Event]) -> list[ev.PhaseChanged]:
    return [e for e in events if isinstance(e, ev.PhaseChanged)]


# ----- 1. backoff once setup has succeeded ---------------------------------------


async def test_setup_complete_then_1011_backs_off_and_gives_up(start_sim, make_session) -> None:
    server = await start_sim(ClosesAfterSetup)
    settings = SessionSettings(max_attempts=4, backoff_base=0.05, backoff_cap=0.1)
    session = make_session(server=server, settings=settings)
    sub = session.subscribe()
    started = time.monotonic()
    await session.start()
    closed = await phase(sub, ev.Phase.CLOSED)
    elapsed = time.monotonic() - started
    assert not closed.final
    assert "gave up after 4 attempts" in (closed.reason or "")
    assert "exhausted" in (closed.reason or "") and "1011" in (closed.reason or ""), closed.reason
    assert len(server.connections) == 5, "the first connection and 4 retries, then it stops"
    # Retries 2..4 back off: 0.05, 0.1, 0.1 s, each with jitter of 50-100 %.
    assert elapsed >= 0.12
    await asyncio.sleep(0.3)
    assert len(server.connections) == 5, "no reconnect after giving up"


async def test_a_connection_that_stayed_up_resets_the_attempt_counter(
    start_sim, make_session
) -> None:
    server = await start_sim(ClosesAfterSetup)
    server.hold = 0.3  # up longer than stable_after
    settings = SessionSettings(
        max_attempts=1, backoff_base=0.01, backoff_cap=0.02, stable_after=0.15
    )
    session = make_session(server=server, settings=settings)
    sub = session.subscribe()
    await session.start()
    for _ in range(4):
        reconnecting = await phase(sub, ev.Phase.RECONNECTING)
        assert reconnecting.attempt == 1, "each proven connection starts the count again"
    assert session.phase.phase is not ev.Phase.CLOSED


async def test_a_connection_where_the_model_answered_resets_the_attempt_counter(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session(settings=SessionSettings(max_attempts=1, backoff_base=0.01))
    sub = session.subscribe()
    await session.start()
    for n in range(3):
        await session.send_text(f"question {n}")
        await collect_until(sub, ev.TurnComplete)
        await sim.close_with(1011, "Internal error encountered.")
        reconnecting = await phase(sub, ev.Phase.RECONNECTING)
        assert reconnecting.attempt == 1
        await phase(sub, ev.Phase.CONNECTED)
    assert len(sim.connections) == 4


async def test_goaway_right_after_setup_reconnects_at_once_and_is_not_a_failure(
    start_sim, make_session
) -> None:
    server = await start_sim(GoAwayAfterSetup)
    # A backoff this long would show: the GoAway reconnect must not wait for it.
    settings = SessionSettings(max_attempts=1, backoff_base=3.0, backoff_cap=3.0)
    session = make_session(server=server, settings=settings)
    sub = session.subscribe()
    await session.start()
    await phase(sub, ev.Phase.CONNECTED)
    await next_of(sub, ev.GoAway)
    started = time.monotonic()
    reconnecting = await phase(sub, ev.Phase.RECONNECTING)
    assert reconnecting.attempt == 1
    assert "GoAway" in (reconnecting.reason or "")
    await phase(sub, ev.Phase.CONNECTED, timeout=1.0)
    assert time.monotonic() - started < 1.0
    await session.send_text("hello after goaway")
    events = await collect_until(sub, ev.TurnComplete)
    assert any(isinstance(e, ev.ModelText) for e in events)


# ----- 2. a message that cannot be encoded ----------------------------------------


@pytest.mark.parametrize("when", ["queued before setup", "sent while connected"])
async def test_a_lone_surrogate_is_dropped_alone_and_what_follows_arrives(
    sim: LiveSimulator, make_session, when: str
) -> None:
    session = make_session()
    sub = session.subscribe()
    if when == "sent while connected":
        await session.start()
        await phase(sub, ev.Phase.CONNECTED)
    await session.send_text("caf\udce9")  # how a non-UTF-8 file name comes out of iterdir
    await session.send_text("ok")
    if when == "queued before setup":
        await session.start()
    error = await next_of(sub, ev.SessionError)
    assert "\\udce9" in error.message and "not valid Unicode" in error.message
    await sim.wait_for(lambda: sim.texts())
    await collect_until(sub, ev.TurnComplete)
    assert sim.texts() == ["ok"]
    assert session.stats.send_errors == 1
    assert len(sim.connections) == 1 and session.stats.reconnects == 0, "no reconnect"
    assert session.phase.phase is ev.Phase.CONNECTED


async def test_a_setup_that_cannot_be_encoded_is_final_before_any_connection(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session(system_instruction="Read caf\udce9.txt")
    sub = session.subscribe()
    await session.start()
    closed = await phase(sub, ev.Phase.CLOSED)
    assert closed.final
    assert "could not send the setup" in (closed.reason or "")
    assert "not valid Unicode" in (closed.reason or "")
    assert sim.connections == []


# ----- 3. nothing kills the connection loop ----------------------------------------


async def test_an_overflowing_number_is_a_protocol_error_and_the_session_goes_on(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    sub = await start_connected(session)
    await sim.send_raw('{"usageMetadata":{"totalTokenCount":1e400}}')
    error = await next_of(sub, ev.SessionError)
    assert "malformed" in error.message
    await session.send_text("still there?")
    events = await collect_until(sub, ev.TurnComplete)
    assert any(isinstance(e, ev.ModelText) for e in events)
    assert session.phase.phase is ev.Phase.CONNECTED
    assert session.stats.protocol_errors == 1


async def test_a_failing_token_refresh_is_a_failed_attempt_with_its_reason(
    sim: LiveSimulator, make_session
) -> None:
    calls = 0

    async def refresh() -> str:
        nonlocal calls
        calls += 1
        raise RefreshError("Reauthentication is needed. Please run `gcloud auth login`.")

    session = make_session(
        credential=Credential("vertex", "", refresh=refresh),
        settings=SessionSettings(max_attempts=2, backoff_base=0.01),
    )
    sub = session.subscribe()
    await session.start()
    reconnecting = await phase(sub, ev.Phase.RECONNECTING)
    assert "Reauthentication is needed" in (reconnecting.reason or "")
    closed = await phase(sub, ev.Phase.CLOSED)
    assert "gave up after 2 attempts" in (closed.reason or "")
    assert "could not get a credential" in (closed.reason or "")
    assert calls == 3
    assert len(sim.connections) == 0


# ----- 4. a failed fast-path send keeps its place -------------------------------------


async def test_a_send_that_fails_in_flight_goes_before_what_was_queued_meanwhile(
    sim: LiveSimulator, make_session
) -> None:
    # The session leaves the connection (/reconnect) while the server does not
    # read, so the close handshake hangs for close_timeout. A text sent in that
    # moment takes the fast path and waits for the closing socket, then fails;
    # a text typed after the reader left is queued. The first was sent first,
    # so after the reconnect it must still go first.
    session = make_session()
    sub = await start_connected(session)
    connection = sim.current
    assert connection is not None
    connection.ws.transport.pause_reading()
    asyncio.create_task(session.reconnect())
    await asyncio.sleep(0.05)  # the client's close frame is out; the server will not read it
    in_flight = asyncio.create_task(session.send_text("sent first"))
    await asyncio.sleep(0.05)
    await sim.send_message({"usageMetadata": {"totalTokenCount": 1}})  # wakes the reader
    await next_of(sub, ev.Usage)
    await asyncio.sleep(0.05)  # the reader has left the connection
    assert not in_flight.done(), "the first send is waiting on the closing socket"
    await session.send_text("typed meanwhile")
    await in_flight
    connection.ws.transport.resume_reading()  # let the old server side see the close
    await sim.wait_for(lambda: len(sim.texts()) == 2, timeout=10)
    on_second = [r.message for r in sim.received if r.connection == 2]
    assert "setup" in on_second[0]
    assert sim.texts() == ["sent first", "typed meanwhile"]


# ----- 5. at most one video frame waits --------------------------------------------


async def test_only_the_newest_video_frame_goes_out_after_a_reconnect_gap(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    sub = await start_connected(session)
    sim.stall()  # the next setupComplete waits: a reconnect gap
    await sim.drop()
    await phase(sub, ev.Phase.RECONNECTING)
    await session.send_video(b"\xff\xd8frame-1")
    await session.send_text("what do you see?")
    for n in range(2, 6):
        await session.send_video(b"\xff\xd8frame-%d" % n)
        await asyncio.sleep(0.02)
    sim.stall(False)
    await phase(sub, ev.Phase.CONNECTED)
    await sim.wait_for(lambda: sim.texts())
    await asyncio.sleep(0.1)
    assert sim.video_frames() == [b"\xff\xd8frame-5"]
    assert session.stats.media_dropped == 4
    order = [
        next(iter(r.message.get("realtimeInput", r.message)))
        for r in sim.received
        if r.connection == 2
    ]
    assert order == ["setup", "video", "text"], "the newest frame took the waiting one's place"
