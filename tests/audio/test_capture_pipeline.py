"""Capture processing without a device: 48 kHz stereo in, 16 kHz echo-free 40 ms chunks out."""

import numpy as np
import soxr

from gemini_live_tui.media.audio.aec import EchoCanceller
from gemini_live_tui.media.audio.capture import CapturePipeline


def _feed(
    pipeline: CapturePipeline, mic: np.ndarray, ref: np.ndarray | None, mic_rate: int, ref_rate: int
):
    rng = np.random.default_rng(5)
    chunks, pos, t = [], 0, 0.0
    while pos < len(mic):
        n = int(rng.integers(mic_rate // 400, mic_rate // 50))  # ragged device blocks
        block = mic[pos : pos + n]
        r = None
        if ref is not None:
            a, b = int(pos * ref_rate / mic_rate), int((pos + n) * ref_rate / mic_rate)
            r = ref[a:b]
        chunks += pipeline.process(block, r)
        pos += n
        t += n / mic_rate
    return chunks


def test_device_audio_becomes_16khz_40ms_chunks_that_match_the_input(speech, correlate) -> None:
    voice48 = speech(3.0, 48000, seed=4)
    stereo = np.stack([voice48, voice48], axis=1)
    pipeline = CapturePipeline(48000, canceller=None)
    chunks = _feed(pipeline, stereo, None, 48000, 48000)
    assert chunks and all(len(c.pcm) == 1280 for c in chunks)
    assert [c.first_sample for c in chunks[:3]] == [0, 640, 1280]
    got = np.frombuffer(b"".join(c.pcm for c in chunks), "<i2").astype(np.float32) / 32768
    expected = soxr.resample(voice48, 48000, 16000)
    corr, lag = correlate(expected, got, 800)
    assert corr > 0.95, (corr, lag)
    assert abs(len(got) - len(expected)) <= 700


def test_the_reference_cancels_echo_fed_at_the_playback_rate(speech, room) -> None:
    far24 = speech(8.0, 24000, seed=9)
    far16 = soxr.resample(far24, 24000, 16000)
    mic16 = room(far16, 16000, delay_ms=80)
    pipeline = CapturePipeline(16000, canceller=EchoCanceller(16000, render_rate=24000))
    chunks = _feed(pipeline, mic16[:, None], far24, 16000, 24000)
    out = np.frombuffer(b"".join(c.pcm for c in chunks), "<i2").astype(np.float64) / 32768
    tail = slice(3 * 16000, len(out))
    erle = 10 * np.log10(np.mean(mic16[tail] ** 2) / (np.mean(out[tail] ** 2) + 1e-12))
    assert erle > 25, erle
    assert chunks[-1].rms < 0.01  # the level meter shows the cleaned signal


def _counting(canceller: EchoCanceller) -> list[int]:
    """Count the canceller's capture calls (each one is a call into the AEC library)."""
    calls = [0]
    capture = canceller.capture_array

    def counted(frame: np.ndarray) -> None:
        calls[0] += 1
        capture(frame)

    canceller.capture_array = counted  # type: ignore[method-assign]
    return calls


def _run_blocks(pipeline: CapturePipeline, mic16: np.ndarray, ref24: np.ndarray) -> np.ndarray:
    """Feed 40 ms blocks (what the capture worker does) and return the 16 kHz output."""
    chunks = []
    for pos in range(0, len(mic16), 640):
        chunks += pipeline.process(
            mic16[pos : pos + 640, None], ref24[pos * 3 // 2 : (pos + 640) * 3 // 2]
        )
    return np.frombuffer(b"".join(c.pcm for c in chunks), "<i2").astype(np.float64) / 32768


def _db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(x**2) + 1e-12)


def test_the_canceller_rests_while_nothing_plays_and_resumes_converged(speech, room) -> None:
    """Speech, 5 s of silence from the speaker, speech again: no AEC calls in the silence."""
    far = speech(6.0, 16000, seed=9)
    silence = np.zeros(5 * 16000, np.float32)
    far16 = np.concatenate([far, silence, far]).astype(np.float32)
    far24 = soxr.resample(far16, 16000, 24000).astype(np.float32)
    mic16 = (
        room(far16, 16000, delay_ms=80)
        + 1e-4 * np.random.default_rng(3).standard_normal(len(far16))
    ).astype(np.float32)
    outputs, calls = {}, {}
    for rests in (False, True):
        canceller = EchoCanceller(16000, render_rate=24000)
        if not rests:
            canceller.delay_samples = None  # a canceller of unknown delay is never skipped
        calls[rests] = _counting(canceller)
        pipeline = CapturePipeline(16000, canceller=canceller, rest_while_silent=True)
        outputs[rests] = _run_blocks(pipeline, mic16, far24)
    quiet = slice(8 * 16000, 11 * 16000)  # the silence, after the echo tail
    resumed = slice(11 * 16000, 13 * 16000)  # the first 2 s of speech again
    erle = {r: _db(mic16[resumed]) - _db(outputs[r][resumed]) for r in (False, True)}
    skipped = len(far16) // 160 - calls[True][0]
    print(
        f"resumed ERLE {erle[True]:.1f} dB (never resting: {erle[False]:.1f}); {skipped} frames skipped"
    )
    assert skipped >= 300, "the canceller ran through the silence"
    assert np.max(np.abs(outputs[True][quiet])) < 0.01  # what was sent meanwhile: the quiet room
    assert erle[True] > 25 and erle[True] > erle[False] - 3, erle


def test_a_fresh_canceller_is_not_skipped_before_it_has_warmed_up(speech, room) -> None:
    """The first reply after /mic: AEC3 that heard nothing before cancels ~10 dB less."""
    far = speech(6.0, 16000, seed=9)
    far16 = np.concatenate([np.zeros(8 * 16000, np.float32), far]).astype(np.float32)
    far24 = soxr.resample(far16, 16000, 24000).astype(np.float32)
    mic16 = (
        room(far16, 16000, delay_ms=80)
        + 1e-4 * np.random.default_rng(3).standard_normal(len(far16))
    ).astype(np.float32)
    erle = {}
    for rests in (False, True):
        canceller = EchoCanceller(16000, render_rate=24000)
        if not rests:
            canceller.delay_samples = None
        pipeline = CapturePipeline(16000, canceller=canceller, rest_while_silent=True)
        out = _run_blocks(pipeline, mic16, far24)
        first = slice(8 * 16000, 9 * 16000)
        erle[rests] = _db(mic16[first]) - _db(out[first])
    print(
        f"first second of the first reply: ERLE {erle[True]:.1f} dB (never resting {erle[False]:.1f})"
    )
    assert erle[True] > erle[False] - 6, erle  # without the warm-up: 30 dB against 57


def test_resting_the_canceller_leaves_no_seam_in_the_microphone_stream() -> None:
    """A steady tone through on/off switches: exact (delayed) while resting, no jump at a switch."""
    rate, seconds = 16000, 14
    t = np.arange(seconds * rate) / rate
    tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    # the speaker plays a faint noise (-60 dBFS: something plays, nothing to cancel) in bursts
    ref24 = np.zeros(seconds * 24000, np.float32)
    noise = 1e-3 * np.random.default_rng(1).standard_normal(ref24.shape).astype(np.float32)
    for a, b in ((6.0, 7.0), (9.5, 10.0), (12.0, 12.2)):
        ref24[int(a * 24000) : int(b * 24000)] = noise[int(a * 24000) : int(b * 24000)]
    canceller = EchoCanceller(16000, render_rate=24000)
    pipeline = CapturePipeline(16000, canceller=canceller, rest_while_silent=True)
    out = _run_blocks(pipeline, tone, ref24)
    d = canceller.delay_samples
    assert d is not None and pipeline.bypassed_frames > 0
    delayed = np.concatenate([np.zeros(d), tone])[: len(out)]
    resting = slice(
        int(8.2 * rate), int(9.4 * rate)
    )  # after the 1 s echo tail, before the next burst
    assert np.max(np.abs(out[resting] - delayed[resting])) < 1e-4  # the raw stream, delayed
    slope = 0.3 * 2 * np.pi * 440 / rate  # the tone's largest step from one sample to the next
    steps = np.abs(np.diff(out[5 * rate :]))
    assert steps.max() < 1.3 * slope, f"a jump of {steps.max():.3f} (the tone steps {slope:.3f})"


def test_with_a_speaker_open_the_canceller_never_rests_by_default(speech) -> None:
    """An open speaker playing silence: every frame goes through the canceller."""
    mic16 = speech(8.0, 16000, seed=2)[:, None].astype(np.float32)
    canceller = EchoCanceller(16000, render_rate=24000)
    calls = _counting(canceller)
    _run_blocks(
        CapturePipeline(16000, canceller=canceller), mic16[:, 0], np.zeros(12 * 24000, np.float32)
    )
    assert calls[0] == len(mic16) // 160


def test_without_a_speaker_the_canceller_rests_after_its_warm_up(speech) -> None:
    """No speaker open (no reference at all): no echo to cancel, no calls after 5 s."""
    mic16 = speech(8.0, 16000, seed=2).astype(np.float32)
    canceller = EchoCanceller(16000, render_rate=24000)
    calls = _counting(canceller)
    pipeline = CapturePipeline(16000, canceller=canceller)
    chunks = []
    for pos in range(0, len(mic16), 640):
        chunks += pipeline.process(mic16[pos : pos + 640, None], None)
    assert calls[0] == 500 and pipeline.bypassed_frames == len(mic16) // 160 - 500
    assert len(chunks) == len(mic16) // 640  # nothing lost


def test_the_microphone_waits_for_a_late_reference_so_no_echo_comes_before_its_sound(
    speech, room
) -> None:
    """The speaker's callback runs 120 ms late: the microphone goes on, the reference stops.

    The canceller must never get more than 30 ms of microphone ahead of its reference
    (it would meet echo whose sound it has not had yet); the held frames go out as
    soon as the reference comes, and a speaker that stays silent does not hold the
    microphone for more than 250 ms.
    """
    far24 = speech(4.0, 24000, seed=21)
    mic16 = room(soxr.resample(far24, 24000, 16000), 16000, delay_ms=60)
    canceller = EchoCanceller(16000, render_rate=24000)
    pipeline = CapturePipeline(16000, canceller=canceller)
    lead = []
    render = canceller.render_array
    capture = canceller.capture_array
    fed = [0, 0]

    def count_render(frame: np.ndarray) -> None:
        fed[0] += 1
        render(frame)

    def count_capture(frame: np.ndarray) -> None:
        fed[1] += 1
        lead.append(fed[0] - fed[1])
        capture(frame)

    canceller.render_array = count_render  # type: ignore[method-assign]
    canceller.capture_array = count_capture  # type: ignore[method-assign]
    chunks, late = [], []
    for step in range(100):  # 40 ms steps
        mic = mic16[step * 640 : (step + 1) * 640, None]
        if 40 <= step < 43:  # the speaker's callback is late: its blocks come later
            late.append(far24[step * 960 : (step + 1) * 960])
            ref = far24[:0]
        else:
            ref = np.concatenate([*late, far24[step * 960 : (step + 1) * 960]])
            late.clear()
        chunks += pipeline.process(mic, ref)
    assert min(lead) >= -3, (
        f"the canceller got {-min(lead)} microphone frames ahead of its reference"
    )
    assert len(chunks) == 100  # every chunk went out once the reference came
    stalled = [pipeline.process(mic16[k * 640 : (k + 1) * 640, None], far24[:0]) for k in range(10)]
    assert sum(len(c) for c in stalled) >= 3  # a speaker stalled for good holds it ≤ 250 ms
