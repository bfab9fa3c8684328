"""Echo canceller benchmark: echo return loss enhancement and double talk, per backend.

Run:  uv run python benchmarks/aec_bench.py [--signal recorded|synthetic]   (about 20 s)

The default signal is the committed espeak-ng recordings under tests/data/
(benchmarks/audio_room.py says how they were made), so runs are comparable
without espeak-ng installed; the report's first line names the signal.

Scenarios on speech through a simulated room (250 ms reverberation, mild
loudspeaker clipping): 60 ms delay; 150 ms delay; an echo-path change
halfway. ERLE is measured after 2 s of convergence (and, for the path
change, over the 2 s after the change and after re-convergence). Double
talk: near-end speech over the echo; its correlation with the clean
near-end at the best lag. CPU: process time per second of audio.

Backends side by side: aec3 (livekit), webrtc-legacy (the optional
`webrtc-audio-processing` 0.1.3: `uv sync --extra webrtc-legacy`) with and
without the room's true delay given through `set_stream_delay_ms` (the old
AEC does not find the delay by itself; AEC3 does), and none.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from audio_room import SIGNALS, room, speech  # noqa: E402

from gemini_live_tui.media.audio.aec import EchoCanceller  # noqa: E402
from gemini_live_tui.media.errors import MediaError  # noqa: E402

RATE = 16000
F = RATE // 100
SECONDS = 16.0


def pcm(x: np.ndarray) -> np.ndarray:
    return np.clip(x * 32768, -32768, 32767).astype(np.int16)


def run(
    backend: str, far: np.ndarray, mic: np.ndarray, delay_ms: int | None = None
) -> tuple[np.ndarray, float]:
    aec = EchoCanceller(RATE, backend=backend)
    if delay_ms is not None:
        aec.set_stream_delay_ms(delay_ms)
    f16, m16 = pcm(far), pcm(mic)
    out = np.zeros(len(far) // F * F, np.int16)
    frame = np.zeros(F, np.int16)
    t0 = time.process_time()
    for i in range(len(out) // F):
        aec.render_array(f16[i * F : (i + 1) * F])
        frame[:] = m16[i * F : (i + 1) * F]
        aec.capture_array(frame)
        out[i * F : (i + 1) * F] = frame
    cpu = (time.process_time() - t0) / (len(out) / RATE)
    return out.astype(np.float64) / 32768, cpu


def db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2) + 1e-12)


def erle(mic: np.ndarray, out: np.ndarray, start: float, end: float | None = None) -> float:
    s = slice(int(start * RATE), int(end * RATE) if end else len(out))
    return db(mic[s]) - db(out[s])


def best_corr(a: np.ndarray, b: np.ndarray, max_lag: int) -> float:
    n = min(len(a), len(b))
    a, b = a[:n] - a[:n].mean(), b[:n] - b[:n].mean()
    size = 1 << int(np.ceil(np.log2(2 * n)))
    xc = np.fft.irfft(np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size)), size)
    lags = np.concatenate([np.arange(0, max_lag + 1), np.arange(-max_lag, 0)])
    return float(np.max(xc[lags % size]) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def band(x: np.ndarray, lo: float = 300, hi: float = 3400) -> np.ndarray:
    """Telephone band: where intelligibility lives, and where a high-pass's phase shift is negligible."""
    spec = np.fft.rfft(x)
    f = np.fft.rfftfreq(len(x), 1 / RATE)
    spec[(f < lo) | (f > hi)] = 0
    return np.fft.irfft(spec, len(x))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signal", choices=SIGNALS, default="recorded")
    args = parser.parse_args()
    far, source = speech(SECONDS, RATE, signal=args.signal)
    near, _ = speech(6.0, RATE, near=True, signal=args.signal)
    noise = 1e-4 * np.random.default_rng(0).standard_normal(len(far))
    scenarios = {
        "60 ms delay": room(far, RATE, delay_ms=60) + noise,
        "150 ms delay": room(far, RATE, delay_ms=150) + noise,
        "path change at 8 s": room(far, RATE, delay_ms=60, change_at=8.0) + noise,
    }
    dt_start = 9.0
    near_track = np.zeros_like(far)
    near_track[int(dt_start * RATE) : int(dt_start * RATE) + len(near)] = 0.7 * near
    double_talk = scenarios["60 ms delay"] + near_track

    print(f"# AEC benchmark ({source}, {SECONDS:.0f} s at 16 kHz, RT 250 ms, tanh clipping)")
    print(f"date: {time.strftime('%Y-%m-%d')}\n")
    print(
        "| backend | ERLE 60 ms | ERLE 150 ms | path change: 2 s after / after 12 s "
        "| double talk corr: raw / 300-3400 Hz / vs echo-free output | CPU s/s |"
    )
    print("|---|---|---|---|---|---|")
    # (label, backend, hint the room's true delay with set_stream_delay_ms)
    rows = (
        ("aec3", "aec3", False),
        ("webrtc-legacy", "webrtc-legacy", False),
        ("webrtc-legacy, delay hinted", "webrtc-legacy", True),
        ("none", "none", False),
    )
    for label, backend, hinted in rows:
        hint60, hint150 = (60, 150) if hinted else (None, None)
        try:
            out60, cpu = run(backend, far, scenarios["60 ms delay"], hint60)
        except MediaError as exc:
            print(f"| {label} | not installed: {str(exc).split(':')[0]} | | | | |")
            continue
        out150, _ = run(backend, far, scenarios["150 ms delay"], hint150)
        outchg, _ = run(backend, far, scenarios["path change at 8 s"], hint60)
        outdt, _ = run(backend, far, double_talk, hint60)
        near_only, _ = run(backend, np.zeros_like(far), near_track, hint60)  # no echo
        talk = slice(int(dt_start * RATE), int(dt_start * RATE) + len(near))
        clean = near_track[talk]
        corr = (
            f"{best_corr(clean, outdt[talk], RATE // 10):.2f} / "
            f"{best_corr(band(clean), band(outdt[talk]), RATE // 10):.2f} / "
            f"{best_corr(near_only[talk], outdt[talk], RATE // 10):.2f}"
        )
        print(
            f"| {label} | {erle(scenarios['60 ms delay'], out60, 2.0):.1f} dB"
            f" | {erle(scenarios['150 ms delay'], out150, 2.0):.1f} dB"
            f" | {erle(scenarios['path change at 8 s'], outchg, 8.0, 10.0):.1f} /"
            f" {erle(scenarios['path change at 8 s'], outchg, 12.0):.1f} dB"
            f" | {corr} | {cpu:.4f} |"
        )


if __name__ == "__main__":
    main()
