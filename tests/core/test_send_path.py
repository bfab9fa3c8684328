"""The send path: an awaited `send` writes at once when nothing waits,
`send_nowait` queues for the writer task.

These tests hold both to the session's guarantees on a real socket: order,
nothing before setupComplete, backpressure respected, unencodable messages
dropped alone.
"""

from __future__ import annotations

import asyncio
import base64

import pytest
from expect import collect_until, next_of, start_connected

from gemini_live_tui.live import events as ev
from gemini_live_tui.live.errors import SessionClosed
from gemini_live_tui.live.messages import RealtimeText, RealtimeVideo
from gemini_live_tui.simulator import LiveSimulator


def arrivals(sim: LiveSimulator) -> list[str]:
    """What the simulator received after the setup, as short labels in arrival order."""
    labels = []
    for received in sim.received:
        realtime = received.message.get("realtimeInput", {})
        if "text" in realtime:
            labels.append(realtime["text"])
        elif "audio" in realtime:
            labels.append("audio")
        elif "video" in realtime:
            labels.append("video")
    return labels


async def test_send_nowait_waits_for_setup_complete_and_keeps_order_with_send(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    session.send_nowait(RealtimeText("one"))
    await session.send_text("two")
    session.send_audio_nowait(b"\x01\x00" * 640)
    session.send_nowait(RealtimeText("three"))
    assert sim.received == []
    await session.start()
    await sim.wait_for(lambda: len(arrivals(sim)) == 4)
    assert "setup" in sim.received[0].message
    assert arrivals(sim) == ["one", "two", "audio", "three"]

    # Connected: the direct path, mixed with awaited sends, still in call order.
    for n in range(5):
        session.send_audio_nowait(bytes([n, 0]) * 640)
        await session.send_text(f"t{n}")
    await sim.wait_for(lambda: len(arrivals(sim)) == 14)
    assert arrivals(sim)[4:] == ["audio", "t0", "audio", "t1", "audio", "t2", "audio", "t3"] + [
        "audio",
        "t4",
    ]
    assert session.stats.messages_sent == 14


async def test_under_backpressure_sends_queue_in_order_until_the_socket_drains(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    await start_connected(session)
    ws = session._ws
    ws.pause_writing()  # as the transport does when its buffer passes the high-water mark
    blocked = asyncio.create_task(session.send_text("first"))
    await asyncio.sleep(0.05)
    assert not blocked.done(), "an awaited send must wait for the socket to drain"
    session.send_audio_nowait(b"\x02\x00" * 640)
    session.send_nowait(RealtimeText("second"))
    await asyncio.sleep(0.1)
    # ws.send writes, then waits for the drain: "first" is out, and so is at
    # most the one frame the writer task is waiting on; the rest waits.
    assert arrivals(sim) in (["first"], ["first", "audio"])
    assert session.stats.messages_sent == 0  # both still wait for the drain
    ws.resume_writing()
    await blocked
    await sim.wait_for(lambda: len(arrivals(sim)) == 3)
    assert arrivals(sim) == ["first", "audio", "second"]


async def test_send_nowait_drops_an_unencodable_message_alone_and_refuses_after_close(
    sim: LiveSimulator, make_session
) -> None:
    session = make_session()
    sub = await start_connected(session)
    session.send_nowait(RealtimeText("bad \udcff name"))
    error = await next_of(sub, ev.SessionError)
    assert "not valid Unicode" in error.message
    session.send_nowait(RealtimeText("still here?"))
    events = await collect_until(sub, ev.TurnComplete)
    assert any(isinstance(e, ev.ModelText) for e in events)
    assert session.stats.send_errors == 1 and sim.texts() == ["still here?"]
    await session.close()
    with pytest.raises(SessionClosed):
        session.send_audio_nowait(b"\x00\x00" * 640)


async def test_send_nowait_keeps_one_waiting_video_frame_and_drops_stale_audio(
    sim: LiveSimulator, make_session
) -> None:
    from gemini_live_tui.live.session import SessionSettings

    session = make_session(settings=SessionSettings(media_max_age=0.2))
    session.send_audio_nowait(b"\x00\x00" * 640)  # stale by the time we connect
    await asyncio.sleep(0.3)
    session.send_nowait(RealtimeVideo(b"\xff\xd8old"))
    session.send_nowait(RealtimeText("what do you see?"))
    session.send_nowait(RealtimeVideo(b"\xff\xd8new"))  # replaces the waiting frame
    await session.start()
    await sim.wait_for(lambda: len(arrivals(sim)) == 2)
    await asyncio.sleep(0.1)
    assert arrivals(sim) == ["video", "what do you see?"]
    assert session.stats.media_dropped == 2


async def test_audio_queued_past_its_limit_drops_the_oldest_and_keeps_the_signals(
    sim: LiveSimulator, make_session
) -> None:
    from gemini_live_tui.live.messages import ActivityEnd, ActivityStart
    from gemini_live_tui.live.session import SessionSettings

    session = make_session(settings=SessionSettings(max_queued_audio=2))
    session.send_nowait(ActivityStart())
    for n in range(5):  # the network is not there yet: audio piles up
        session.send_audio_nowait(bytes([n, 0]) * 640)
    session.send_nowait(ActivityEnd())
    session.send_nowait(RealtimeText("and?"))
    await session.start()
    await sim.wait_for(lambda: "and?" in arrivals(sim))
    sent = [r.message["realtimeInput"] for r in sim.received if "realtimeInput" in r.message]
    kinds = [next(iter(m)) for m in sent]
    assert kinds == ["activityStart", "audio", "audio", "activityEnd", "text"]
    kept = [base64.b64decode(m["audio"]["data"])[0] for m in sent if "audio" in m]
    assert kept == [3, 4], "the newest chunks are kept"
    assert session.stats.media_dropped == 3
