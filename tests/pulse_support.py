"""A real PulseAudio server for tests, shared by every folder that needs audio devices.

The machine has no sound card. ``pulse`` starts a private PulseAudio daemon
with a null sink whose monitor is the default source, and points ALSA (and
so PortAudio) at it through ``ALSA_CONFIG_PATH``, without touching the
user's ``~/.asoundrc``. What the speaker plays comes back into the
microphone: a real echo path. Without the binaries the tests skip, unless
``GEMINI_LIVE_REQUIRE_DEVICES=1`` (CI), where they fail.

One daemon serves the whole pytest run even when several conftest.py files
import the fixtures (``tests/audio``, ``tests/integration_voice``): the
first ``pulse`` fixture starts it, the last one to finish stops it.

Also here: ``MonitorRecorder`` (records the sink with its own stream) and
the speech-like signal and correlation helpers the audio tests share.
"""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from system_packages import missing_package

SINK = "test_sink"
SINK_RATE = 48000
ALSA_MAIN = Path("/usr/share/alsa/alsa.conf")


@dataclass
class PulseServer:
    """A private PulseAudio daemon; ``pactl`` talks to it."""

    directory: Path
    process: subprocess.Popen
    env: dict[str, str]
    sink_module: str | None = None
    suspended: bool = False
    keeper: subprocess.Popen | None = None

    def pactl(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"pactl {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def load_sink(self) -> None:
        if self.sink_module is None:
            self.sink_module = self.pactl(
                "load-module", "module-null-sink", f"sink_name={SINK}", f"rate={SINK_RATE}"
            ).strip()
            self.pactl("set-default-sink", SINK)
            self.pactl("set-default-source", f"{SINK}.monitor")
        self.keep_awake()

    def keep_awake(self) -> None:
        """Hold a 20 ms recording of the monitor open, as a desktop's level meter would.

        An idle null sink runs with 2 s buffers and only notices a new
        low-latency stream at its next wake-up, so streams would take up to
        2 s to start; a real sound card does not behave like that.
        """
        if self.keeper is not None and self.keeper.poll() is None:
            return
        self.keeper = subprocess.Popen(
            ["pacat", "--record", "--raw", "--latency-msec=20", f"--device={SINK}.monitor"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)

    def unload_sink(self) -> None:
        """Make the device disappear, as if unplugged."""
        if self.sink_module is not None:
            self.pactl("unload-module", self.sink_module)
            self.sink_module = None

    def stop(self) -> None:
        for proc in (self.keeper, self.process):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def suspend(self, on: bool) -> None:
        """Suspend (hold) the sink and its monitor, or wake them up."""
        if on == self.suspended:
            return
        self.pactl("suspend-sink", SINK, "1" if on else "0")
        self.suspended = on
        if not on:
            # PulseAudio needs a moment to resume the monitor; a stream opened
            # before then never starts (the engine reports it as "no audio").
            time.sleep(1.0)

    def play_file(self, path: Path) -> subprocess.Popen:
        """Play a WAV into the sink with PulseAudio's own client (not our code)."""
        return subprocess.Popen(
            ["paplay", f"--device={SINK}", str(path)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def _start_pulse(directory: Path) -> PulseServer:
    run = directory / "run"
    run.mkdir(parents=True, exist_ok=True)
    socket = directory / "native"
    (directory / "default.pa").write_text(
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket}\n"
        f"load-module module-null-sink sink_name={SINK} rate={SINK_RATE}\n"
        f"set-default-sink {SINK}\n"
        f"set-default-source {SINK}.monitor\n"
    )
    # handle_underrun: report underruns to PortAudio so it recovers instead of
    # stalling when a loaded CI machine delays the callback thread.
    (directory / "asound.conf").write_text(
        "pcm.!default { type pulse\n handle_underrun true }\nctl.!default { type pulse }\n"
    )
    env = dict(os.environ)
    env.update(
        XDG_RUNTIME_DIR=str(run),
        PULSE_RUNTIME_PATH=str(run),
        PULSE_STATE_PATH=str(directory / "state"),
        PULSE_SERVER=f"unix:{socket}",
        PULSE_COOKIE=str(directory / "cookie"),
        ALSA_CONFIG_PATH=f"{ALSA_MAIN}:{directory / 'asound.conf'}",
        HOME=str(directory),  # keep the daemon out of the user's ~/.config/pulse
    )
    log = open(directory / "pulse.log", "w")  # noqa: SIM115 - lives as long as the daemon
    process = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--use-pid-file=no",
            "--system=false",
            "-n",
            "-F",
            str(directory / "default.pa"),
            "--log-target=stderr",
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    server = PulseServer(directory, process, env)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"pulseaudio exited: {(directory / 'pulse.log').read_text()[-2000:]}"
            )
        if socket.exists() and server.pactl("info", check=False):
            break
        time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("pulseaudio did not come up within 15 s")
    server.sink_module = next(
        line.split()[0]
        for line in server.pactl("list", "short", "modules").splitlines()
        if "module-null-sink" in line
    )
    server.keep_awake()
    return server


_ENV_KEYS = ("PULSE_SERVER", "ALSA_CONFIG_PATH", "PULSE_COOKIE")


@dataclass
class _Shared:
    """The one daemon of this pytest run and how many `pulse` fixtures hold it."""

    server: PulseServer | None = None
    users: int = 0
    saved_env: dict[str, str | None] | None = None


_shared = _Shared()


def _check_binaries() -> None:
    for binary in ("pulseaudio", "pactl", "paplay"):
        if shutil.which(binary) is None:
            missing_package(f"{binary} not installed (Debian: pulseaudio pulseaudio-utils)")
    if ctypes.util.find_library("portaudio") is None:
        missing_package("PortAudio not installed (Debian: libportaudio2)")
    if not Path("/usr/lib/x86_64-linux-gnu/alsa-lib/libasound_module_pcm_pulse.so").exists() and (
        not list(Path("/usr/lib").glob("*/alsa-lib/libasound_module_pcm_pulse.so"))
    ):
        missing_package("ALSA's pulse plugin not installed (Debian: libasound2-plugins)")


def _acquire(tmp_path_factory: pytest.TempPathFactory) -> PulseServer:
    if _shared.server is None:
        _check_binaries()
        directory = tmp_path_factory.mktemp("pulse")
        try:
            server = _start_pulse(directory)
        except Exception as exc:  # a broken daemon is a failure in CI, a skip elsewhere
            missing_package(f"PulseAudio could not start: {exc}")
        _shared.saved_env = {k: os.environ.get(k) for k in _ENV_KEYS}
        for k in _ENV_KEYS:
            os.environ[k] = server.env[k]
        from gemini_live_tui.media.audio.devices import reinitialise

        reinitialise()  # PortAudio read the environment when it loaded: reload it
        _shared.server = server
    _shared.users += 1
    return _shared.server


def _release() -> None:
    _shared.users -= 1
    if _shared.users > 0 or _shared.server is None:
        return
    _shared.server.stop()
    _shared.server = None
    for k, v in (_shared.saved_env or {}).items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    from gemini_live_tui.media.audio.devices import reinitialise

    reinitialise()


@pytest.fixture(scope="session")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """A running PulseAudio with a null sink, and PortAudio pointed at it."""
    server = _acquire(tmp_path_factory)
    try:
        yield server
    finally:
        _release()


@pytest.fixture
def sink(pulse: PulseServer) -> Iterator[PulseServer]:
    """The null sink, present and awake at the start (and end) of the test."""
    pulse.load_sink()
    pulse.suspend(False)
    yield pulse
    pulse.load_sink()
    pulse.suspend(False)


# -- an independent recorder of the sink's monitor ---------------------------------------


class MonitorRecorder:
    """Records the sink's monitor with its own PortAudio stream, timestamping each block."""

    def __init__(self, rate: int = 48000) -> None:
        from gemini_live_tui.media.audio.devices import portaudio

        sd = portaudio()
        self.rate = rate
        self.blocks: list[tuple[float, np.ndarray]] = []
        self._lock = threading.Lock()
        self._stream = sd.InputStream(
            samplerate=rate, channels=1, dtype="float32", latency=0.03, callback=self._callback
        )

    def _callback(self, indata, frames, time_info, status) -> None:  # noqa: ANN001
        now = time.perf_counter()
        with self._lock:
            self.blocks.append((now, indata[:, 0].copy()))

    def __enter__(self) -> MonitorRecorder:
        self._stream.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.stop()
        self._stream.close()

    def signal(self) -> tuple[np.ndarray, np.ndarray]:
        """All samples and, per sample, the (approximate) time it was captured."""
        with self._lock:
            blocks = list(self.blocks)
        if not blocks:
            return np.zeros(0, np.float32), np.zeros(0)
        samples = np.concatenate([b for _, b in blocks])
        times = np.concatenate([t - (len(b) - np.arange(len(b))) / self.rate for t, b in blocks])
        return samples, times


@pytest.fixture
def monitor() -> type[MonitorRecorder]:
    return MonitorRecorder


# -- signals -----------------------------------------------------------------------------


def speech_like(seconds: float, rate: int, seed: int = 0, pitch: float = 130.0) -> np.ndarray:
    """A voiced, syllabic signal with moving formants: speech enough for an echo canceller.

    Harmonics of a wandering pitch, shaped by two formants that change every
    syllable, gated at ~4 syllables per second with short pauses. No
    espeak-ng needed, so it runs in CI.
    """
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    out = np.zeros(n, dtype=np.float64)
    syllable = int(0.22 * rate)
    t_all = np.arange(n) / rate
    phase0 = rng.uniform(0, 2 * np.pi, 64)
    for start in range(0, n, syllable):
        end = min(n, start + syllable)
        if rng.random() < 0.15:
            continue  # a pause
        t = t_all[start:end]
        f0 = pitch * (1 + 0.15 * rng.standard_normal()) * (1 + 0.05 * np.sin(2 * np.pi * 3 * t))
        f1, f2 = rng.uniform(300, 900), rng.uniform(900, 2500)
        seg = np.zeros(end - start)
        for k in range(1, 40):
            fk = k * f0.mean()
            if fk > rate / 2 - 500:
                break
            gain = (
                np.exp(-(((fk - f1) / 150) ** 2)) + 0.6 * np.exp(-(((fk - f2) / 250) ** 2)) + 0.02
            )
            seg += gain / k**0.5 * np.sin(2 * np.pi * k * np.cumsum(f0) / rate + phase0[k])
        seg += 0.02 * rng.standard_normal(seg.shape)  # breath
        envelope = np.sin(np.pi * np.linspace(0, 1, end - start)) ** 0.7
        out[start:end] = seg * envelope
    out /= np.max(np.abs(out)) + 1e-9
    return (0.5 * out).astype(np.float32)


def best_correlation(a: np.ndarray, b: np.ndarray, max_lag: int) -> tuple[float, int]:
    """Peak normalised cross-correlation of ``b`` against ``a`` within ±max_lag samples."""
    n = min(len(a), len(b))
    a = a[:n] - np.mean(a[:n])
    b = b[:n] - np.mean(b[:n])
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.irfft(np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size)), size)
    lags = np.concatenate([np.arange(0, max_lag + 1), np.arange(-max_lag, 0)])
    values = spec[lags % size]
    k = int(np.argmax(values))
    norm = np.sqrt(np.dot(a, a) * np.dot(b, b)) + 1e-12
    return float(values[k] / norm), int(lags[k])


@pytest.fixture
def speech():  # noqa: ANN201
    """``speech(seconds, rate, seed=0, pitch=130.0)`` → float32 speech-like signal."""
    return speech_like


@pytest.fixture
def correlate():  # noqa: ANN201
    """``correlate(a, b, max_lag)`` → (peak normalised correlation, lag of b after a)."""
    return best_correlation
