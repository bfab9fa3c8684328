"""2,000 streamed text fragments at 200 per second: key echo latency and memory.

The real app runs headless (Textual's pilot, which still lays out and
renders every frame) against the loopback simulator in its own process (so its CPU is not the app's).
The simulator pushes 2,000 `modelTurn` text fragments on an absolute 5 ms
schedule as one long reply, so the reply line grows to ~23,000 characters
(~26 new rows a second) while it streams. One key at a time goes in through
the driver, as from a terminal, 20 ms after the previous one was echoed; its
latency is the time from sending it to the first screen refresh after the
input's value changed (the echo is on screen). Memory is the process RSS
after each of three identical streams (the simulator's own message log is
cleared): flat means a stream leaves nothing behind but its text. The app
process's CPU time per stream (user + system, the simulator excluded) is a
steadier measure of the app's own work than latency on a shared machine.

    uv run python benchmarks/tui_stream.py
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import tempfile

import psutil
from key_echo import echo, simulator_app, until_connected

from gemini_live_tui.simulator.process import SimulatorProcess
from gemini_live_tui.tui.app import GeminiLiveApp

FRAGMENTS = 2000
RATE = 200.0
KEY_EVERY = 0.02


async def stream(sim: SimulatorProcess, app: GeminiLiveApp, pilot, latencies: list[float]) -> float:
    """One reply of FRAGMENTS fragments at RATE per second, keys typed meanwhile."""
    prompt = app.prompt
    done = asyncio.Event()

    async def typist() -> None:
        """One key at a time, each after the previous one was echoed."""
        while not done.is_set():
            latencies.append(await echo(app))
            await asyncio.sleep(KEY_EVERY)

    typing = asyncio.create_task(typist())
    loop = asyncio.get_running_loop()
    start = loop.time()
    await sim.ask(f"stream {FRAGMENTS} {RATE}")
    elapsed = loop.time() - start
    while app.chat.reply:
        await pilot.pause(0.01)
    done.set()
    await typing
    await pilot.pause(0.1)
    prompt.value = ""
    return elapsed


async def main() -> None:
    os.environ.setdefault("GEMINI_LIVE_STATE_DIR", tempfile.mkdtemp())
    process = psutil.Process()
    sim = SimulatorProcess()
    base_url = await sim.start()
    try:
        app = simulator_app(base_url)
        async with app.run_test(size=(100, 30)) as pilot:
            await until_connected(app, pilot)
            rss = []
            for run in range(3):
                latencies: list[float] = []
                cpu_before = sum(process.cpu_times()[:2])
                elapsed = await stream(sim, app, pilot, latencies)
                cpu = sum(process.cpu_times()[:2]) - cpu_before
                gc.collect()
                rss.append(process.memory_info().rss / 2**20)
                latencies.sort()
                p50 = statistics.median(latencies) * 1000
                p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
                print(
                    f"stream {run + 1}: {FRAGMENTS} fragments in {elapsed:.2f} s; "
                    f"{len(latencies)} keys echoed, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
                    f"max {latencies[-1] * 1000:.1f} ms; app CPU {cpu:.2f} s; RSS {rss[-1]:.1f} MiB; "
                    f"lagged {app.session.lagged if app.session else 0}"
                )
            print(f"RSS growth from stream 1 to 3: {rss[2] - rss[0]:+.1f} MiB")
            model_lines = [line for line in app.conversation.lines if line.role == "model"]
            print(
                f"conversation: {len(model_lines)} model lines, last {len(model_lines[-1].text)} chars"
            )
    finally:
        await sim.stop()


if __name__ == "__main__":
    asyncio.run(main())
