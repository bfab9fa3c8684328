"""The voice engine on a real PulseAudio server: /speak, /mic, barge-in, echo, push-to-talk.

The null sink's monitor is the microphone, so what the speaker plays comes
back into the mic. ``wire`` records what the engine sent (the session's
coroutines' stand-ins); ``monitor`` records the sink with its own stream.
"""

import asyncio
import sys
import time

import numpy as np
import pytest
import soundfile as sf
import soxr
from expect import start_connected
from voicetest import window_match

from gemini_live_tui.live.session import SessionSettings
from gemini_live_tui.media.audio.engine import VoiceEngine, VoiceSettings
from gemini_live_tui.simulator import LiveSimulator


def _engine(wire, **settings) -> VoiceEngine:
    errors = []
    engine = VoiceEngine(
        wire.send_audio,
        wire.send_audio_stream_end,
        send_activity_start=wire.send_activity_start,
        send_activity_end=wire.send_activity_end,
        settings=VoiceSettings(**settings),
        on_error=errors.append,
    )
    engine.errors = errors  # type: ignore[attr-defined]
    return engine


def _pcm16(x: np.ndarray) -> bytes:
    return np.clip(x * 32768, -32768, 32767).astype("<i2").tobytes()


async def _stream_model_audio(engine: VoiceEngine, x24: np.ndarray, chunk: int = 960) -> None:
    """Deliver model audio like the server: 40 ms chunks, a bit faster than real time."""
    for k in range(0, len(x24), chunk):
        engine.play(_pcm16(x24[k : k + chunk]), 24000)
        await asyncio.sleep(chunk / 24000 * 0.8)
    engine.end_of_turn()


async def _drain(engine: VoiceEngine, extra: float = 0.3) -> None:
    """Wait until the speaker has played everything queued."""
    deadline = time.monotonic() + 15
    while engine.status().buffered_ms > 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(extra)


