"""Loopback audio: 25 chunks/s of 40 ms 16 kHz audio to the simulator.

Measures latency from `send_audio` to the simulator's receipt and the
client's CPU seconds per second of audio. The simulator runs in its own
process (so its CPU and GIL are not the client's); both sides stamp with
CLOCK_MONOTONIC, which is system-wide on Linux. The same 25 Hz pacing loop
is also run without sending, to show how much of the client's CPU is the
wake-ups themselves (which a microphone thread does anyway).

Run: uv run python benchmarks/live_loopback_bench.py [--seconds 60]
Budget (issue 2): p99 < 5 ms; client CPU < 0.01 s per audio second.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import numpy as np

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession
from gemini_live_tui.live.transport import Credential, Endpoint
from gemini_live_tui.simulator.process import SimulatorProcess


async def paced(count: int, action: Callable[[], Awaitable[None]] | None) -> float:
    """Run `action` every 40 ms on an absolute schedule; returns this thread's CPU seconds."""
    cpu_start = time.thread_time()
    start = time.monotonic()
    for n in range(count):
        delay = start + n * 0.04 - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        if action is not None:
            await action()
    return time.thread_time() - cpu_start


async def bench(seconds: float) -> None:
    async with SimulatorProcess(api_key="bench") as simulator:
        endpoint = Endpoint.create(Credential("api_key", "bench"), base_url=await simulator.start())
        session = LiveSession(endpoint, Setup(model="models/bench", response_modalities=("TEXT",)))
        await session.start()
        await session.wait_connected(5)
        chunk = np.random.default_rng(0).normal(0, 30, 640).astype("<i2").tobytes()  # quiet
        count = int(seconds * 25)
        sent_at: list[float] = []

        async def send() -> None:
            sent_at.append(time.monotonic())
            await session.send_audio(chunk)

        cpu = await paced(count, send)
        await asyncio.sleep(0.5)
        received = await simulator.ask("audio-times")
        await session.close()
    floor = await paced(count, None)
    latency_ms = (np.array(received[:count]) - np.array(sent_at[: len(received)])) * 1000
    audio_seconds = count * 0.04
    print(f"chunks sent {count}, received {len(received)}")
    print(
        f"send_audio → simulator receipt: p50 {np.percentile(latency_ms, 50):.2f} ms, "
        f"p99 {np.percentile(latency_ms, 99):.2f} ms, max {latency_ms.max():.2f} ms (budget p99 < 5)"
    )
    print(f"client CPU: {cpu / audio_seconds:.4f} s per audio second (budget < 0.01)")
    print(
        f"  of which the 25 Hz pacing loop alone (same loop, no sends): "
        f"{floor / audio_seconds:.4f}; the session's share: {(cpu - floor) / audio_seconds:.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    asyncio.run(bench(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
