"""Streaming resampling: block edges are invisible, aliasing is filtered, channels mix."""

import numpy as np

from gemini_live_tui.media.audio.resample import StreamResampler, pcm16_to_float


def _tone(freq: float, rate: int, seconds: float, channels: int = 1) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    x = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.repeat(x[:, None], channels, axis=1) if channels > 1 else x


def test_blockwise_output_matches_one_pass_output() -> None:
    x = _tone(440, 48000, 1.0)
    whole = StreamResampler(48000, 16000).process(x, last=True)
    r = StreamResampler(48000, 16000)
    rng = np.random.default_rng(3)
    parts, pos = [], 0
    while pos < len(x):
        n = int(rng.integers(1, 1500))
        parts.append(r.process(x[pos : pos + n], last=pos + n >= len(x)))
        pos += n
    blocks = np.concatenate(parts)
    assert abs(len(blocks) - 16000) <= 2
    n = min(len(blocks), len(whole))
    assert np.max(np.abs(blocks[:n] - whole[:n])) < 1e-3


def test_tone_above_the_new_nyquist_is_removed_not_folded() -> None:
    # 10 kHz at 48 kHz would fold to 6 kHz at 16 kHz without an anti-alias filter.
    r = StreamResampler(48000, 16000)
    y = np.concatenate([r.process(b) for b in np.array_split(_tone(10000, 48000, 1.0), 100)])
    y = y[2000:]
    level_db = 10 * np.log10(np.mean(y**2) + 1e-20) - 10 * np.log10(0.125)
    assert level_db < -60


def test_stereo_is_mixed_to_mono_and_passthrough_keeps_samples() -> None:
    stereo = np.stack([np.ones(480, np.float32), np.zeros(480, np.float32)], axis=1)
    same = StreamResampler(16000, 16000)
    assert same.passthrough
    assert np.allclose(same.process(stereo), 0.5)


def test_pcm16_to_float_scales_to_unit_range() -> None:
    pcm = np.array([0, 16384, -16384, 32767, -32768], "<i2").tobytes()
    x = pcm16_to_float(pcm)
    assert x.dtype == np.float32
    assert np.allclose(x, [0.0, 0.5, -0.5, 32767 / 32768, -1.0])
