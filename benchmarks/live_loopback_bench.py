"""Loopback audio: 25 chunks/s of 40 ms 16 kHz audio to the simulator.

Measures latency from `send_audio` to the simulator's receipt and the
client's CPU seconds per second of audio. The simulator runs in its own
process (so its CPU and GIL are not the client's); both sides stamp with
CLOCK_MONOTONIC, which is system-wide on Linux, and the simulator reports
its receipt times when asked on stdin.

Run: uv run python benchmarks/live_loopback_bench.py [--seconds 60]
Budget (issue 2): p99 < 5 ms; client CPU < 0.01 s per audio second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import numpy as np

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession
from gemini_live_tui.live.transport import Credential, Endpoint

SIMULATOR = """
import asyncio, json, sys
from gemini_live_tui.simulator import LiveSimulator

async def main():
    async with LiveSimulator(api_key="bench") as sim:
        print(sim.base_url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        times = [r.at for r in sim.received if "audio" in r.message.get("realtimeInput", {})]
        print(json.dumps(times), flush=True)

asyncio.run(main())
"""


async def bench(seconds: float) -> None:
    simulator = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        SIMULATOR,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert simulator.stdout and simulator.stdin
    base_url = (await simulator.stdout.readline()).decode().strip()
    endpoint = Endpoint.create(Credential("api_key", "bench"), base_url=base_url)
    session = LiveSession(endpoint, Setup(model="models/bench", response_modalities=("TEXT",)))
    await session.start()
    await session.wait_connected(5)
    rng = np.random.default_rng(0)
    chunk = (rng.normal(0, 30, 640)).astype("<i2").tobytes()  # quiet: the simulator stays silent
    count = int(seconds * 25)
    sent_at: list[float] = []
    cpu_start = time.thread_time()
    start = time.monotonic()
    for n in range(count):
        delay = start + n * 0.04 - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        sent_at.append(time.monotonic())
        await session.send_audio(chunk)
    cpu = time.thread_time() - cpu_start
    await asyncio.sleep(0.5)
    simulator.stdin.write(b"dump\n")
    await simulator.stdin.drain()
    received = json.loads(await simulator.stdout.readline())
    await session.close()
    await simulator.wait()
    floor = await pacing_floor(count)
    latency_ms = (np.array(received[:count]) - np.array(sent_at[: len(received)])) * 1000
    print(f"chunks sent {count}, received {len(received)}")
    print(
        f"send_audio → simulator receipt: p50 {np.percentile(latency_ms, 50):.2f} ms, "
        f"p99 {np.percentile(latency_ms, 99):.2f} ms, max {latency_ms.max():.2f} ms (budget p99 < 5)"
    )
    audio_seconds = count * 0.04
    print(f"client CPU: {cpu / audio_seconds:.4f} s per audio second (budget < 0.01)")
    print(
        f"  of which the benchmark's own 25 Hz pacing loop (same loop, no sends): "
        f"{floor / audio_seconds:.4f}; the session's share: {(cpu - floor) / audio_seconds:.4f}"
    )


async def pacing_floor(count: int) -> float:
    """CPU of the pacing loop alone: the wake-ups a microphone thread would do anyway."""
    cpu_start = time.thread_time()
    start = time.monotonic()
    for n in range(count):
        delay = start + n * 0.04 - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    return time.thread_time() - cpu_start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    asyncio.run(bench(parser.parse_args().seconds))


if __name__ == "__main__":
    main()
