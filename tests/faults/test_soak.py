"""Soak: a long session with everything flowing, GoAway every 20 s.

Ten minutes by default (`GEMINI_LIVE_SOAK_MINUTES=60` for the long run):
mic-rate audio up (25 chunks of 40 ms per second), the model's 24 kHz speech
down in real time (each typed turn gets a spoken reply of about 3.8 s, so the
model talks about three quarters of the time), a screen frame every second,
a typed turn every 5 s, and a GoAway every 20 s so the session resumes about
30 times. The simulator runs in its own process so its memory is not
counted. Afterwards the app's resident memory has grown by at most 20 MB,
both from the start and from the first minute, every typed line reached the
server, and every turn's reply is in the app's conversation.
"""

from __future__ import annotations

import asyncio
import gc
import io
import os
import time

import numpy as np
import psutil
import pytest
from apptest import texts, type_line, until
from livesim import SIM_KEY, session_factory
from PIL import Image

from gemini_live_tui.live.events import Phase
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import SessionSettings
from gemini_live_tui.simulator.process import SimulatorProcess
from gemini_live_tui.tui import state as st
from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp

MINUTES = float(os.environ.get("GEMINI_LIVE_SOAK_MINUTES", "10"))
GOAWAY_EVERY = 20.0
MAX_GROWTH_MB = 20.0


def frame_jpeg(number: int) -> bytes:
    image = Image.new("RGB", (320, 180), ((number * 37) % 256, 80, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=75)
    return out.getvalue()


def rss_mb() -> float:
    gc.collect()
    return psutil.Process().memory_info().rss / 1e6


@pytest.mark.slow
@pytest.mark.timeout(int(MINUTES * 60) + 180)
async def test_soak_session_memory_flat_and_nothing_lost(isolated_dirs):
    simulator = SimulatorProcess(api_key=SIM_KEY, audio_speed=1.0)  # speech in real time
    base_url = await simulator.start()
    factory = session_factory(base_url, settings=SessionSettings(backoff_base=0.05))

    app = GeminiLiveApp(
        AppOptions(
            label="soak",
            setup=Setup(
                model="models/gemini-3.1-flash-live-preview", response_modalities=("AUDIO",)
            ),
            session_factory=factory,
            cwd=isolated_dirs["cwd"],
            home=isolated_dirs["cwd"].parent,
        )
    )
    typed: list[str] = []
    heard = [0.0]  # seconds of model audio that reached the app's speaker hook
    noise = np.random.default_rng(0).normal(0, 20, 640).astype("<i2").tobytes()  # below the VAD
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.chat.phase is Phase.CONNECTED, 10)
            speaker = app.feature_set.voice.on_effect  # no device: it plays nothing

            def count_model_audio(effect: st.Effect) -> None:
                if isinstance(effect, st.PlayAudio):
                    heard[0] += len(effect.pcm) / 2 / effect.rate
                speaker(effect)

            app.feature_set.voice.on_effect = count_model_audio  # type: ignore[method-assign]
            start = time.monotonic()
            duration = MINUTES * 60
            start_rss = rss_mb()
            baseline: float | None = None
            next_text, next_frame, next_goaway = 2.0, 0.0, GOAWAY_EVERY
            tick = 0
            while (elapsed := time.monotonic() - start) < duration:
                assert app.session is not None
                await app.session.send_audio(noise)
                if elapsed >= next_frame:
                    await app.session.send_video(frame_jpeg(tick))
                    next_frame += 1.0
                if elapsed >= next_text:
                    line = f"soak turn {len(typed)}"
                    typed.append(line)
                    await type_line(pilot, line)
                    next_text += 5.0
                if elapsed >= next_goaway:
                    await simulator.ask("goaway 1")
                    next_goaway += GOAWAY_EVERY
                if baseline is None and elapsed >= 60:
                    baseline = rss_mb()
                tick += 1
                await asyncio.sleep(max(0.0, start + tick * 0.04 - time.monotonic()))
            await until(pilot, lambda: app.chat.phase is Phase.CONNECTED, 10)
            await pilot.pause(3)
            final = rss_mb()
            assert app.is_running
            received = await simulator.ask("texts")
            counts = await simulator.ask("counts")
            replies = "\n".join(texts(app, "model"))
            unanswered = [line for line in typed if f'"{line}"' not in replies]
            conversation_lines = len(app.conversation.lines)
    finally:
        await simulator.stop()
    assert isinstance(received, list)
    minute_rss = baseline if baseline is not None else final  # under a minute: no baseline
    print(
        f"\nsoak {MINUTES:g} min: RSS start {start_rss:.1f} / 1 min {minute_rss:.1f} / "
        f"end {final:.1f} MB, resumes {counts['setup'] - 1}, turns {len(typed)}, "
        f"frames {counts.get('video', 0)}, audio up {counts.get('audio', 0) * 0.04:.0f} s, "
        f"audio down {heard[0]:.0f} s, conversation lines {conversation_lines}"
    )
    missing = [line for line in typed if line not in received]
    assert not missing, f"lost typed lines: {missing}"
    assert counts["setup"] >= int(duration / GOAWAY_EVERY), "the session resumed after each GoAway"
    assert counts["audio"] >= 0.9 * duration * 25, "mic-rate audio kept flowing"
    assert counts["video"] >= 0.9 * duration, "a screen frame every second"
    assert not unanswered, f"turns without a reply in the conversation: {unanswered}"
    assert heard[0] >= 0.5 * duration, "the model's speech kept flowing down"
    assert final - start_rss <= MAX_GROWTH_MB, f"RSS grew {final - start_rss:.1f} MB from the start"
    assert final - minute_rss <= MAX_GROWTH_MB, (
        f"RSS grew {final - minute_rss:.1f} MB from the first minute"
    )
