"""Shared by the audio benchmarks: speech (a committed recording) and a simulated room.

Measuring an echo canceller needs speech, not tones: its delay estimator and
filters behave differently on narrow-band signals. The recordings under
tests/data/ were made once with espeak-ng 1.51 (``espeak-ng -v en`` for the
far end, ``-v en+f3`` for the near end, texts below) and committed, so every
run measures the same signal without espeak-ng installed. A voiced, syllabic
synthetic signal is the alternative (``signal="synthetic"``); reports say
which was used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
FAR_RECORDING = DATA / "speech_far_16k.flac"
NEAR_RECORDING = DATA / "speech_near_16k.flac"
SIGNALS = ("recorded", "synthetic")

FAR_TEXT = (
    "Hello, this is the model speaking. The weather today is sunny with a light breeze "
    "from the west, and tomorrow there may be rain in the afternoon, so bring an umbrella. "
    "Is there anything else you would like to know about your trip to the coast?"
)
NEAR_TEXT = (
    "Wait, stop please. I wanted to ask about something different, the train timetable "
    "for Sunday morning, and whether the first train leaves before seven."
)


def recording(path: Path, rate: int) -> np.ndarray:
    x, sr = sf.read(path, dtype="float32")
    if sr != rate:
        x = soxr.resample(x, sr, rate)
    return (0.5 * x / (np.max(np.abs(x)) + 1e-9)).astype(np.float32)


def synthetic_speech(seconds: float, rate: int, seed: int = 0, pitch: float = 130.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    out = np.zeros(n)
    syl = int(0.22 * rate)
    for start in range(0, n, syl):
        end = min(n, start + syl)
        if rng.random() < 0.15:
            continue
        t = np.arange(end - start) / rate
        f0 = pitch * (1 + 0.15 * rng.standard_normal()) * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))
        f1, f2 = rng.uniform(300, 900), rng.uniform(900, 2500)
        seg = np.zeros(end - start)
        for k in range(1, 40):
            fk = k * f0.mean()
            if fk > rate / 2 - 500:
                break
            g = np.exp(-(((fk - f1) / 150) ** 2)) + 0.6 * np.exp(-(((fk - f2) / 250) ** 2)) + 0.02
            seg += g / k**0.5 * np.sin(2 * np.pi * k * np.cumsum(f0) / rate)
        seg += 0.02 * rng.standard_normal(seg.shape)
        out[start:end] = seg * np.sin(np.pi * np.linspace(0, 1, end - start)) ** 0.7
    return (0.5 * out / (np.max(np.abs(out)) + 1e-9)).astype(np.float32)


def speech(
    seconds: float, rate: int, near: bool = False, signal: str = "recorded"
) -> tuple[np.ndarray, str]:
    """``seconds`` of far-end (model) or near-end (user) speech, and a name for its source."""
    if signal == "recorded":
        path = NEAR_RECORDING if near else FAR_RECORDING
        x, source = recording(path, rate), "espeak-ng recordings (tests/data/speech_*_16k.flac)"
    else:
        x = synthetic_speech(seconds, rate, seed=7 if near else 1, pitch=210 if near else 130)
        source = "synthetic speech-like"
    reps = int(np.ceil(seconds * rate / len(x)))
    return np.tile(x, reps)[: int(seconds * rate)], source


def impulse_response(rate: int, rt60: float = 0.25, seed: int = 1) -> np.ndarray:
    """Exponentially decaying noise (-60 dB after ``rt60``) plus a direct path, -6 dB coupling."""
    rng = np.random.default_rng(seed)
    n = int(rt60 * rate)
    t = np.arange(n) / rate
    ir = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    ir[0] += 4.0
    return ir * 0.5 / np.sqrt(np.sum(ir**2))


def room(
    far: np.ndarray,
    rate: int,
    delay_ms: float = 60,
    rt60: float = 0.25,
    seed: int = 1,
    change_at: float | None = None,
) -> np.ndarray:
    """The echo of ``far`` at the microphone: tanh clipping, delay, reverberation.

    ``change_at`` (seconds) switches to another room response halfway, as when
    the user moves the laptop.
    """
    speaker = np.tanh(1.5 * far) / 1.5
    wet = np.convolve(speaker, impulse_response(rate, rt60, seed))[: len(far)]
    if change_at is not None:
        other = np.convolve(speaker, impulse_response(rate, rt60, seed + 100))[: len(far)]
        cut = int(change_at * rate)
        wet = np.concatenate([wet[:cut], other[cut:]])
    d = int(delay_ms * rate / 1000)
    return np.concatenate([np.zeros(d), wet])[: len(far)]
