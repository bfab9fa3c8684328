"""Connecting: timeouts, keepalive, GoAway deadlines, endpoints and credentials, end to end.

Against the simulator (and, for the handshake timeout, a TCP listener that
never answers): what the user sees is the phase and its reason, and what the
server sees is the path, the header and the order of messages.
"""

from __future__ import annotations

import asyncio
import time

from expect import collect_until, next_of, phase, start_connected
from livesim import SIM_KEY as KEY

from gemini_live_tui.live import events as ev
from gemini_live_tui.live.session import SessionSettings
from gemini_live_tui.live.transport import Credential, Endpoint
from gemini_live_tui.simulator import LiveSimulator

FAST = dict(backoff_base=0.01, backoff_cap=0.02)


def reply_text(events: list[ev.Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, ev.ModelText))


# ----- timeouts --------------------------------------------------------------


async def test_connect_timeout_says_so_and_backs_off_to_giving_up(make_session) -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def never_answer(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # accept the TCP connection, never answer the HTTP upgrade

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        settings = SessionSettings(
            connect_timeout=0.2, max_attempts=2, backoff_base=0.2, backoff_cap=0.2
        )
        silent = Endpoint.create(Credential("api_key", KEY), base_url=f"ws://127.0.0.1:{port}")
        session = make_session(settings=settings, endpoint=silent)
        sub = session.subscribe()
        started = time.monotonic()
        await session.start()
        reconnecting = await phase(sub, ev.Phase.RECONNECTING)
        assert reconnecting.reason == "no connection within 0.2 s"
        closed = await phase(sub, ev.Phase.CLOSED)
        elapsed = time.monotonic() - started
        assert "gave up after 2 attempts: no connection within 0.2 s" in (closed.reason or "")
        assert not closed.final
        assert len(accepted) == 3
        # three 0.2 s timeouts, one backoff of 0.1-0.2 s before the third attempt
        assert 0.65 <= elapsed < 2.0
    finally:
        for writer in accepted:
            writer.close()
        server.close()


async def test_setup_timeout_says_so_and_the_retry_connects(
    sim: LiveSimulator, make_session
) -> None:
    sim.stall()  # the setup arrives, setupComplete never leaves
    session = make_session(settings=SessionSettings(setup_timeout=0.3, **FAST))
    sub = session.subscribe()
    await session.start()
    reconnecting = await phase(sub, ev.Phase.RECONNECTING)
    assert reconnecting.reason == "no setupComplete within 0.3 s"
    assert reconnecting.attempt == 1
    assert len(sim.setups()) >= 1
    sim.stall(False)
    await phase(sub, ev.Phase.CONNECTED)
    await session.send_text("hello")
    assert 'You said: "hello"' in reply_text(await collect_until(sub, ev.TurnComplete))


# ----- keepalive ---------------------------------------------------------------


async def test_a_slow_pong_never_kills_the_session(sim: LiveSimulator, make_session) -> None:
    # Ping often; the server stops reading, so no pong comes back. With a ping
    # timeout (websockets' default is 20 s) the client would close 1011.
    session = make_session(settings=SessionSettings(ping_interval=0.1, **FAST))
    sub = session.subscribe()
    await session.start()
    await phase(sub, ev.Phase.CONNECTED)
    ws = session._ws
    assert ws is not None
    assert ws.ping_interval == 0.1 and ws.ping_timeout is None, "pings, but no ping timeout"
    connection = sim.current
    assert connection is not None
    connection.ws.transport.pause_reading()
    # Thirty unanswered pings. (A ping timeout of 0.3 s would fail the
    # connection at 0.4 s, and the session would see it once the close
    # handshake timed out, 2 s later: this sleep covers both.)
    await asyncio.sleep(3.0)
    assert session.phase.phase is ev.Phase.CONNECTED
    assert len(sim.connections) == 1
    seen = [sub.get_nowait() for _ in range(sub.pending())]
    assert not any(isinstance(e, ev.PhaseChanged) for e in seen), seen
    connection.ws.transport.resume_reading()
    await session.send_text("still here")
    assert "still here" in reply_text(await collect_until(sub, ev.TurnComplete))


async def test_the_default_settings_have_no_ping_timeout() -> None:
    settings = SessionSettings()
    assert settings.ping_timeout is None
    assert settings.ping_interval is not None


# ----- GoAway: reconnect before timeLeft runs out ----------------------------------


async def test_goaway_during_a_reply_that_outlasts_time_left_reconnects_before_the_deadline(
    sim: LiveSimulator, make_session
) -> None:
    sim.word_delay = 0.05  # "long" streams ~100 words: 5 s, longer than timeLeft
    session = make_session()
    sub = session.subscribe()
    await session.start()
    await session.send_text("a long answer please")
    await next_of(sub, ev.ModelText)
    await sim.send_goaway(2.0)
    await next_of(sub, ev.GoAway)
    sent_at = time.monotonic()
    await phase(sub, ev.Phase.RECONNECTING)
    assert time.monotonic() - sent_at < 1.5, "left at timeLeft - goaway_margin (1 s)"
    await phase(sub, ev.Phase.CONNECTED)
    assert time.monotonic() - sent_at < 2.0, "connected again before the old one is cut"
    assert sim.setups()[1]["sessionResumption"]["handle"].startswith("sim-")


async def test_goaway_then_silence_mid_turn_still_reconnects_before_the_deadline(
    sim: LiveSimulator, make_session
) -> None:
    sim.word_delay = 0.05
    session = make_session()
    sub = session.subscribe()
    await session.start()
    await session.send_text("a long answer please")
    await next_of(sub, ev.ModelText)
    await sim.send_goaway(1.5)
    await next_of(sub, ev.GoAway)
    sent_at = time.monotonic()
    sim.stall()  # the turn never ends and nothing more arrives
    await phase(sub, ev.Phase.RECONNECTING)
    assert time.monotonic() - sent_at < 1.0
    async with asyncio.timeout(1.0):  # polled: a stalled simulator does not notify
        while len(sim.setups()) < 2:
            await asyncio.sleep(0.01)
    assert time.monotonic() - sent_at < 1.5, "the new connection's setup went out in time"
    sim.stall(False)
    await phase(sub, ev.Phase.CONNECTED)


# ----- what the simulator sends, in order --------------------------------------------


async def test_a_turn_ends_generation_turn_usage_then_handle(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    sub = await start_connected(session)
    await next_of(sub, ev.ResumptionUpdate)  # the first handle, right after setup
    await session.send_text("hello")
    events = await collect_until(sub, ev.ResumptionUpdate)
    tail = [
        type(e)
        for e in events
        if isinstance(e, ev.GenerationComplete | ev.TurnComplete | ev.Usage | ev.ResumptionUpdate)
    ]
    assert tail == [ev.GenerationComplete, ev.TurnComplete, ev.Usage, ev.ResumptionUpdate]
    assert session.resumption_handle == events[-1].handle  # type: ignore[union-attr]


# ----- endpoints and credentials --------------------------------------------------


async def test_a_wrong_path_is_refused_with_404_and_no_retry(
    sim: LiveSimulator, make_session
) -> None:
    wrong = Endpoint(f"{sim.base_url}/ws/not.the.live.api", Credential("api_key", KEY))
    session = make_session(endpoint=wrong)
    sub = session.subscribe()
    await session.start()
    closed = await phase(sub, ev.Phase.CLOSED)
    assert closed.final
    assert "HTTP 404" in (closed.reason or "") and "no such endpoint" in (closed.reason or "")
    await asyncio.sleep(0.2)
    assert sim.connections == [], "refused at the handshake, never retried"


async def test_an_ephemeral_token_session_end_to_end(sim: LiveSimulator, make_session) -> None:
    session = make_session(credential=Credential("ephemeral", KEY))
    sub = session.subscribe()
    await session.start()
    await session.send_text("hello with a token")
    assert "hello with a token" in reply_text(await collect_until(sub, ev.TurnComplete))
    request = sim.connections[0].ws.request
    assert request.path == (
        "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained"
    )
    assert request.headers["Authorization"] == f"Token {KEY}"
    assert "x-goog-api-key" not in request.headers
    assert KEY not in request.path


async def test_an_ephemeral_token_the_server_refuses_is_final(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session(credential=Credential("ephemeral", "expired-token"))
    sub = session.subscribe()
    await session.start()
    closed = await phase(sub, ev.Phase.CLOSED)
    assert closed.final and "1008" in (closed.reason or "")


async def test_a_vertex_bearer_session_end_to_end(sim: LiveSimulator, make_session) -> None:
    session = make_session(credential=Credential("vertex", KEY))
    sub = session.subscribe()
    await session.start()
    await session.send_text("hello vertex")
    assert "hello vertex" in reply_text(await collect_until(sub, ev.TurnComplete))
    request = sim.connections[0].ws.request
    assert request.path == "/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert "x-goog-api-key" not in request.headers


async def test_vertex_token_refresh_runs_before_every_connection(start_sim, make_session) -> None:
    server = await start_sim(api_key=None)  # any non-empty token: we check which one came
    tokens: list[str] = []

    async def refresh() -> str:  # what google-auth's ADC refresh does, counted
        tokens.append(f"adc-token-{len(tokens) + 1}")
        return tokens[-1]

    session = make_session(
        server=server, credential=Credential("vertex", "", refresh=refresh), settings=None
    )
    sub = session.subscribe()
    await session.start()
    await phase(sub, ev.Phase.CONNECTED)
    await server.drop()
    await phase(sub, ev.Phase.CONNECTED)
    await server.send_goaway(10)
    await phase(sub, ev.Phase.RECONNECTING)
    await phase(sub, ev.Phase.CONNECTED)
    assert tokens == ["adc-token-1", "adc-token-2", "adc-token-3"]
    sent = [c.ws.request.headers["Authorization"] for c in server.connections]
    assert sent == [f"Bearer {token}" for token in tokens]
