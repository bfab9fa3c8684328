"""Whole-app CPU with voice: the real app (headless pilot), the simulator, a private PulseAudio.

Run:  uv run python benchmarks/voice_app_bench.py            (about 50 s)
      uv run python benchmarks/voice_app_bench.py --seconds 20

Three phases of `--seconds` each (default 12), CPU of the whole process
(Textual, the session, the simulator in the same loop, PortAudio threads,
the capture worker) per second of wall time:

1. voice off (text chat idle) — the app's own floor;
2. /speak and /mic on, nobody talking — what leaving voice on costs;
3. /speak and /mic on while the model speaks (the simulator replies in audio
   at 1.5× real time, as a server sends ahead) — full duplex with the echo
   canceller working.

It also reports what the status bar showed and the engine's counters
(underruns, dropped chunks). Needs pulseaudio, pulseaudio-utils,
libportaudio2 and libasound2-plugins (as the audio pipeline benchmark).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from audio_pipeline_bench import start_pulse  # noqa: E402


async def measure(pilot, seconds: float, during=None) -> float:  # noqa: ANN001
    """Process CPU seconds per wall second over `seconds`, running `during()` meanwhile."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    task = asyncio.create_task(during()) if during else None
    await pilot.pause(seconds)
    if task:
        task.cancel()
    return (time.process_time() - cpu0) / (time.perf_counter() - wall0)


async def run(seconds: float) -> None:
    from gemini_live_tui.live.messages import Setup
    from gemini_live_tui.live.session import LiveSession
    from gemini_live_tui.live.transport import Credential, Endpoint
    from gemini_live_tui.media.audio_devices import reinitialise
    from gemini_live_tui.simulator import LiveSimulator
    from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp

    reinitialise()
    async with LiveSimulator(api_key="k", word_delay=0.0, audio_speed=1.5, record=False) as sim:

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
            engine = await app.voice.engine()
            while not (engine.mic_on and engine.speaker_on):
                await pilot.pause(0.05)
            await pilot.pause(1.0)
            on_quiet = await measure(pilot, seconds)
            bar = set()

            async def talk() -> None:
                turn = 0
                while True:
                    turn += 1
                    session = app.session
                    assert session is not None
                    await session.send_text(f"say something for turn {turn} of the benchmark")
                    await asyncio.sleep(4.5)
                    bar.add(app.status.mic)

            speaking = await measure(pilot, seconds, talk)
            status = engine.status()
    print(
        f"# voice app benchmark, {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.2f}"
    )
    print(f"voice off, idle:                {idle:.4f} s CPU per s")
    print(f"/speak + /mic on, quiet:        {on_quiet:.4f} s CPU per s")
    print(f"/speak + /mic on, model talks:  {speaking:.4f} s CPU per s")
    print(
        f"  underruns {status.underruns}, chunks sent {status.chunks_sent}, "
        f"dropped {status.chunks_dropped}, overruns {status.capture_overruns}; mic field {sorted(bar)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=12.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        daemon, helpers = start_pulse(Path(tmp))
        try:
            asyncio.run(run(args.seconds))
        finally:
            for proc in (*helpers, daemon):
                proc.terminate()
                proc.wait(5)


if __name__ == "__main__":
    main()
