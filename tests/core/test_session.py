"""The session against the loopback simulator: turns, tools, resumption, faults."""

from __future__ import annotations

import asyncio

import numpy as np
from expect import collect_until, next_of, phase, start_connected

from gemini_live_tui.live import events as ev
from gemini_live_tui.live.messages import FunctionResponse
from gemini_live_tui.live.session import SessionSettings
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.simulator.voice import synthesize_words

TIMER_TOOL = {
    "functionDeclarations": [
        {
            "name": "set_timer",
            "description": "Start a timer.",
            "parameters": {"type": "OBJECT", "properties": {"seconds": {"type": "NUMBER"}}},
        }
    ]
}


def reply_text(events: list[ev.Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, ev.ModelText | ev.OutputTranscription))


async def test_text_turn_streams_a_reply(sim: LiveSimulator, make_session) -> None:
    session = make_session()
    sub = session.subscribe()
    await session.start()
    await session.send_text("hello")
    events = await collect_until(sub, ev.TurnComplete)
    assert 'You said: "hello"' in reply_text(events)
    assert session.phase.phase is ev.Phase.CONNECTED
    assert sim.texts() == ["hello"]
    usage = await next_of(sub, ev.Usage)
    assert usage.total_tokens > 0


async def test_audio_turn_is_heard_and_answered_with_24k_speech(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session(modalities=("AUDIO",))
    sub = session.subscribe()
    await session.start()
    speech = synthesize_words(["one", "two", "three"], rate=16000)
    silence = bytes(16000 * 2)  # 1 s, enough for the simulator's end of speech
    pcm = speech + silence
    for start in range(0, len(pcm), 1280):
        await session.send_audio(pcm[start : start + 1280], 16000)
    heard = await next_of(sub, ev.InputTranscription)
    assert "16000 Hz" in heard.text
    events = await collect_until(sub, ev.TurnComplete)
    audio = [e for e in events if isinstance(e, ev.ModelAudio)]
    assert audio and all(a.rate == 24000 for a in audio)
    samples = np.frombuffer(b"".join(a.pcm for a in audio), "<i2")
    assert np.abs(samples).max() > 1000, "the reply is a real waveform, not silence"
    assert "heard" in reply_text(events)
    assert len(sim.audio_pcm()) == len(pcm)


async def test_tool_call_round_trip(sim: LiveSimulator, make_session) -> None:
    session = make_session(tools=(TIMER_TOOL,))
    sub = session.subscribe()
    await session.start()
    await phase(sub, ev.Phase.CONNECTED)
    await sim.call_tool("set_timer", {"seconds": 30})
    call = (await next_of(sub, ev.ToolCall)).calls[0]
    assert (call.name, call.args) == ("set_timer", {"seconds": 30})
    await session.send_tool_response(
        [FunctionResponse(call.id, call.name, {"ok": True, "result": "set"})]
    )
    events = await collect_until(sub, ev.TurnComplete)
    assert "The tool set_timer returned" in reply_text(events)
    assert sim.tool_responses()[0]["id"] == call.id


async def test_goaway_resumes_with_latest_handle_and_delivers_text_sent_in_the_gap(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    sub = session.subscribe()
    await session.start()
    await session.send_text("first")
    await collect_until(sub, ev.TurnComplete)
    handle = (await next_of(sub, ev.ResumptionUpdate)).handle
    assert session.resumption_handle == handle

    await sim.send_goaway(30)
    await next_of(sub, ev.GoAway)
    await session.send_text("sent during the gap")  # queued while reconnecting
    reconnecting = await phase(sub, ev.Phase.RECONNECTING)
    assert reconnecting.attempt == 1
    await phase(sub, ev.Phase.CONNECTED)
    events = await collect_until(sub, ev.TurnComplete)
    assert "sent during the gap" in reply_text(events)

    assert sim.setups()[1]["sessionResumption"] == {"handle": handle}
    on_second = [r.message for r in sim.received if r.connection == 2]
    assert "setup" in on_second[0], "nothing is sent before the setup"
    assert sim.texts() == ["first", "sent during the gap"]
    assert "(turn 2)" in reply_text(events), "the resumed session kept its history"


async def test_abrupt_drop_mid_reply_resumes_and_replays_the_unanswered_text(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    sub = session.subscribe()
    await session.start()
    await session.send_text("warm up")
    await collect_until(sub, ev.TurnComplete)
    await session.send_text("please drop now")  # the simulator drops mid-reply
    await phase(sub, ev.Phase.RECONNECTING)
    await phase(sub, ev.Phase.CONNECTED)
    events = await collect_until(sub, ev.TurnComplete)
    assert 'You said: "please drop now"' in reply_text(events)
    assert sim.texts() == ["warm up", "please drop now", "please drop now"]
    assert sim.setups()[1]["sessionResumption"]["handle"].startswith("sim-")
    assert session.stats.replayed == 1


async def test_bad_key_is_final_with_the_servers_reason(sim: LiveSimulator, make_session) -> None:
    session = make_session(key="wrong-key")
    sub = session.subscribe()
    await session.start()
    closed = await phase(sub, ev.Phase.CLOSED)
    assert closed.final
    assert "API key not valid" in (closed.reason or "") and "1008" in (closed.reason or "")
    await asyncio.sleep(0.2)
    assert len(sim.connections) == 1, "no retry loop after an auth error"


async def test_http_401_at_handshake_is_final(sim: LiveSimulator, make_session) -> None:
    sim.http_reject_status = 401
    session = make_session()
    sub = session.subscribe()
    await session.start()
    closed = await phase(sub, ev.Phase.CLOSED)
    assert closed.final and "401" in (closed.reason or "")


async def test_invalid_argument_1007_is_final(sim: LiveSimulator, make_session) -> None:
    sim.close_next_setups.append((1007, "Request contains an invalid argument."))
    session = make_session()
    sub = session.subscribe()
    await session.start()
    closed = await phase(sub, ev.Phase.CLOSED)
    assert closed.final and "invalid argument" in (closed.reason or "")


async def test_stale_handle_starts_fresh_and_says_context_was_lost(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    sub = session.subscribe()
    await session.start()
    await session.send_text("remember me")
    await collect_until(sub, ev.TurnComplete)
    sim.forget_handles()
    await sim.drop()
    lost = await next_of(sub, ev.ContextLost)
    assert "started fresh" in lost.reason
    await phase(sub, ev.Phase.CONNECTED)
    assert "handle" in sim.setups()[1]["sessionResumption"]
    assert "handle" not in sim.setups()[2]["sessionResumption"]
    await session.send_text("after")
    events = await collect_until(sub, ev.TurnComplete)
    assert "(turn 1)" in reply_text(events), "a fresh session"


async def test_internal_error_1011_is_retried(sim: LiveSimulator, make_session) -> None:
    session = make_session()
    sub = await start_connected(session)
    await sim.close_with(1011, "Internal error encountered.")
    reconnecting = await phase(sub, ev.Phase.RECONNECTING)
    assert "1011" in (reconnecting.reason or "")
    await phase(sub, ev.Phase.CONNECTED)


async def test_gives_up_after_bounded_attempts_and_reconnect_tries_again(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session(
        settings=SessionSettings(max_attempts=3, backoff_base=0.01, backoff_cap=0.02)
    )
    sub = session.subscribe()
    sim.http_reject_status = 503
    await session.start()
    closed = await phase(sub, ev.Phase.CLOSED)
    assert not closed.final and "gave up after 3 attempts" in (closed.reason or "")
    assert len(sim.connections) == 0
    sim.http_reject_status = None
    await session.reconnect()
    await phase(sub, ev.Phase.CONNECTED)


async def test_backoff_first_retry_immediate_then_exponential_capped() -> None:
    # A port with nothing listening: every attempt fails at once.
    import socket
    import time

    from gemini_live_tui.live.messages import Setup
    from gemini_live_tui.live.session import LiveSession
    from gemini_live_tui.live.transport import Credential, Endpoint

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = SessionSettings(max_attempts=5, backoff_base=0.2, backoff_cap=0.4)
    session = LiveSession(
        Endpoint.create(Credential("api_key", "k"), base_url=f"ws://127.0.0.1:{port}"),
        Setup(model="m"),
        settings,
    )
    sub = session.subscribe()
    await session.start()
    times: list[tuple[int, float]] = []
    start = time.monotonic()
    async with asyncio.timeout(5):
        async for event in sub:
            if isinstance(event, ev.PhaseChanged):
                times.append((event.attempt, time.monotonic() - start))
                if event.phase is ev.Phase.CLOSED:
                    break
    await session.close()
    gaps = {attempt: t for attempt, t in times}
    # Gaps include the failed attempt itself (a refused connect): allow 0.1 s for it.
    assert gaps[1] - gaps[0] < 0.1, "first retry is immediate"
    assert 0.1 <= gaps[2] - gaps[1] <= 0.3  # base 0.2 with jitter 50-100 %
    assert 0.2 <= gaps[4] - gaps[3] <= 0.5  # 0.8 capped at 0.4
    assert 0.2 <= gaps[5] - gaps[4] <= 0.5, "capped"


async def test_slow_subscriber_lags_without_blocking_the_others(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    slow = session.subscribe(maxsize=3)  # never read until the end
    fast = session.subscribe()
    await session.start()
    for n in range(3):
        await session.send_text(f"turn {n}")
        await collect_until(fast, ev.TurnComplete)
    assert slow.lagged > 10
    assert slow.pending() == 3
    assert session.lagged >= slow.lagged


async def test_nothing_is_sent_before_setup_complete(sim: LiveSimulator, make_session) -> None:
    session = make_session()
    await session.send_text("typed before connecting")
    await session.start()
    await sim.wait_for(lambda: sim.texts())
    first, second = sim.received[0].message, sim.received[1].message
    assert "setup" in first and second == {"realtimeInput": {"text": "typed before connecting"}}


async def test_stale_realtime_media_is_dropped_and_counted_but_text_is_kept(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session(settings=SessionSettings(media_max_age=0.2))
    await session.send_audio(b"\x00\x00" * 640)
    await session.send_video(b"\xff\xd8")
    await session.send_text("keep me")
    await asyncio.sleep(0.3)
    await session.send_audio(b"\x01\x00" * 640)  # fresh: goes out
    await session.start()
    await sim.wait_for(lambda: len(sim.realtime("audio")) == 1 and sim.texts())
    assert session.stats.media_dropped == 2
    assert sim.texts() == ["keep me"]
    assert sim.realtime("video") == []


async def test_malformed_server_frame_is_reported_and_the_session_goes_on(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    sub = await start_connected(session)
    await sim.send_raw(b"\x00not json")
    error = await next_of(sub, ev.SessionError)
    assert "not JSON" in error.message
    await session.send_text("still there?")
    events = await collect_until(sub, ev.TurnComplete)
    assert "still there?" in reply_text(events)
    assert session.stats.protocol_errors == 1


async def test_goaway_during_a_reply_lets_the_reply_finish_first(
    sim: LiveSimulator, make_session
) -> None:
    sim.word_delay = 0.01
    session = make_session()
    sub = session.subscribe()
    await session.start()
    await session.send_text("a long answer please")
    await next_of(sub, ev.ModelText)
    await sim.send_goaway(10)
    events = await collect_until(sub, ev.PhaseChanged)
    assert any(isinstance(e, ev.TurnComplete) for e in events), "reply finished before reconnecting"
    await phase(sub, ev.Phase.CONNECTED)
