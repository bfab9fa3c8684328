"""Voice end to end: typed /speak and /mic in the real app, the simulator, a real PulseAudio.

The null sink's monitor is the microphone, so what the speaker plays comes
back into the mic (a real echo path). `monitor` records the sink with its
own stream; the simulator records every frame the app sent.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
import soundfile as sf
import soxr
from apptest import connected, texts, type_line, until
from voicetest import (
    ACTIVE,
    active_span,
    dbfs,
    heard_by_sim,
    model_audio,
    played_out,
    voice_line,
    window_match,
)

from gemini_live_tui.config import AudioSettings
from gemini_live_tui.live import events as ev


async def test_speak_plays_what_the_simulator_sent(voice_app, sim, sink, monitor, correlate):
    app = voice_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/speak")
        await voice_line(pilot, app, "speaker on: ")
        assert app.status.speaker == "on"
        with monitor() as rec:
            await pilot.pause(0.3)
            await type_line(pilot, "hello")
            await played_out(pilot, app)
        status = (await app.feature_set.voice.engine()).status()
    sent = model_audio(sim)
    got, _ = rec.signal()
    expected = soxr.resample(sent, 24000, rec.rate)
    corr, lag = correlate(expected, got, 2 * rec.rate)
    sent_span, heard_span = active_span(expected, rec.rate), active_span(got, rec.rate)
    print(
        f"speaker: correlation {corr:.3f} at {lag / rec.rate * 1000:.0f} ms; "
        f"{heard_span:.2f} s heard of {sent_span:.2f} s sent"
    )
    assert sent_span > 2.0  # a real reply was spoken
    assert corr > 0.9, f"the recording correlates {corr:.2f} with what the simulator sent"
    assert abs(heard_span - sent_span) / sent_span < 0.05, (heard_span, sent_span)
    assert status.underruns == 0 and status.overflow_samples == 0


# AEC3 changes even an echo-free near-end (always-on high-pass, nonlinear stages):
# measured 0.69–0.92 by signal; without a canceller the path is sample-faithful.
MIN_MATCH = {"none": 0.95, "aec3": 0.6}


@pytest.mark.parametrize("backend", ["aec3", "none"])
async def test_mic_streams_to_the_simulator_and_its_transcription_shows(
    voice_app, sim, sink, speech_wav, backend
):
    wav = speech_wav(3.0)
    app = voice_app(audio=AudioSettings(aec_backend=backend))
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/mic")
        line = await voice_line(pilot, app, "microphone on: ")
        assert "16000 Hz" in line and f"echo canceller {backend}" in line
        await pilot.pause(0.5)
        started = time.monotonic()
        player = sink.play_file(wav)
        levels = set()
        while player.poll() is None:
            levels.add(app.status.mic)
            await pilot.pause(0.1)
        heard = await until(pilot, lambda: [t for t in texts(app, "you") if "[heard" in t], 10)
        # the spoken reply: the speaker is off, so its audio is dropped but its transcript shows
        await until(pilot, lambda: any(t.startswith("I heard") for t in texts(app, "model")), 10)
        assert (await app.feature_set.voice.engine()).status().discarded_chunks > 0
        await type_line(pilot, "/mic off")
        await voice_line(pilot, app, "microphone off")
        await sim.wait_for(lambda: sim.realtime("audioStreamEnd"), 5)
    assert "at 16000 Hz]" in heard[0]
    seconds = float(heard[0].split()[1])
    assert 2.5 < seconds < 4.5, heard  # the simulator heard about the 3 s WAV (plus padding)
    assert {a["mimeType"] for a in sim.realtime("audio")} == {"audio/pcm;rate=16000"}
    got = heard_by_sim(sim, since=started)
    played, _ = sf.read(wav, dtype="float32")
    match = window_match(soxr.resample(played, 48000, 16000), got, 16000)
    print(f"mic ({backend}): the simulator's audio matches the WAV at {match:.3f}; {levels}")
    assert match > MIN_MATCH[backend], f"the simulator's audio matches the WAV at {match:.2f}"
    assert any(level.startswith("on ") and level != "on ▁▁▁" for level in levels), levels


async def test_barge_in_silences_the_speaker_within_50ms(voice_app, sim, sink, monitor):
    app = voice_app()
    interrupted_at: list[float] = []

    handle = app.on_live_event

    def stamp(event: ev.Event) -> None:
        handle(event)  # the reducer, then the features (the speaker flushed)
        if isinstance(event, ev.Interrupted):
            interrupted_at.append(time.perf_counter())

    app.on_live_event = stamp  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/speak on")
        await voice_line(pilot, app, "speaker on: ")
        with monitor() as rec:
            await pilot.pause(0.3)
            await type_line(pilot, "please interrupt yourself")
            await until(pilot, lambda: interrupted_at, 15)
            await pilot.pause(0.6)
        await until(pilot, lambda: any(line.note == "interrupted" for line in app.transcript))
    x, t = rec.signal()
    t_int = interrupted_at[0]
    before = x[(t > t_int - 0.5) & (t < t_int)]
    assert np.max(np.abs(before)) > 0.1  # it was really speaking when interrupted
    late = np.flatnonzero((np.abs(x) > 1e-3) & (t > t_int))
    last = (t[late[-1]] - t_int) * 1000 if late.size else 0.0
    print(f"barge-in: last sound {last:.0f} ms after `interrupted` reached the app")
    assert last < 50, f"sound {last:.0f} ms after interrupted"
    assert model_audio(sim).size / 24000 > 2.0  # far more was sent than was played


@pytest.mark.xfail(
    strict=False,
    reason="known, in AEC3 itself: on the simulator's voice its first convergence lets one "
    "or two 40 ms chunks through 0.9-1.0 s into the first reply (-41 to -53 dBFS; offline too, "
    "no devices: docs/performance.md, Voice); above -45 dBFS the simulator interrupts",
)
async def test_echo_is_cancelled_and_the_model_does_not_interrupt_itself(
    voice_app, sim, sink, monitor
):
    app = voice_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/speak")
        await voice_line(pilot, app, "speaker on: ")
        await type_line(pilot, "/mic")
        await voice_line(pilot, app, "microphone on: ")
        await pilot.pause(0.5)
        with monitor() as rec:
            await pilot.pause(0.3)
            offset = time.monotonic() - time.perf_counter()
            await type_line(pilot, "hello, can you hear yourself in the room?")
            await played_out(pilot, app, 60)
        await type_line(pilot, "/mic off")
        await voice_line(pilot, app, "microphone off")
        heard_lines = [t for t in texts(app, "you") if "[heard" in t]
    x, t = rec.signal()
    sound = np.flatnonzero(np.abs(x) > ACTIVE)
    first, last = t[sound[0]], t[sound[-1]]
    raw = x[(t > first + 1.0) & (t < last)]
    cleaned = heard_by_sim(sim, since=first + 1.0 + offset)
    cleaned = cleaned[: int((last - first - 1.0) * 16000)]
    reduction = dbfs(raw) - dbfs(cleaned)
    print(
        f"echo at the mic {dbfs(raw):.1f} dBFS → {dbfs(cleaned):.1f} dBFS at the simulator: "
        f"reduced by {reduction:.1f} dB over {last - first - 1.0:.1f} s"
    )
    interruptions = [m for _, m in sim.sent if m.get("serverContent", {}).get("interrupted")]
    assert not interruptions, "the simulator heard the model's own voice and interrupted it"
    assert not heard_lines, heard_lines
    assert dbfs(raw) > -35  # the echo really reached the microphone
    assert reduction >= 30, f"echo reduced by only {reduction:.1f} dB"
