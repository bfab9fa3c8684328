"""Fixtures for the audio tests: a real PulseAudio server with a null sink, speech-like signals.

The PulseAudio fixtures (``pulse``, ``sink``, ``monitor``) and the signal
helpers (``speech``, ``correlate``) live in tests/pulse_support.py, shared
with tests/integration_voice; this file adds ``wire`` (what the engine sent)
and ``room`` (a simulated room's echo).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pytest
from pulse_support import (  # noqa: F401 - fixtures
    correlate,
    monitor,
    pulse,
    sink,
    speech,
)

# -- what "the wire" received --------------------------------------------------------------


@dataclass
class Wire:
    """Stands in for the session's non-waiting send methods; records what was handed over."""

    audio: list[tuple[float, bytes, int]] = field(default_factory=list)
    signals: list[tuple[float, str]] = field(default_factory=list)

    def send_audio(self, pcm: bytes, rate: int = 16000) -> None:
        self.audio.append((time.perf_counter(), pcm, rate))

    def send_audio_stream_end(self) -> None:
        self.signals.append((time.perf_counter(), "audioStreamEnd"))

    def send_activity_start(self) -> None:
        self.signals.append((time.perf_counter(), "activityStart"))

    def send_activity_end(self) -> None:
        self.signals.append((time.perf_counter(), "activityEnd"))

    def pcm(self) -> np.ndarray:
        data = b"".join(p for _, p, _ in self.audio)
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0


@pytest.fixture
def wire() -> Wire:
    return Wire()


def room_echo(
    far: np.ndarray, rate: int, delay_ms: float = 60, rt60: float = 0.25, seed: int = 1
) -> np.ndarray:
    """What a microphone hears of ``far`` through a small room.

    Mild loudspeaker clipping (tanh), ``delay_ms`` of acoustic and device
    delay, then an exponentially decaying noise impulse response with
    ``rt60`` seconds of reverberation (-60 dB), at about -6 dB coupling.
    """
    rng = np.random.default_rng(seed)
    n = int(rt60 * rate)
    t = np.arange(n) / rate
    ir = rng.standard_normal(n) * np.exp(-6.9 * t / rt60)
    ir[0] += 4.0  # the direct path
    ir *= 0.5 / np.sqrt(np.sum(ir**2))
    speaker = np.tanh(1.5 * far) / 1.5
    wet = np.convolve(speaker, ir)[: len(far)]
    d = int(delay_ms * rate / 1000)
    return np.concatenate([np.zeros(d), wet])[: len(far)].astype(np.float32)


@pytest.fixture
def room():  # noqa: ANN201
    """``room(far, rate, delay_ms=60, rt60=0.25, seed=1)`` → the echo a microphone picks up."""
    return room_echo
