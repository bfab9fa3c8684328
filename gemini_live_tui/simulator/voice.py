"""Speech-shaped audio for the simulator: a real waveform, not silence.

Each word becomes a voiced syllable (a glottal-like harmonic series with a
gliding pitch and a smooth envelope) followed by a short pause, so that level
meters, echo cancellers and barge-in detection see something like speech.
"""

from __future__ import annotations

import numpy as np

RATE = 24000


def synthesize_words(words: list[str], rate: int = RATE, seed: int = 0) -> bytes:
    """16-bit mono PCM at `rate` for the given words (about 0.25 s each)."""
    rng = np.random.default_rng(seed)
    pieces = []
    for index, word in enumerate(words):
        duration = 0.12 + 0.03 * min(len(word), 8)
        n = int(duration * rate)
        t = np.arange(n) / rate
        f0 = 110 + 60 * ((index * 7 + len(word)) % 5) / 4
        pitch = f0 * (1 + 0.15 * np.sin(2 * np.pi * t / duration))
        phase = 2 * np.pi * np.cumsum(pitch) / rate
        voice = sum(np.sin(k * phase) / k for k in range(1, 12))
        formant = 1 + 0.5 * np.sin(2 * np.pi * (3 + index % 4) * t)
        envelope = np.sin(np.pi * np.clip(t / duration, 0, 1)) ** 1.5
        noise = rng.normal(0, 0.02, n)
        syllable = 0.3 * envelope * formant * voice / 3 + noise * envelope
        pieces.append(syllable)
        pieces.append(np.zeros(int(0.06 * rate)))
    if not pieces:
        return b""
    signal = np.clip(np.concatenate(pieces), -1, 1)
    return (signal * 32767).astype("<i2").tobytes()


def rms_dbfs(pcm: bytes) -> float:
    """Level of 16-bit PCM in dB relative to full scale (-120 for silence)."""
    if len(pcm) < 2:
        return -120.0
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.float64) / 32768
    rms = float(np.sqrt(np.mean(samples**2)))
    return 20 * np.log10(rms) if rms > 1e-6 else -120.0
