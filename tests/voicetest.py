"""Helpers for the voice tests through the app: what the simulator sent and heard, matching audio.

Importable from any test folder (pytest's pythonpath includes tests/), like
apptest.py: the pilot waits and the signal measures the voice tests share.
"""

from __future__ import annotations

import base64

import numpy as np
from apptest import texts, type_line, until
from textual.pilot import Pilot

from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.tui.app import GeminiLiveApp

ACTIVE = 0.01  # |sample| above this is sound (the synthetic voice peaks near 0.3)


def model_audio(sim: LiveSimulator) -> np.ndarray:
    """Every audio sample the simulator sent as the model's speech, 24 kHz float."""
    chunks = [
        base64.b64decode(part["inlineData"]["data"])
        for _, message in sim.sent
        for part in message.get("serverContent", {}).get("modelTurn", {}).get("parts", [])
        if "inlineData" in part
    ]
    return np.frombuffer(b"".join(chunks), "<i2").astype(np.float32) / 32768


def heard_by_sim(sim: LiveSimulator, since: float = 0.0) -> np.ndarray:
    """Microphone audio the simulator received (at or after monotonic `since`), 16 kHz float."""
    data = b"".join(
        base64.b64decode(r.message["realtimeInput"]["audio"]["data"])
        for r in sim.received
        if "audio" in r.message.get("realtimeInput", {}) and r.at >= since
    )
    return np.frombuffer(data, "<i2").astype(np.float32) / 32768


def active_span(x: np.ndarray, rate: int) -> float:
    """Seconds from the first to the last 10 ms block with sound."""
    hop = rate // 100
    env = np.abs(x[: len(x) // hop * hop]).reshape(-1, hop).max(axis=1)
    on = np.flatnonzero(env > ACTIVE)
    return (on[-1] - on[0] + 1) * hop / rate if on.size else 0.0


def window_match(expected: np.ndarray, got: np.ndarray, rate: int) -> float:
    """Median over 0.5 s windows of `expected` of the best normalised match anywhere in `got`."""
    size = 1 << int(np.ceil(np.log2(len(got) + rate)))
    spec_got = np.fft.rfft(got, size)
    energy = np.concatenate([[0.0], np.cumsum(got.astype(np.float64) ** 2)])
    scores = []
    w = rate // 2
    for start in range(0, len(expected) - w, w):
        seg = expected[start : start + w].astype(np.float64)
        if np.sqrt(np.mean(seg**2)) < 0.02:
            continue  # a pause
        xc = np.fft.irfft(spec_got * np.conj(np.fft.rfft(seg, size)), size)[: len(got) - w]
        local = np.sqrt(np.maximum(energy[w : len(got)] - energy[: len(got) - w], 0.0))
        norm = np.linalg.norm(seg)
        valid = local > 0.01 * norm  # digital silence: FFT noise over nothing is no match
        scores.append(float(np.max(xc[valid] / (local[valid] * norm))) if valid.any() else 0.0)
    return float(np.median(scores))


def dbfs(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-12))


async def voice_line(pilot: Pilot, app: GeminiLiveApp, start: str, timeout: float = 10) -> str:
    """Wait for a system or error line starting with `start`; return it."""

    def found() -> str | None:
        return next((t for t in texts(app) if t.startswith(start)), None)

    return await until(pilot, found, timeout)


async def mic_on(
    pilot: Pilot, app: GeminiLiveApp, sim: LiveSimulator, command: str = "/mic", more_than: int = 5
) -> str:
    """Type `command`, wait for its "microphone on: " line and for the simulator to have
    received more than `more_than` audio messages in all; return the line."""
    await type_line(pilot, command)
    line = await voice_line(pilot, app, "microphone on: ")
    await sim.wait_for(lambda: len(sim.realtime("audio")) > more_than, 5)
    return line


async def played_out(pilot: Pilot, app: GeminiLiveApp, timeout: float = 30) -> None:
    """Wait until the reply settled and the speaker has nothing left to play."""
    await until(pilot, lambda: any("simulator" in t for t in texts(app, "model")), timeout)
    engine = await app.feature_set.voice.engine()
    await until(pilot, lambda: engine.status().buffered_ms == 0, timeout)
    await pilot.pause(0.3)
