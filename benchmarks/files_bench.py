"""@file budgets: CPU to load and convert a typical audio file and a large photo.

Writes, into a temporary folder, a 1-minute 44.1 kHz stereo 16-bit WAV
(a voice-like signal) and a 4000×3000 photo-like JPEG, then measures
`load_attachment` on each (median of several runs): process CPU time, wall
time and the Python-visible peak memory (tracemalloc, numpy included). For
the photo it also measures the naive path — full decode then resize — to
show what JPEG draft decoding saves. Then the event loop's lag (a proxy for
key-echo latency in the TUI) while both files load in a worker thread, as
the TUI will run them. Last, the CPU that `stream_pcm` spends pacing 5 s of
audio at real time.

Run:  uv run python benchmarks/files_bench.py  (about 20 s)
"""

from __future__ import annotations

import asyncio
import io
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import soundfile as sf
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gemini_live_tui.media.files.attachments import load_attachment  # noqa: E402
from gemini_live_tui.media.files.pacing import stream_pcm  # noqa: E402

RUNS = 5


def write_wav(path: Path) -> None:
    rate, seconds = 44100, 60
    t = np.arange(rate * seconds) / rate
    rng = np.random.default_rng(0)
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)  # syllable-rate loudness
    voice = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((180, 360, 540, 2200), 1))
    left = 0.2 * envelope * voice + 0.01 * rng.standard_normal(len(t))
    right = np.roll(left, 30)
    sf.write(path, np.stack([left, right], axis=1), rate, subtype="PCM_16")


def write_photo(path: Path) -> None:
    w, h = 4000, 3000
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    rng = np.random.default_rng(0)
    r = 128 + 100 * np.sin(x / 310) * np.cos(y / 270)
    g = 128 + 90 * np.sin((x + y) / 500)
    b = 128 + 80 * np.cos(x / 170 - y / 430)
    rgb = np.stack([r, g, b], axis=2) + rng.normal(0, 6, (h, w, 3)).astype(np.float32)
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).filter(ImageFilter.DETAIL)
    img.save(path, quality=90)


def measure(fn: Callable[[], object]) -> tuple[float, float, float]:
    """Median CPU ms, median wall ms, and peak traced MB of ``fn``."""
    cpu, wall = [], []
    for _ in range(RUNS):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(cpu), statistics.median(wall), peak / 2**20


def naive_photo(path: Path) -> bytes:
    with Image.open(path) as img:
        img = img.convert("RGB").resize((1280, 960), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=85)
        return buf.getvalue()


async def loop_lag_while_loading(paths: list[Path]) -> tuple[float, float, int]:
    """p99 and max lateness (ms) of a 10 ms ticker while ``paths`` load in a thread."""
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            t = time.perf_counter()
            await asyncio.sleep(0.010)
            lags.append((time.perf_counter() - t - 0.010) * 1000)

    task = asyncio.create_task(ticker())
    for _ in range(3):
        for path in paths:
            await asyncio.to_thread(load_attachment, path)
    done.set()
    await task
    lags.sort()
    return lags[int(len(lags) * 0.99)], lags[-1], len(lags)


async def pacing_cpu(seconds: float) -> tuple[float, float]:
    async def send_audio(_pcm: bytes, _rate: int) -> None:
        pass

    async def send_end() -> None:
        pass

    c0, w0 = time.process_time(), time.perf_counter()
    await stream_pcm(bytes(int(32000 * seconds)), send_audio, send_end)
    return (time.process_time() - c0) * 1000, time.perf_counter() - w0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wav, jpg = Path(tmp) / "talk.wav", Path(tmp) / "photo.jpg"
        write_wav(wav)
        write_photo(jpg)
        print(f"runs per figure: {RUNS} (median)")
        for label, path in (("1 min 44.1 kHz stereo WAV", wav), ("4000×3000 JPEG", jpg)):
            att = load_attachment(path)
            cpu, wall, peak = measure(lambda p=path: load_attachment(p))
            # tracemalloc sees numpy's buffers, not Pillow's: only the audio peak is real
            mem = f", peak {peak:.1f} MB" if att.kind == "audio" else ""
            print(f"{label}: cpu {cpu:.0f} ms, wall {wall:.0f} ms{mem}")
            print(f"    {att.info_line}")
        cpu, wall, _ = measure(lambda: naive_photo(jpg))
        print(f"4000×3000 JPEG, naive full decode + resize: cpu {cpu:.0f} ms, wall {wall:.0f} ms")
        p99, worst, n = asyncio.run(loop_lag_while_loading([wav, jpg]))
        print(
            f"event-loop lag while loading in a thread: p99 {p99:.1f} ms, max {worst:.1f} ms ({n} ticks)"
        )
        cpu, wall = asyncio.run(pacing_cpu(5.0))
        print(f"stream_pcm pacing 5 s of audio: cpu {cpu:.1f} ms over {wall:.3f} s wall")


if __name__ == "__main__":
    main()
