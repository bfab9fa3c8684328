"""The simulator's audio keeps real time: a client at audio_speed=1.0 must not run dry.

Model audio that arrives slower than it plays underruns any prebuffer, so
the simulator paces its 200 ms chunks against one deadline per turn (one
chunk ahead, as a server sends ahead) instead of sleeping after each.
"""

import asyncio
import time

from gemini_live_tui.live import events as ev
from gemini_live_tui.simulator import LiveSimulator


async def test_reply_audio_arrives_at_real_time_one_chunk_ahead(start_sim, make_session) -> None:
    sim: LiveSimulator = await start_sim(audio_speed=1.0, record=False)
    session = make_session(server=sim, modalities=("AUDIO",))
    events = session.subscribe()
    await session.start()
    await session.wait_connected(10)
    await session.send_text("pacing check")
    arrivals: list[tuple[float, float]] = []  # (arrival, audio seconds received before it)
    received = 0.0
    async with asyncio.timeout(60):
        async for event in events:
            if isinstance(event, ev.ModelAudio):
                arrivals.append((time.perf_counter(), received))
                received += len(event.pcm) / 2 / event.rate
            elif isinstance(event, ev.TurnComplete):
                break
    await session.close()
    assert received > 3.0, f"only {received:.1f} s of audio"
    t0 = arrivals[0][0]
    # Each chunk arrives before the audio in front of it has played out (no underrun
    # for a client that started playing at the first chunk) …
    late = [(t - t0) - before for t, before in arrivals]
    assert max(late) < 0.05, f"a chunk came {max(late) * 1000:.0f} ms after it was needed"
    # … and the stream as a whole runs at real time, not faster (one chunk in hand).
    last_t, last_before = arrivals[-1]
    assert last_t - t0 > last_before - 0.25, (last_t - t0, last_before)
