"""The CPU floor of PortAudio on this stack: streams whose Python callbacks do nothing.

Run:  uv run python benchmarks/portaudio_floor_bench.py            (about 90 s)
      uv run python benchmarks/portaudio_floor_bench.py --seconds 15 --only raw

What the duplex pipeline cannot go below, whatever it computes: PortAudio's
ALSA backend, the ALSA→PulseAudio plugin and sounddevice's cffi callback
wrapper, with callbacks that only zero the output. Compared: an input plus
an output stream (what `VoiceEngine` opens) at three device latencies, one
full-duplex `sd.Stream`, one full-duplex `sd.RawStream` (bytes, no numpy
wrapping), raw input + output streams (what the engine opens), with PortAudio's ALSA buffer split into 2 periods instead of
its default 4 (`PaAlsa_SetNumPeriods`, through ctypes) and with 40 ms input
blocks. Whole-process CPU seconds per second, and callbacks per second.
Runs on a private PulseAudio null sink (like audio_pipeline_bench.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from audio_pipeline_bench import private_pulse  # noqa: E402

# (kind, device latency in s or PortAudio's "high", ALSA periods, input blocksize in ms
# or 0 for the host's choice)
CASES = (
    ("input + output", 0.03, 4, 0),
    ("input + output", 0.06, 4, 0),
    ("input + output", 0.10, 4, 0),
    ("duplex Stream", 0.03, 4, 0),
    ("duplex RawStream", 0.03, 4, 0),
    ("raw input + output", 0.03, 4, 0),
    ("input + output", 0.03, 2, 0),
    ("raw input + output", 0.03, 2, 0),
    ("raw input + output", 0.03, 2, 40),
    ("raw input + output", 0.06, 4, 0),
    ("raw input + output", "high", 4, 0),
)


def run_case(  # noqa: ANN001
    sd, kind: str, latency: float | str, seconds: float, periods: int = 4, block_ms: int = 0
) -> tuple[float, float, str]:
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

    def on_raw_input(indata, frames, t, status) -> None:  # noqa: ANN001
        calls[0] += 1

    def on_raw_output(outdata, frames, t, status) -> None:  # noqa: ANN001
        calls[0] += 1
        outdata[:] = bytes(len(outdata))

    set_alsa_periods(periods)
    common = dict(channels=1, dtype="float32", latency=latency)
    if kind == "raw input + output":
        streams = [
            sd.RawInputStream(
                samplerate=16000, callback=on_raw_input, blocksize=16 * block_ms, **common
            ),
            sd.RawOutputStream(samplerate=24000, callback=on_raw_output, **common),
        ]
    elif kind == "input + output":
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
    actual = "/".join(f"{s.latency * 1000:.0f}" for s in streams)
    for stream in streams:
        stream.abort()
        stream.close()
    set_alsa_periods(4)
    return cpu, rate, actual


def set_alsa_periods(periods: int) -> None:
    from gemini_live_tui.media.audio.devices import set_alsa_periods as apply

    if not apply(periods):
        raise SystemExit("PaAlsa_SetNumPeriods is not exported by this PortAudio")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--only", default="", help="run only cases whose label contains this")
    args = parser.parse_args()
    print(f"# PortAudio floor, {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.2f}")
    with private_pulse():
        from gemini_live_tui.media.audio.devices import portaudio, reinitialise

        reinitialise()
        sd = portaudio()
        for kind, latency, periods, block_ms in CASES:
            asked = f"{latency * 1000:3.0f} ms" if isinstance(latency, float) else latency
            label = (
                f"{kind:<18} latency {asked}, {periods} periods, "
                f"input block {f'{block_ms} ms' if block_ms else 'host'}"
            )
            if args.only not in label:
                continue
            cpu, rate, actual = run_case(sd, kind, latency, args.seconds, periods, block_ms)
            print(
                f"{label}: {cpu:.4f} s CPU per s, {rate:.0f} callbacks/s "
                f"(PortAudio's latency {actual} ms)",
                flush=True,
            )


if __name__ == "__main__":
    main()