def _active_span(x: np.ndarray, rate: int, threshold: float) -> float:
    hop = rate // 100
    env = np.sqrt(np.mean(x[: len(x) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    on = np.flatnonzero(env > threshold)
    return (on[-1] - on[0] + 1) * hop / rate if on.size else 0.0


async def test_speak_plays_model_audio_faithfully(sink, monitor, wire, speech, correlate) -> None:
    engine = _engine(wire)
    await engine.start_speaker()
    voice = speech(4.0, 24000, seed=11)
    with monitor() as rec:
        await asyncio.sleep(0.3)
        await _stream_model_audio(engine, voice)
        await _drain(engine)
    status = engine.status()
    await engine.close()
    got, _ = rec.signal()
    expected = soxr.resample(voice, 24000, rec.rate)
    corr, lag = correlate(expected, got, rec.rate)
    assert corr > 0.9, f"recording correlates {corr:.2f} with what was sent"
    sent_span = _active_span(expected, rec.rate, 0.01)
    heard_span = _active_span(got, rec.rate, 0.01)
    assert abs(heard_span - sent_span) / sent_span < 0.05, (heard_span, sent_span)
    assert status.underruns == 0 and status.overflow_samples == 0


@pytest.mark.parametrize("backend", ["aec3", "none"])
async def test_mic_streams_16khz_audio_that_matches_the_wav(
    sink, wire, speech, tmp_path, backend
) -> None:
    voice = speech(3.0, 48000, seed=12)
    wav = tmp_path / "talk.wav"
    sf.write(wav, voice, 48000, subtype="PCM_16")
    engine = _engine(wire, aec_backend=backend)
    await engine.start_mic()
    await asyncio.sleep(0.5)
    player = sink.play_file(wav)
    await asyncio.to_thread(player.wait, 15)
    await asyncio.sleep(0.4)
    await engine.stop_mic()
    await engine.close()
    assert {rate for _, _, rate in wire.audio} == {16000}
    assert all(len(pcm) == 1280 for _, pcm, _ in wire.audio[:-1])  # 40 ms chunks
    got = wire.pcm()
    match = window_match(soxr.resample(voice, 48000, 16000), got, 16000)
    assert match > 0.9, f"wire audio matches the WAV at {match:.2f}"
    assert wire.signals[-1][1] == "audioStreamEnd"
    assert wire.signals[-1][0] >= wire.audio[-1][0]  # after the last chunk
    lat = np.array(engine.mic_latencies)
    assert lat.size > 10 and np.percentile(lat, 99) < 0.2


async def test_a_mic_without_a_speaker_sends_speech_intact_while_its_canceller_rests(
    sink, wire, speech, tmp_path
) -> None:
    """No speaker open: after the warm-up the canceller is skipped, and speech still arrives whole."""
    voice = speech(3.0, 48000, seed=13)
    wav = tmp_path / "talk.wav"
    sf.write(wav, voice, 48000, subtype="PCM_16")
    engine = _engine(wire)
    await engine.start_mic()
    pipeline = engine._mic.pipeline  # type: ignore[union-attr]  # noqa: SLF001
    await asyncio.sleep(6.0)  # past the canceller's 5 s warm-up
    started = time.perf_counter()
    player = sink.play_file(wav)
    await asyncio.to_thread(player.wait, 15)
    await asyncio.sleep(0.4)
    await engine.stop_mic()
    await engine.close()
    got = (
        np.frombuffer(b"".join(pcm for ts, pcm, _ in wire.audio if ts >= started), "<i2").astype(
            np.float32
        )
        / 32768
    )
    match = window_match(soxr.resample(voice, 48000, 16000), got, 16000)
    print(
        f"resting canceller: {pipeline.bypassed_frames} frames skipped, the WAV matches at {match:.3f}"
    )
    assert pipeline.bypassed_frames >= 300  # the speech went past the canceller, not through it
    assert match > 0.95, f"wire audio matches the WAV at {match:.2f}"


async def test_barge_in_silences_the_speaker_within_50ms(sink, monitor, wire, speech) -> None:
    engine = _engine(wire)
    await engine.start_speaker()
    loud = np.clip(4 * speech(6.0, 24000, seed=13), -0.6, 0.6)
    with monitor() as rec:
        await asyncio.sleep(0.3)
        engine.play(_pcm16(loud), 24000)  # the server sent a long reply ahead
        await asyncio.sleep(1.5)
        t_interrupt = time.perf_counter()
        engine.interrupt()
        await asyncio.sleep(0.6)
    await engine.close()
    x, t = rec.signal()
    before = x[(t > t_interrupt - 1.0) & (t < t_interrupt)]
    assert np.max(np.abs(before)) > 0.1  # it was really playing
    after = x[t > t_interrupt + 0.05]
    late = np.flatnonzero(np.abs(x) > 1e-3)
    last_sound = t[late[-1]] - t_interrupt if late.size else -1
    assert np.max(np.abs(after)) < 1e-3, f"sound {last_sound * 1000:.0f} ms after interrupt"


def _dbfs(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-12))


async def _echo_on_the_wire(  # noqa: ANN001
    engine: VoiceEngine, monitor, wire, voice: np.ndarray, start: float, end: float
) -> tuple[float, np.ndarray]:
    """Play ``voice`` as model audio, close the engine; the echo at the mic (dBFS) and
    what was sent, between ``start`` and ``end`` seconds after the first chunk."""
    with monitor() as rec:
        await asyncio.sleep(0.3)
        t0 = time.perf_counter()
        await _stream_model_audio(engine, voice)
        await _drain(engine)
    await engine.stop_mic()
    await engine.close()
    heard, times = rec.signal()
    raw = heard[(times > t0 + start) & (times < t0 + end)]
    sent = [pcm for ts, pcm, _ in wire.audio if t0 + start < ts < t0 + end]
    cleaned = np.frombuffer(b"".join(sent), "<i2").astype(np.float64) / 32768
    return _dbfs(raw), cleaned


async def test_echo_of_the_speaker_is_cancelled_before_the_wire(
    sink, monitor, wire, speech
) -> None:
    engine = _engine(wire)
    await engine.start_speaker()
    await engine.start_mic()
    raw_db, cleaned = await _echo_on_the_wire(
        engine, monitor, wire, speech(8.0, 24000, seed=14), 3.0, 7.0
    )
    clean_db = _dbfs(cleaned)
    reduction = raw_db - clean_db
    print(f"echo on the wire reduced by {reduction:.1f} dB ({raw_db:.1f} → {clean_db:.1f} dBFS)")
    assert raw_db > -35  # the echo really reached the microphone
    assert reduction >= 20, f"echo reduced by only {reduction:.1f} dB"


@pytest.mark.xfail(
    strict=False,  # it varies: 4-16 dB in most runs, now and then enough to pass
    reason="known, not from the resting canceller: with /mic before /speak AEC3 removes "
    "only 4-16 dB of the first reply's echo (the same with the canceller never resting)",
)
async def test_echo_is_cancelled_when_the_speaker_opens_after_the_canceller_rested(
    sink, monitor, wire, speech
) -> None:
    """Mic alone: the canceller rests (no speaker, no echo); then /speak and the model talks."""
    engine = _engine(wire)
    await engine.start_mic()
    pipeline = engine._mic.pipeline  # type: ignore[union-attr]  # noqa: SLF001
    await asyncio.sleep(7.0)  # past the canceller's warm-up, then a silence it rests through
    await engine.start_speaker()
    rested = pipeline.bypassed_frames
    raw_db, cleaned = await _echo_on_the_wire(
        engine, monitor, wire, speech(6.0, 24000, seed=15), 0.0, 5.0
    )
    loudest = max(_dbfs(c) for c in np.array_split(cleaned, max(1, len(cleaned) // 640)))
    reduction = raw_db - _dbfs(cleaned)
    print(
        f"after {rested} resting frames: echo reduced by {reduction:.1f} dB from the first sample, loudest 40 ms {loudest:.1f} dBFS"
    )
    assert rested >= 100, "the canceller did not rest while nothing played"
    assert raw_db > -35  # the echo really reached the microphone
    assert reduction >= 20, f"echo reduced by only {reduction:.1f} dB"
    assert loudest < -45, "a chunk loud enough for a voice detector to take as speech"


async def test_echo_stays_cancelled_when_the_speaker_callback_runs_late(
    sink, monitor, wire, speech
) -> None:
    """A busy app holds the GIL: the speaker's callback runs late and the device under-runs.

    The device then plays silence, drops what it had queued and PortAudio refills it
    in a burst that is never played; the canceller must still get the reference in
    step with the echo after each of these.
    """
    engine = _engine(wire)
    await engine.start_speaker()
    await engine.start_mic()
    switch = sys.getswitchinterval()

    async def hold_the_gil() -> None:
        await asyncio.sleep(2.5)  # the canceller has converged on the reply
        for _ in range(3):
            sys.setswitchinterval(1.0)  # no other thread runs Python until this ends
            started = time.perf_counter()
            while time.perf_counter() - started < 0.15:
                pass
            sys.setswitchinterval(switch)
            await asyncio.sleep(1.5)

    busy = asyncio.create_task(hold_the_gil())
    speaker = engine._speaker  # noqa: SLF001
    assert speaker is not None
    raw_db, cleaned = await _echo_on_the_wire(
        engine, monitor, wire, speech(9.0, 24000, seed=14), 2.0, 8.5
    )
    await busy
    chunks = [_dbfs(c) for c in np.array_split(cleaned, max(1, len(cleaned) // 640))]
    loud = sum(c > -45 for c in chunks)
    print(
        f"late speaker callbacks: echo {raw_db:.1f} → {_dbfs(cleaned):.1f} dBFS, loudest 40 ms "
        f"{max(chunks):.1f} dBFS, {loud} of {len(chunks)} chunks above -45 dBFS; "
        f"{speaker.reference.left_out} reference samples never played"
    )
    assert raw_db > -35  # the echo really reached the microphone
    assert speaker.reference.left_out > 0  # the device really under-ran and was refilled
    # Before, the reference slid hundreds of ms against the echo at each under-run and
    # 4-7 dB were removed; now 20-30 dB, with a few loud chunks right after an
    # under-run while the canceller settles (docs/performance.md, Voice).
    reduction = raw_db - _dbfs(cleaned)
    assert reduction >= 12, f"echo reduced by only {reduction:.1f} dB across the under-runs"


async def test_a_late_speaker_callback_skips_none_of_the_reply(sink, monitor, wire, speech) -> None:
    """The reply is queued ahead; twice a busy app holds the GIL for 200 ms.

    After each under-run PortAudio refills the device in a burst it never plays:
    reading the reply into it skipped 0.2-0.4 s of speech.
    """
    engine = _engine(wire)
    await engine.start_speaker()
    voice = speech(6.0, 24000, seed=14)
    switch = sys.getswitchinterval()

    async def hold_the_gil() -> None:
        await asyncio.sleep(1.5)
        for _ in range(2):
            sys.setswitchinterval(1.0)
            started = time.perf_counter()
            while time.perf_counter() - started < 0.2:
                pass
            sys.setswitchinterval(switch)
            await asyncio.sleep(1.5)

    with monitor() as rec:
        await asyncio.sleep(0.3)
        busy = asyncio.create_task(hold_the_gil())
        engine.play(_pcm16(voice), 24000)  # the server sent the whole reply ahead
        engine.end_of_turn()
        await busy
        await _drain(engine)
    await engine.close()
    heard, _ = rec.signal()
    sent_s = _speech_seconds(voice, 24000)
    heard_s = _speech_seconds(heard, rec.rate)
    print(f"late speaker callbacks: {heard_s:.2f} s of speech heard of {sent_s:.2f} s sent")
    assert heard_s >= sent_s - 0.08, f"{sent_s - heard_s:.2f} s of the reply never played"


def _speech_seconds(x: np.ndarray, rate: int) -> float:
    """How long the signal sounds, in 10 ms blocks above -40 dBFS."""
    hop = rate // 100
    env = np.sqrt(np.mean(x[: len(x) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    return float((env > 0.01).sum() * hop / rate)


async def test_push_to_talk_sends_audio_only_while_holding_the_floor(
    sink, wire, speech, tmp_path
) -> None:
    wav = tmp_path / "ptt.wav"
    sf.write(wav, speech(4.0, 48000, seed=15), 48000, subtype="PCM_16")
    engine = _engine(wire, push_to_talk=True)
    await engine.start_mic()
    player = sink.play_file(wav)
    await asyncio.sleep(1.0)
    assert wire.audio == []  # talking over the mic without holding the floor sends nothing
    await engine.begin_talking()
    assert engine.status().talking
    await asyncio.sleep(1.0)
    await engine.end_talking()
    await asyncio.sleep(0.5)
    sent_while_holding = len(wire.audio)
    await asyncio.to_thread(player.wait, 15)
    await engine.close()
    kinds = [s for _, s in wire.signals]
    assert kinds[:2] == ["activityStart", "activityEnd"]
    start, end = wire.signals[0][0], wire.signals[1][0]

    assert 15 <= sent_while_holding <= 35  # ~1 s of 40 ms chunks
    assert all(start <= ts <= end for ts, _, _ in wire.audio)


def _voice_arrivals(sim: LiveSimulator) -> list[str]:
    """Audio and audioStreamEnd as the simulator received them, in order."""
    labels = []
    for received in sim.received:
        realtime = received.message.get("realtimeInput", {})
        labels += [key for key in ("audio", "audioStreamEnd") if key in realtime]
    return labels


async def test_stalled_link_drops_old_audio_but_keeps_signals_in_order(
    sink, sim: LiveSimulator, make_session
) -> None:
    """The socket stalls while the user mutes and unmutes: the session's queue drops
    the oldest audio, and ``audioStreamEnd`` keeps its place."""
    session = make_session(settings=SessionSettings(max_queued_audio=5, media_max_age=10.0))
    await start_connected(session)
    engine = VoiceEngine(
        session.send_audio_nowait,
        session.send_audio_stream_end_nowait,
        dropped_audio=lambda: session.stats.audio_dropped,
        settings=VoiceSettings(aec_backend="none"),
    )
    await engine.start_mic()
    await sim.wait_for(lambda: len(_voice_arrivals(sim)) >= 2)
    session._ws.pause_writing()  # as the transport does when its buffer passes the high-water mark
    await asyncio.sleep(0.1)
    at_stall = len(_voice_arrivals(sim))
    await asyncio.sleep(0.4)  # ~10 chunks captured behind the stalled one: the oldest go
    engine.set_muted(True)  # audioStreamEnd queued behind the audio captured so far
    await asyncio.sleep(0.1)
    engine.set_muted(False)
    await asyncio.sleep(0.6)  # ~15 more chunks: every pre-mute chunk is dropped, not the signal
    await engine.stop_mic()
    session._ws.resume_writing()
    await sim.wait_for(
        lambda: (
            _voice_arrivals(sim)[-1:] == ["audioStreamEnd"]
            and len(_voice_arrivals(sim)) > at_stall + 2
        )
    )
    await engine.close()
    after = _voice_arrivals(sim)[at_stall:]
    assert after == ["audioStreamEnd"] + ["audio"] * 5 + ["audioStreamEnd"], after
    assert engine.chunks_dropped >= 15
    assert engine.status().chunks_dropped == session.stats.audio_dropped
