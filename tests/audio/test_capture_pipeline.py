"""Capture processing without a device: 48 kHz stereo in, 16 kHz echo-free 40 ms chunks out."""

import numpy as np
import soxr

from gemini_live_tui.media.aec import EchoCanceller
from gemini_live_tui.media.audio_capture import CapturePipeline


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
