"""Duplex audio pipeline benchmark: CPU per second of audio, latencies, underruns.

Run:  uv run python benchmarks/audio_pipeline_bench.py             (about 40 s)
      uv run python benchmarks/audio_pipeline_bench.py --seconds 300   (the 5-minute soak)

1. Offline compute (no devices): capture processing (48 kHz stereo and
   16 kHz mono in → 16 kHz, AEC3, 40 ms chunks) plus the output callback's
   work, per second of audio.
2. Live duplex on a private PulseAudio null sink (needs pulseaudio,
   pulseaudio-utils, libportaudio2, libasound2-plugins): speaker and mic
   on, model audio arriving in 40 ms chunks on a real-time schedule (4 s
   turns, 1 s gaps), the speaker's echo coming back into the mic. Reports
   the process's CPU time per second (all threads: PortAudio callbacks,
   capture worker, AEC, asyncio), mic→wire latency (when a chunk's first
   sample reached the input callback, less the wait for the rest of its
   block → handed to send_audio; and from PortAudio's converter time, which
   adds the device's and sound server's buffering), wire→speaker latency (play() →
   first sample in the output callback, prebuffer included), underruns.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from audio_room import speech  # noqa: E402

from gemini_live_tui.media.audio.aec import EchoCanceller  # noqa: E402
from gemini_live_tui.media.audio.capture import CapturePipeline  # noqa: E402
from gemini_live_tui.media.audio.playback import PlaybackFeeder  # noqa: E402
from gemini_live_tui.media.audio.reference import PlayedReference  # noqa: E402


def offline(seconds: float = 20.0) -> None:
    voice48 = speech(seconds, 48000)[0]
    voice24 = speech(seconds, 24000)[0]
    for label, rate, channels in (("16 kHz mono mic", 16000, 1), ("48 kHz stereo mic", 48000, 2)):
        mic = speech(seconds, rate)[0] if rate != 48000 else voice48
        mic = np.repeat(mic[:, None], channels, axis=1).astype(np.float32)
        reference = PlayedReference(24000)
        feeder = PlaybackFeeder(24000, reference=reference)
        feeder.push(voice24)
        pipe = CapturePipeline(rate, canceller=EchoCanceller(16000, render_rate=24000))
        out = np.zeros(24000, np.float32)
        ref = np.zeros(24000, np.float32)
        block_in, block_out = rate // 100 * 2, 480  # ~20 ms device blocks
        t0 = time.process_time()
        pos = 0
        while pos < len(mic):
            feeder.fill(out[:block_out])
            n = reference.read_into(ref)
            pipe.process(mic[pos : pos + block_in], ref[:n])
            pos += block_in
        cpu = (time.process_time() - t0) / seconds
        print(f"offline, {label}: {cpu:.4f} s CPU per s of audio")


def start_pulse(directory: Path) -> tuple[subprocess.Popen, list[subprocess.Popen]]:
    socket = directory / "native"
    (directory / "default.pa").write_text(
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket}\n"
        "load-module module-null-sink sink_name=bench_sink rate=48000\n"
        "set-default-sink bench_sink\nset-default-source bench_sink.monitor\n"
    )
    (directory / "asound.conf").write_text(
        "pcm.!default { type pulse\n handle_underrun true }\nctl.!default { type pulse }\n"
    )
    (directory / "run").mkdir()
    os.environ.update(
        PULSE_SERVER=f"unix:{socket}",
        ALSA_CONFIG_PATH=f"/usr/share/alsa/alsa.conf:{directory / 'asound.conf'}",
    )
    env = dict(os.environ, XDG_RUNTIME_DIR=str(directory / "run"), HOME=str(directory))
    daemon = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "-n",
            "-F",
            str(directory / "default.pa"),
            "--use-pid-file=no",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if socket.exists():
            break
        time.sleep(0.1)
    keeper = subprocess.Popen(
        ["pacat", "--record", "--raw", "--latency-msec=20", "--device=bench_sink.monitor"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    return daemon, [keeper]


@contextlib.contextmanager
def private_pulse() -> Iterator[None]:
    """A private PulseAudio (``start_pulse`` in a temporary folder) while the block runs."""
    with tempfile.TemporaryDirectory() as tmp:
        daemon, helpers = start_pulse(Path(tmp))
        try:
            yield
        finally:
            for proc in (*helpers, daemon):
                proc.terminate()
                proc.wait(5)


async def live(seconds: float, **settings) -> None:  # noqa: ANN003
    from gemini_live_tui.media.audio.devices import reinitialise
    from gemini_live_tui.media.audio.engine import VoiceEngine, VoiceSettings

    reinitialise()

    def send_audio(pcm: bytes, rate: int = 16000) -> None:
        return None

    def send_end() -> None:
        return None

    errors: list = []
    engine = VoiceEngine(
        send_audio, send_end, on_error=errors.append, settings=VoiceSettings(**settings)
    )
    print(f"live settings: {engine.settings}")
    await engine.start_speaker()
    await engine.start_mic()
    await asyncio.sleep(1.0)
    voice = speech(4.0, 24000)[0]
    pcm = np.clip(voice * 32768, -32768, 32767).astype("<i2").tobytes()
    chunk = 1920  # 40 ms of 24 kHz s16le
    play_lat: list[float] = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    next_at = wall0
    while time.perf_counter() - wall0 < seconds:
        for k in range(0, len(pcm), chunk):  # one 4 s turn on a real-time schedule
            next_at += 0.04
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            engine.play(pcm[k : k + chunk], 24000)
        engine.end_of_turn()
        next_at += 1.0
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        play_lat += engine.playback_latencies()
        engine._speaker.arrivals.clear()  # noqa: SLF001 - measured per turn
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    status = engine.status()
    mic = np.array(engine.mic_latencies) * 1000
    adc = np.array(engine.mic_adc_latencies) * 1000
    play = np.array(play_lat) * 1000
    await engine.close()
    print(f"live duplex, {wall:.0f} s: {cpu / wall:.4f} s CPU per s (whole process)")
    print(
        f"  mic→wire latency ms: p50 {np.percentile(mic, 50):.1f}, p99 {np.percentile(mic, 99):.1f} (n={mic.size})"
    )
    if adc.size:
        print(
            f"  converter→wire (PortAudio inputBufferAdcTime) ms: p50 {np.percentile(adc, 50):.1f}, "
            f"p99 {np.percentile(adc, 99):.1f}"
        )
    print(
        f"  wire→speaker latency ms: p50 {np.percentile(play, 50):.1f}, p99 {np.percentile(play, 99):.1f} (n={play.size})"
    )
    print(
        f"  underruns {status.underruns}, overflow samples {status.overflow_samples}, "
        f"capture overruns {status.capture_overruns}, chunks sent {status.chunks_sent}, "
        f"dropped {status.chunks_dropped}, device errors {len(errors)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--input-block-ms", type=int, default=None, help="VoiceSettings value")
    parser.add_argument("--alsa-periods", type=int, default=None, help="VoiceSettings value")
    args = parser.parse_args()
    settings = {
        k: v
        for k, v in (("input_block_ms", args.input_block_ms), ("alsa_periods", args.alsa_periods))
        if v is not None
    }
    print(
        f"# audio pipeline benchmark, {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.2f}"
    )
    offline()
    with private_pulse():
        asyncio.run(live(args.seconds, **settings))


if __name__ == "__main__":
    main()
