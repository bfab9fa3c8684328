"""Loopback audio: 25 chunks/s of 40 ms 16 kHz audio to the simulator.

Measures latency from `send_audio` to the simulator's receipt and the
client's CPU seconds per second of audio. The simulator runs in its own
process (so its CPU and GIL are not the client's); both sides stamp with
CLOCK_MONOTONIC, which is system-wide on Linux.

Chunks reach the session the way the app delivers microphone audio
(`media/audio/engine.py`): a capture thread wakes every 40 ms (here
`time.sleep` on an absolute schedule stands in for PortAudio and the
capture worker), hands the chunk to the event loop with
`call_soon_threadsafe`, the loop puts it on an `asyncio.Queue`, and a sender
task awaits `session.send_audio`. Client CPU is `time.process_time()` of the
whole client process (both threads; the simulator is another process).

The same delivery is also run without the session (the sender task takes
the chunk and drops it), to show how much of the CPU is the wake-ups and
the hand-off themselves, which the microphone path performs anyway.

`--delivery callback` is the shorter path the session now offers: the
loop callback that receives the chunk calls `session.send_audio_nowait`
directly (no queue, no sender task). `--delivery sleep` is the older variant: one coroutine paced by
`asyncio.sleep` that awaits `send_audio` itself (no thread, no queue).
`--loop uvloop` runs it all on uvloop (if installed: `uv run --with uvloop`).

Run: uv run python benchmarks/live_loopback_bench.py [--seconds 60]
Budget (docs/performance.md): p99 < 5 ms; client CPU < 0.01 s per audio second.
"""

from __future__ import annotations

import argparse
import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

import numpy as np

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession
from gemini_live_tui.live.transport import Credential, Endpoint
from gemini_live_tui.simulator.process import SimulatorProcess

CHUNK_S = 0.04

Send = Callable[[bytes], Awaitable[None]] | None


def start_capture(
    count: int, chunk: bytes, on_chunk: Callable[[bytes], object], on_end: Callable[[], object]
) -> threading.Thread:
    """Start a capture-like thread: every 40 ms it calls `on_chunk(chunk)` on the loop, then `on_end()`.

    It stands in for PortAudio's callback and the capture worker, which hand
    each chunk to the event loop with `call_soon_threadsafe`.
    """
    loop = asyncio.get_running_loop()

    def capture() -> None:
        start = time.monotonic()
        for n in range(count):
            delay = start + n * CHUNK_S - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            loop.call_soon_threadsafe(on_chunk, chunk)
        loop.call_soon_threadsafe(on_end)

    thread = threading.Thread(target=capture, name="capture-stand-in", daemon=True)
    thread.start()
    return thread


async def paced_by_thread(count: int, chunk: bytes, send: Send) -> float:
    """A capture-like thread hands a chunk to the loop every 40 ms; returns process CPU s."""
    queue: asyncio.Queue[bytes | None] = asyncio.Queue()
    cpu_start = time.process_time()
    thread = start_capture(count, chunk, queue.put_nowait, lambda: queue.put_nowait(None))
    while (item := await queue.get()) is not None:
        if send is not None:
            await send(item)
    cpu = time.process_time() - cpu_start
    thread.join()
    return cpu


async def paced_by_callback(
    count: int, chunk: bytes, send: Callable[[bytes], None] | None
) -> float:
    """A capture-like thread whose loop callback sends at once; returns process CPU s."""
    done = asyncio.get_running_loop().create_future()
    on_loop = send if send is not None else (lambda pcm: None)
    cpu_start = time.process_time()
    thread = start_capture(count, chunk, on_loop, lambda: done.set_result(None))
    await done
    await asyncio.sleep(0.01)  # let the last send finish
    cpu = time.process_time() - cpu_start
    thread.join()
    return cpu


async def paced_by_sleep(count: int, chunk: bytes, send: Send) -> float:
    """One coroutine paced by asyncio.sleep awaits each send; returns process CPU s."""
    cpu_start = time.process_time()
    start = time.monotonic()
    for n in range(count):
        delay = start + n * CHUNK_S - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if send is not None:
            await send(chunk)
    return time.process_time() - cpu_start


async def bench(seconds: float, delivery: str) -> None:
    paced = {"thread": paced_by_thread, "callback": paced_by_callback, "sleep": paced_by_sleep}[
        delivery
    ]
    async with SimulatorProcess(api_key="bench") as simulator:
        endpoint = Endpoint.create(Credential("api_key", "bench"), base_url=await simulator.start())
        session = LiveSession(endpoint, Setup(model="models/bench", response_modalities=("TEXT",)))
        await session.start()
        await session.wait_connected(5)
        chunk = np.random.default_rng(0).normal(0, 30, 640).astype("<i2").tobytes()  # quiet
        count = int(seconds / CHUNK_S)
        sent_at: list[float] = []

        async def send(pcm: bytes) -> None:
            sent_at.append(time.monotonic())
            await session.send_audio(pcm)

        def send_nowait(pcm: bytes) -> None:
            sent_at.append(time.monotonic())
            session.send_audio_nowait(pcm)

        cpu = await paced(count, chunk, send_nowait if delivery == "callback" else send)
        await asyncio.sleep(0.5)
        received = await simulator.ask("audio-times")
        await session.close()
    floor = await paced(count, chunk, None)
    latency_ms = (np.array(received[:count]) - np.array(sent_at[: len(received)])) * 1000
    audio_seconds = count * CHUNK_S
    print(f"delivery {delivery}, loop {type(asyncio.get_running_loop()).__module__}")
    print(f"chunks sent {count}, received {len(received)}")
    print(
        f"send_audio → simulator receipt: p50 {np.percentile(latency_ms, 50):.2f} ms, "
        f"p99 {np.percentile(latency_ms, 99):.2f} ms, max {latency_ms.max():.2f} ms (budget p99 < 5)"
    )
    print(f"client CPU: {cpu / audio_seconds:.4f} s per audio second (budget < 0.01)")
    print(
        f"  of which the 25 Hz delivery alone (same path, no session): "
        f"{floor / audio_seconds:.4f}; the session's share: {(cpu - floor) / audio_seconds:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--delivery", choices=("thread", "callback", "sleep"), default="thread")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    if args.loop == "uvloop":
        import uvloop  # not a dependency: `uv run --with uvloop ...`

        uvloop.run(bench(args.seconds, args.delivery))
    else:
        asyncio.run(bench(args.seconds, args.delivery))


if __name__ == "__main__":
    main()
