"""The echo canceller's offline API: no devices, just frames through a simulated room.

The budget tests use the committed espeak-ng recordings in tests/data/ (the
same speech benchmarks/aec_bench.py measures), so they need no espeak-ng.
"""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

from gemini_live_tui.media.audio.aec import EchoCanceller, HighPassEqualiser, measure_high_pass
from gemini_live_tui.media.errors import MediaError

RATE = 16000
F = RATE // 100
DATA = Path(__file__).resolve().parent.parent / "data"


def _recording(name: str) -> np.ndarray:
    x, sr = sf.read(DATA / name, dtype="float32")
    assert sr == RATE
    return 0.5 * x / np.max(np.abs(x))


def _pcm(x: np.ndarray) -> np.ndarray:
    return np.clip(x * 32768, -32768, 32767).astype("<i2")


def _run(aec: EchoCanceller, far: np.ndarray, mic: np.ndarray) -> np.ndarray:
    far16, mic16 = _pcm(far), _pcm(mic)
    out = []
    for i in range(len(far) // F):
        aec.process_render(far16[i * F : (i + 1) * F].tobytes())
        out.append(aec.process_capture(mic16[i * F : (i + 1) * F].tobytes()))
    return np.frombuffer(b"".join(out), "<i2").astype(np.float64)


def _db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2) + 1e-9)


def test_aec3_removes_room_echo_after_convergence(room) -> None:
    far = _recording("speech_far_16k.flac")[: 8 * RATE]
    mic = room(far, RATE) + 1e-4 * np.random.default_rng(0).standard_normal(len(far))
    out = _run(EchoCanceller(RATE), far, mic)
    after = slice(2 * RATE, len(out))
    erle = _db(_pcm(mic)[after].astype(np.float64)) - _db(out[after])
    assert erle >= 35, f"echo reduced by only {erle:.1f} dB (budget 35 dB)"


def test_near_end_speech_survives_double_talk(room, correlate) -> None:
    """The budget: the near-end, talking over the echo, correlates ≥ 0.5 with itself clean."""
    far = _recording("speech_far_16k.flac")[: 10 * RATE]
    near = np.zeros_like(far)
    near[4 * RATE :] = 0.7 * _recording("speech_near_16k.flac")[: 6 * RATE]
    mic = room(far, RATE) + 1e-4 * np.random.default_rng(0).standard_normal(len(far)) + near
    out = _run(EchoCanceller(RATE), far, mic) / 32768
    talk = slice(4 * RATE, 10 * RATE)
    corr, _ = correlate(near[talk], out[talk], max_lag=RATE // 10)
    assert corr >= 0.5, f"near-end correlation {corr:.2f} (budget 0.5)"


def test_synthetic_near_end_survives_double_talk(speech, room, correlate) -> None:
    far = speech(8.0, RATE, seed=1)
    near = np.zeros_like(far)
    near[4 * RATE :] = 0.6 * speech(4.0, RATE, seed=7, pitch=210.0)
    mic = room(far, RATE) + near
    out = _run(EchoCanceller(RATE), far, mic) / 32768
    talk = slice(4 * RATE, 8 * RATE)
    corr, _ = correlate(near[talk], out[talk], max_lag=RATE // 20)
    assert corr >= 0.8, f"near-end correlation {corr:.2f}"


def test_high_pass_and_its_equaliser_are_nearly_zero_phase() -> None:
    """AEC3's high-pass followed by the equaliser: a symmetric pulse at a fixed small delay."""
    h = measure_high_pass(RATE, 64)
    eq = HighPassEqualiser(h, 64)
    # an impulse through the high-pass (its measured response), then the equaliser, frame by frame
    x = np.zeros(4 * F)
    x[: len(h)] = h * 10000
    frames = np.round(x).astype(np.int16).reshape(-1, F)
    for frame in frames:
        eq.process(frame)
    y = frames.reshape(-1).astype(np.float64) / 10000
    peak = int(np.argmax(np.abs(y)))
    assert peak == eq.delay_samples == 63
    assert y[peak] == pytest.approx(1.0, abs=0.01)
    d = eq.delay_samples
    assert np.max(np.abs(y[d - 20 : d] - y[d + 20 : d : -1])) < 0.02  # symmetric: no phase shift


def test_passthrough_backend_changes_nothing(speech) -> None:
    far = speech(1.0, RATE)
    aec = EchoCanceller(RATE, backend="none")
    frame = _pcm(far[:F]).tobytes()
    aec.process_render(frame)
    assert aec.process_capture(frame) == frame


def test_render_reference_may_come_at_the_playback_rate(speech, room) -> None:
    far24 = speech(6.0, 24000, seed=2)
    far16 = soxr.resample(far24, 24000, RATE)
    mic = room(far16, RATE)
    aec = EchoCanceller(RATE, render_rate=24000)
    far_pcm, mic_pcm = _pcm(far24), _pcm(mic)
    out = []
    for i in range(6 * 100):
        aec.process_render(far_pcm[i * 240 : (i + 1) * 240].tobytes())
        out.append(aec.process_capture(mic_pcm[i * F : (i + 1) * F].tobytes()))
    cleaned = np.frombuffer(b"".join(out), "<i2").astype(np.float64)
    tail = slice(3 * RATE, 6 * RATE)
    assert _db(mic_pcm[tail].astype(np.float64)) - _db(cleaned[tail]) >= 20


def test_frames_must_be_10ms() -> None:
    aec = EchoCanceller(RATE)
    with pytest.raises(MediaError, match="10 ms"):
        aec.process_capture(b"\0" * 100)


def test_unknown_backend_and_missing_optional_backend_say_what_to_do() -> None:
    with pytest.raises(MediaError, match="aec3"):
        EchoCanceller(RATE, backend="speex")
    try:
        import webrtc_audio_processing  # noqa: F401
    except ImportError:
        with pytest.raises(MediaError, match="webrtc-legacy"):
            EchoCanceller(RATE, backend="webrtc-legacy")


def test_optional_legacy_backend_cancels_echo_given_the_delay(room) -> None:
    """Only where the `webrtc-legacy` extra is installed (CI does not build it)."""
    pytest.importorskip(
        "webrtc_audio_processing", reason="the webrtc-legacy extra is not installed"
    )
    far = _recording("speech_far_16k.flac")[: 8 * RATE]
    mic = room(far, RATE) + 1e-4 * np.random.default_rng(0).standard_normal(len(far))
    aec = EchoCanceller(RATE, backend="webrtc-legacy")
    aec.set_stream_delay_ms(60)  # the room's delay: the old AEC does not find it alone
    out = _run(aec, far, mic)
    after = slice(2 * RATE, len(out))
    erle = _db(_pcm(mic)[after].astype(np.float64)) - _db(out[after])
    assert erle >= 30, f"echo reduced by only {erle:.1f} dB"
