"""Whole-app CPU with voice: the real app (headless pilot), the simulator, a private PulseAudio.

Run:  uv run python benchmarks/voice_app_bench.py            (about 50 s)
      uv run python benchmarks/voice_app_bench.py --seconds 20
      uv run python benchmarks/voice_app_bench.py --audio-speed 1.0 --talk-seconds 300
          (the 5-minute duplex run with the simulator at real time: underruns)

Three phases of `--seconds` each (default 12), CPU of the whole process
(Textual, the session, the simulator in the same loop, PortAudio threads,
the capture worker) per second of wall time:

1. voice off (text chat idle) — the app's own floor;
2. /speak and /mic on, nobody talking — what leaving voice on costs;
3. /speak and /mic on while the model speaks (`--talk-seconds`, default
   `--seconds`; the simulator replies in audio at `--audio-speed` × real
   time, default 1.5; at 1.0 it still keeps one 200 ms chunk ahead) — full
   duplex with the echo canceller working. A new turn starts when the
   speaker has played the last one out.

It also reports what the status bar showed and the engine's counters
(underruns, dropped chunks). Needs pulseaudio, pulseaudio-utils,
libportaudio2 and libasound2-plugins (as the audio pipeline benchmark).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from audio_pipeline_bench import private_pulse  # noqa: E402


async def measure(pilot, seconds: float, during=None) -> float:  # noqa: ANN001
    """Process CPU seconds per wall second over `seconds`, running `during()` meanwhile."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    task = asyncio.create_task(during()) if during else None
    await pilot.pause(seconds)
    if task:
        task.cancel()
    return (time.process_time() - cpu0) / (time.perf_counter() - wall0)


async def run(seconds: float, talk_seconds: float, audio_speed: float) -> None:
    from gemini_live_tui.live.messages import Setup
    from gemini_live_tui.live.session import LiveSession
    from gemini_live_tui.live.transport import Credential, Endpoint
    from gemini_live_tui.media.audio.devices import reinitialise
    from gemini_live_tui.simulator import LiveSimulator
    from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp

    reinitialise()
    async with LiveSimulator(
        api_key="k", word_delay=0.0, audio_speed=audio_speed, record=False
    ) as sim:

        async def factory(setup: Setup) -> LiveSession:
            endpoint = Endpoint.create(Credential("api_key", "k"), base_url=sim.base_url)
            return LiveSession(endpoint, setup)

        setup = Setup(model="models/gemini-3.1-flash-live-preview", response_modalities=("AUDIO",))
        app = GeminiLiveApp(
            AppOptions(label="bench", setup=setup, session_factory=factory, persist_history=False)
        )
        async with app.run_test(size=(110, 30)) as pilot:
            while not app.chat.resumable:
                await pilot.pause(0.05)
            await pilot.pause(1.0)
            idle = await measure(pilot, seconds)
            for command in ("/speak", "/mic"):
                app.prompt.value = command
                await pilot.press("enter")
            engine = await app.feature_set.voice.engine()
            while not (engine.mic_on and engine.speaker_on):
                await pilot.pause(0.05)
            await pilot.pause(1.0)
            on_quiet = await measure(pilot, seconds)
            bar = set()
            play_lat: list[float] = []
            first_lat: list[float] = []
            turns = [0]
            before = engine.status()

            async def talk() -> None:
                while True:
                    turns[0] += 1
                    session = app.session
                    assert session is not None
                    await session.send_text(f"say something for turn {turns[0]} of the benchmark")
                    await asyncio.sleep(1.5)
                    while engine.status().buffered_ms > 0:
                        await asyncio.sleep(0.1)
                    bar.add(app.status.mic)
                    latencies = engine.playback_latencies()
                    play_lat.extend(latencies)
                    first_lat.extend(latencies[:1])
                    engine._speaker.arrivals.clear()  # noqa: SLF001 - measured per turn
                    await asyncio.sleep(0.5)

            speaking = await measure(pilot, talk_seconds, talk)
            status = engine.status()
            mic = np.array(engine.mic_latencies) * 1000
            play = np.array(play_lat) * 1000
            first = np.array(first_lat) * 1000
    print(
        f"# voice app benchmark, {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.2f}"
    )
    print(f"voice off, idle:                {idle:.4f} s CPU per s")
    print(f"/speak + /mic on, quiet:        {on_quiet:.4f} s CPU per s")
    print(
        f"/speak + /mic on, model talks:  {speaking:.4f} s CPU per s "
        f"({talk_seconds:.0f} s, {turns[0]} turns, audio at {audio_speed}x real time)"
    )
    print(
        f"  underruns {status.underruns - before.underruns} while talking "
        f"({status.underruns} in all), chunks sent {status.chunks_sent}, "
        f"dropped {status.chunks_dropped}, overruns {status.capture_overruns}; mic field {sorted(bar)}"
    )
    if play.size:
        print(
            f"  wire→speaker (ModelAudio handled → first sample in the callback) ms, first chunk "
            f"of each turn: p50 {np.percentile(first, 50):.1f}, p99 {np.percentile(first, 99):.1f}, "
            f"max {first.max():.1f} (n={first.size}); every chunk (includes waiting behind audio "
            f"sent ahead): p50 {np.percentile(play, 50):.1f}, p99 {np.percentile(play, 99):.1f}"
        )
    if mic.size:
        print(f"  mic→wire ms: p50 {np.percentile(mic, 50):.1f}, p99 {np.percentile(mic, 99):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--talk-seconds", type=float, default=None)
    parser.add_argument("--audio-speed", type=float, default=1.5)
    args = parser.parse_args()
    with private_pulse():
        asyncio.run(run(args.seconds, args.talk_seconds or args.seconds, args.audio_speed))


if __name__ == "__main__":
    main()
