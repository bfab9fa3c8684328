"""Key-echo latency in the TUI while sharing a real X screen at 1 frame/s.

The real app runs headless (Textual's pilot, which still lays out and renders
every frame) against the loopback simulator in the same process, sharing
monitor m1 of its own Xvfb (1920×1080, painted with a desktop-like image)
through `/share-screen m1 1`. Every tick is captured, downscaled to 1280×720
and JPEG-encoded (`skip_unchanged=False`: the cost of a screen that changes
every second). One key at a time goes in through the driver, as from a
terminal, 20 ms after the previous one was echoed; its latency is the time
from sending it to the first screen refresh after the input's value changed.
A run without sharing comes first, for comparison.

    uv run python benchmarks/screen_key_echo.py            # ~45 s
    uv run python benchmarks/screen_key_echo.py --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from key_echo import echo, simulator_app, until_connected  # noqa: E402

from gemini_live_tui.simulator import LiveSimulator  # noqa: E402
from gemini_live_tui.tui.app import GeminiLiveApp  # noqa: E402
from tests.xvfb_support import Painter, XvfbServer, desktop_like_image  # noqa: E402

KEY_EVERY = 0.02


async def type_for(app: GeminiLiveApp, seconds: float) -> list[float]:
    """Type one key at a time for `seconds`; the echo latency of each, in seconds."""
    prompt = app.prompt
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    end = loop.time() + seconds
    while loop.time() < end:
        if len(prompt.value) > 200:
            prompt.value = ""
            await asyncio.sleep(0.05)
        latencies.append(await echo(app))
        await asyncio.sleep(KEY_EVERY)
    return latencies


def summary(name: str, latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000
    return (
        f"{name}: {len(ordered)} keys, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms"
    )


async def main(seconds: float) -> None:
    os.environ["GEMINI_LIVE_STATE_DIR"] = tempfile.mkdtemp()
    os.environ["GEMINI_LIVE_CONFIG_DIR"] = tempfile.mkdtemp()
    server = XvfbServer.start(1920, 1080)
    os.environ["DISPLAY"] = server.name
    painter = Painter(server.name)
    painter.image(desktop_like_image())
    process = psutil.Process()
    try:
        async with LiveSimulator(api_key="k", word_delay=0.0, record=False) as sim:
            app = simulator_app(sim.base_url)
            app.feature_set.screen.skip_unchanged = False
            async with app.run_test(size=(100, 30)) as pilot:
                await until_connected(app, pilot)
                await pilot.pause(0.5)
                baseline = await type_for(app, min(10.0, seconds / 3))
                print(summary("not sharing", baseline))

                app.prompt.value = "/share-screen m1 1"
                await pilot.press("enter")
                while sim.counts.get("video", 0) < 1:
                    await pilot.pause(0.05)
                cpu_before = process.cpu_times()
                wall_before = time.perf_counter()
                frames_before = sim.counts.get("video", 0)
                sharing = await type_for(app, seconds)
                cpu = sum(process.cpu_times()[:2]) - sum(cpu_before[:2])
                wall = time.perf_counter() - wall_before
                frames = sim.counts.get("video", 0) - frames_before
                print(summary("sharing m1 at 1 frame/s", sharing))
                print(
                    f"frames sent meanwhile: {frames} in {wall:.1f} s; "
                    f"process CPU {100 * cpu / wall:.0f} % of one core; "
                    f"status: {app.status.screen}"
                )
                await app.feature_set.screen.stop()
    finally:
        painter.close()
        server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="typing time while sharing")
    asyncio.run(main(parser.parse_args().seconds))
