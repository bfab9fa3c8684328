"""The CPU floor of PortAudio on this stack: streams whose Python callbacks do nothing.

Run:  uv run python benchmarks/portaudio_floor_bench.py            (about 50 s)
      uv run python benchmarks/portaudio_floor_bench.py --seconds 15

What the duplex pipeline cannot go below, whatever it computes: PortAudio's
ALSA backend, the ALSA→PulseAudio plugin and sounddevice's cffi callback
wrapper, with callbacks that only zero the output. Compared: an input plus
an output stream (what `VoiceEngine` opens) at three device latencies, one
full-duplex `sd.Stream`, and one full-duplex `sd.RawStream` (bytes, no numpy
wrapping). Whole-process CPU seconds per second, and callbacks per second.
Runs on a private PulseAudio null sink (like audio_pipeline_bench.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from audio_pipeline_bench import start_pulse  # noqa: E402

CASES = (
    ("input + output", 0.03),
    ("input + output", 0.06),
    ("input + output", 0.10),
    ("duplex Stream", 0.03),
    ("duplex RawStream", 0.03),
)


def run_case(sd, kind: str, latency: float, seconds: float) -> tuple[float, float]:  # noqa: ANN001
    calls = [0]

    def on_input(indata, frames, t, status) -> None:  # noqa: ANN001
        calls[0] += 1

    def on_output(outdata, frames, t, status) -> None:  # noqa: ANN001
        calls[0] += 1
        outdata.fill(0)

    def on_duplex(indata, outdata, frames, t, status) -> None:  # noqa: ANN001
        calls[0] += 1
        outdata.fill(0)

    def on_raw(indata, outdata, frames, t, status) -> None:  # noqa: ANN001
        calls[0] += 1
        outdata[:] = bytes(len(outdata))

    common = dict(channels=1, dtype="float32", latency=latency)
    if kind == "input + output":
        streams = [
            sd.InputStream(samplerate=16000, callback=on_input, **common),
            sd.OutputStream(samplerate=24000, callback=on_output, **common),
        ]
    elif kind == "duplex Stream":
        streams = [sd.Stream(samplerate=24000, callback=on_duplex, **common)]
    else:
        streams = [sd.RawStream(samplerate=24000, callback=on_raw, **common)]
    for stream in streams:
        stream.start()
    time.sleep(1.0)
    cpu0, wall0, calls0 = time.process_time(), time.perf_counter(), calls[0]
    time.sleep(seconds)
    wall = time.perf_counter() - wall0
    cpu = (time.process_time() - cpu0) / wall
    rate = (calls[0] - calls0) / wall
    for stream in streams:
        stream.abort()
        stream.close()
    return cpu, rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    print(f"# PortAudio floor, {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as tmp:
        daemon, helpers = start_pulse(Path(tmp))
        try:
            from gemini_live_tui.media.audio_devices import portaudio, reinitialise

            reinitialise()
            sd = portaudio()
            for kind, latency in CASES:
                cpu, rate = run_case(sd, kind, latency, args.seconds)
                print(
                    f"{kind:<17} latency {latency * 1000:3.0f} ms: "
                    f"{cpu:.4f} s CPU per s, {rate:.0f} callbacks/s"
                )
        finally:
            for proc in (*helpers, daemon):
                proc.terminate()
                proc.wait(5)


if __name__ == "__main__":
    main()
