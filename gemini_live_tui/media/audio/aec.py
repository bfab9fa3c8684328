"""Echo canceller: keeps the model from hearing itself through the user's speakers.

Without headphones the microphone picks up the model's own voice, and the
server's voice detection then takes it for the user barging in. This module
puts an acoustic echo canceller behind one small interface of ours so the
rest of the audio engine, the benchmarks and the tests do not care which
library does the work.

Backends (picked by name, e.g. from the profile):

- ``"aec3"`` (default): WebRTC's AEC3 through ``livekit.rtc.AudioProcessingModule``,
  a maintained binding with prebuilt wheels. It also offers noise
  suppression, a high-pass filter and automatic gain control, and accepts the
  render reference at a different rate than the capture (it resamples
  internally), so the playback device's rate can be fed as is. With echo
  cancellation on, this binding always runs a high-pass stage (its
  ``high_pass_filter`` flag cannot turn it off), whose phase shift at low
  harmonics costs near-end speech about a third of its waveform correlation;
  a short phase equaliser after it (``HighPassEqualiser``) undoes that.
- ``"webrtc-legacy"``: the older WebRTC AEC through the optional
  ``webrtc-audio-processing`` package (extra ``webrtc-legacy``; built from
  source, uv supplies swig). It does not estimate the echo delay itself:
  without ``set_stream_delay_ms`` it removes only ~14 dB, with the right
  hint about as much as AEC3 (docs/performance.md, Voice). It is here for
  users who want it.
- ``"none"``: pass-through, for headphone users and for measurements.

Offline use (no devices), on 10 ms mono s16le frames::

    aec = EchoCanceller(sample_rate=16000)
    aec.process_render(far_frame)            # what the speaker played
    clean = aec.process_capture(mic_frame)   # what the microphone heard
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from ..errors import MediaError
from .resample import StreamResampler

BACKENDS = ("aec3", "webrtc-legacy", "none")
APM_RATES = (8000, 16000, 32000, 48000)


class _Backend(Protocol):
    """Processes 10 ms int16 frames in place."""

    def render(self, frame: np.ndarray) -> None: ...

    def capture(self, frame: np.ndarray) -> None: ...

    def set_stream_delay_ms(self, delay_ms: int) -> None: ...


class _FrameBuffer:
    """A reusable bytearray with an int16 numpy view, the shape FFI calls want."""

    def __init__(self, samples: int) -> None:
        self.raw = bytearray(samples * 2)
        self.view = np.frombuffer(self.raw, dtype=np.int16)


class HighPassEqualiser:
    """Undoes the phase shift of AEC3's fixed high-pass filter, for a small fixed delay.

    The filter is the time-reversed, energy-normalised first ``taps`` samples
    of the high-pass's impulse response ``h``: ``h`` followed by it is close
    to zero phase (a symmetric response peaking at ``taps - 1`` samples), so
    low harmonics come out in phase with the input again and the near-end
    speech keeps its waveform. Streaming on whole frames: the convolution
    tail of each frame is carried into the next.
    """

    def __init__(self, impulse_response: np.ndarray, taps: int) -> None:
        h = np.asarray(impulse_response, dtype=np.float64)[:taps]
        energy = float(np.sum(h**2))
        if energy <= 0:
            raise MediaError("The echo canceller's high-pass filter measured as silent.")
        self.taps = len(h)
        self._fir = (h[::-1] / energy).astype(np.float32)
        self._tail = np.zeros(self.taps - 1, dtype=np.float32)

    @property
    def delay_samples(self) -> int:
        return self.taps - 1

    def process(self, frame: np.ndarray) -> None:
        """Equalise one int16 frame in place (its length must be ≥ ``taps - 1``)."""
        y = np.convolve(frame.astype(np.float32), self._fir)
        n, k = len(frame), self.taps - 1
        y[:k] += self._tail
        self._tail[:] = y[n:]
        np.clip(y[:n], -32768, 32767, out=y[:n])
        np.rint(y[:n], out=y[:n])
        frame[:] = y[:n]


def measure_high_pass(rate: int, samples: int) -> np.ndarray:
    """The impulse response of livekit's high-pass stage at ``rate``: ``samples`` long.

    Pushed through a throwaway module with only the high-pass on (the same
    stage AEC3 mode runs, without AEC3's own 4 ms of delay), so it follows
    whatever filter the installed livekit uses.
    """
    from livekit import rtc

    apm = rtc.AudioProcessingModule(high_pass_filter=True)
    n = rate // 100
    buf = _FrameBuffer(n)
    frame = rtc.AudioFrame(buf.raw, rate, 1, n)
    scale = 16384.0
    out = []
    frames = 2 + -(-samples // n)
    for i in range(frames):
        buf.view[:] = 0
        if i == 2:  # a few frames of silence first: no start-up effects
            buf.view[0] = int(scale)
        apm.process_stream(frame)
        if i >= 2:
            out.append(buf.view.astype(np.float64) / scale)
    return np.concatenate(out)[:samples]


def measure_processing_delay(rate: int, **options: bool) -> int:
    """Samples by which livekit's module (with ``options``) delays the capture stream.

    An impulse through a throwaway module with the same options and a silent
    reference: AEC3 works on 64-sample blocks and holds back a fixed part of
    each 10 ms frame (128 samples at 16 kHz with this binding). Measured, not
    assumed, so it follows the installed livekit.
    """
    from livekit import rtc

    apm = rtc.AudioProcessingModule(**options)
    n = rate // 100
    buf, ref = _FrameBuffer(n), _FrameBuffer(n)
    frame, render = rtc.AudioFrame(buf.raw, rate, 1, n), rtc.AudioFrame(ref.raw, rate, 1, n)
    out = []
    for i in range(8):
        buf.view[:] = 0
        if i == 3:
            buf.view[0] = 16384
        apm.process_reverse_stream(render)
        apm.process_stream(frame)
        out.append(np.abs(buf.view.astype(np.int32)))
    return int(np.argmax(np.concatenate(out))) - 3 * n


class _Aec3:
    """WebRTC AEC3 via livekit's audio processing module."""

    EQUALISER_MS = 4  # 64 taps at 16 kHz; longer taps gain nothing (docs/design-audio.md)

    def __init__(
        self,
        rate: int,
        render_rate: int,
        *,
        echo_cancellation: bool,
        noise_suppression: bool,
        high_pass_filter: bool,
        auto_gain_control: bool,
    ) -> None:
        try:
            from livekit import rtc
        except ImportError as exc:  # pragma: no cover - livekit is a hard dependency
            raise MediaError(
                "The AEC3 echo canceller needs the 'livekit' package: reinstall gemini-live."
            ) from exc
        self._apm = rtc.AudioProcessingModule(
            echo_cancellation=echo_cancellation,
            noise_suppression=noise_suppression,
            high_pass_filter=high_pass_filter,
            auto_gain_control=auto_gain_control,
        )
        self._echo = echo_cancellation
        self._cap = _FrameBuffer(rate // 100)
        self._ren = _FrameBuffer(render_rate // 100)
        self._cap_frame = rtc.AudioFrame(self._cap.raw, rate, 1, rate // 100)
        self._ren_frame = rtc.AudioFrame(self._ren.raw, render_rate, 1, render_rate // 100)
        self._equaliser: HighPassEqualiser | None = None
        if echo_cancellation or high_pass_filter:
            taps = rate * self.EQUALISER_MS // 1000
            self._equaliser = HighPassEqualiser(measure_high_pass(rate, taps), taps)
        self.delay_samples = measure_processing_delay(
            rate,
            echo_cancellation=echo_cancellation,
            noise_suppression=noise_suppression,
            high_pass_filter=high_pass_filter,
            auto_gain_control=auto_gain_control,
        ) + (self._equaliser.delay_samples if self._equaliser is not None else 0)

    def render(self, frame: np.ndarray) -> None:
        self._ren.view[:] = frame
        self._apm.process_reverse_stream(self._ren_frame)

    def capture(self, frame: np.ndarray) -> None:
        self._cap.view[:] = frame
        self._apm.process_stream(self._cap_frame)
        frame[:] = self._cap.view
        if self._equaliser is not None:
            self._equaliser.process(frame)

    def set_stream_delay_ms(self, delay_ms: int) -> None:
        if self._echo:
            self._apm.set_stream_delay_ms(int(delay_ms))


class _WebrtcLegacy:
    """The pre-AEC3 WebRTC canceller via the optional webrtc-audio-processing package."""

    def __init__(self, rate: int, *, noise_suppression: bool, auto_gain_control: bool) -> None:
        try:
            from webrtc_audio_processing import AudioProcessingModule
        except ImportError as exc:
            import importlib.util
            import sys

            if importlib.util.find_spec("webrtc_audio_processing") is not None:
                raise MediaError(
                    "The 'webrtc-legacy' echo canceller is installed but cannot load on "
                    f"Python {sys.version_info.major}.{sys.version_info.minor} ({exc}); "
                    'its wrapper needs Python 3.11. Choose aec_backend = "aec3".'
                ) from exc
            raise MediaError(
                "The 'webrtc-legacy' echo canceller needs the optional package "
                "webrtc-audio-processing: `uv sync --extra webrtc-legacy` (builds from "
                "source in about a minute; needs a C++ compiler and the Python headers, "
                "uv supplies swig; with pip, install swig first), "
                'or choose aec_backend = "aec3".'
            ) from exc
        self._ap = AudioProcessingModule(
            aec_type=2, enable_ns=noise_suppression, agc_type=1 if auto_gain_control else 0
        )
        self._ap.set_stream_format(rate, 1)
        self._ap.set_reverse_stream_format(rate, 1)
        self._ap.set_aec_level(2)
        self.delay_samples: int | None = None  # not measured: no bypass while idle

    def render(self, frame: np.ndarray) -> None:
        self._ap.process_reverse_stream(frame.astype("<i2").tobytes())

    def capture(self, frame: np.ndarray) -> None:
        out = self._ap.process_stream(frame.astype("<i2").tobytes())
        frame[:] = np.frombuffer(out, dtype="<i2")

    def set_stream_delay_ms(self, delay_ms: int) -> None:
        self._ap.set_system_delay(int(delay_ms))


class _Passthrough:
    delay_samples = 0

    def render(self, frame: np.ndarray) -> None:
        return None

    def capture(self, frame: np.ndarray) -> None:
        return None

    def set_stream_delay_ms(self, delay_ms: int) -> None:
        return None


class EchoCanceller:
    """Acoustic echo canceller on 10 ms mono 16-bit frames.

    ``sample_rate`` is the capture rate (the microphone side, 16 kHz for the
    Live API). ``render_rate`` is the rate of the reference fed to
    ``process_render`` (defaults to ``sample_rate``); AEC3 takes any rate and
    resamples internally, the other backends get it resampled here.

    Feed every frame the speaker played to ``process_render`` and every
    microphone frame to ``process_capture``, interleaved in the order they
    happened; ``process_capture`` returns the microphone frame with the echo
    removed. Frames must be exactly 10 ms long.
    """

    def __init__(
        self,
        sample_rate: int = 16000,
        *,
        render_rate: int | None = None,
        backend: str = "aec3",
        echo_cancellation: bool = True,
        noise_suppression: bool = False,
        high_pass_filter: bool = True,
        auto_gain_control: bool = False,
    ) -> None:
        if sample_rate not in APM_RATES:
            raise MediaError(
                f"The echo canceller runs at {', '.join(map(str, APM_RATES))} Hz, not {sample_rate}."
            )
        if backend not in BACKENDS:
            raise MediaError(
                f"Unknown echo canceller {backend!r}: choose one of {', '.join(BACKENDS)}."
            )
        self.sample_rate = sample_rate
        self.render_rate = int(render_rate or sample_rate)
        if self.render_rate % 100:
            raise MediaError(f"The render rate {self.render_rate} Hz has no whole 10 ms frame.")
        self.backend = backend
        self.frame_samples = sample_rate // 100
        self.render_frame_samples = self.render_rate // 100
        self.echo_cancellation = echo_cancellation
        self.noise_suppression = noise_suppression
        self.high_pass_filter = high_pass_filter
        self.auto_gain_control = auto_gain_control
        self._render_resampler: StreamResampler | None = None
        self._render_pending = np.zeros(0, dtype=np.float32)
        impl: _Backend
        if backend == "aec3":
            impl = _Aec3(
                sample_rate,
                self.render_rate,
                echo_cancellation=echo_cancellation,
                noise_suppression=noise_suppression,
                high_pass_filter=high_pass_filter,
                auto_gain_control=auto_gain_control,
            )
        elif backend == "webrtc-legacy":
            impl = _WebrtcLegacy(
                sample_rate,
                noise_suppression=noise_suppression,
                auto_gain_control=auto_gain_control,
            )
            if self.render_rate != sample_rate:
                self._render_resampler = StreamResampler(self.render_rate, sample_rate)
        else:
            impl = _Passthrough()
        self._impl = impl
        self._frame = np.zeros(self.frame_samples, dtype=np.int16)
        # How far `capture_array` delays the microphone stream (None: unknown), so a
        # caller that skips the canceller while nothing plays can delay the raw
        # stream by as much and switch between the two without a seam.
        self.delay_samples: int | None = getattr(impl, "delay_samples", None)

    # -- public, bytes in/out ------------------------------------------------
    def process_render(self, frame: bytes) -> None:
        """Feed one 10 ms frame of what the speaker played (s16le mono at ``render_rate``)."""
        self.render_array(self._as_samples(frame, self.render_frame_samples))

    def process_capture(self, frame: bytes) -> bytes:
        """Clean one 10 ms microphone frame (s16le mono at ``sample_rate``)."""
        samples = self._as_samples(frame, self.frame_samples).copy()
        self.capture_array(samples)
        return samples.astype("<i2").tobytes()

    def set_stream_delay_ms(self, delay_ms: int) -> None:
        """Hint the render→capture delay; AEC3 also estimates it on its own."""
        self._impl.set_stream_delay_ms(delay_ms)

    # -- fast path for the audio engine: int16 arrays, in place -----------------
    def render_array(self, frame: np.ndarray) -> None:
        """Feed one 10 ms int16 reference frame at ``render_rate``."""
        if self._render_resampler is None:
            self._impl.render(frame)
            return
        # Backends that need equal rates get the reference resampled here.
        converted = self._render_resampler.process(frame.astype(np.float32) / 32768.0)
        pending = np.concatenate([self._render_pending, converted])
        n = self.frame_samples
        whole = len(pending) // n
        for k in range(whole):
            block = pending[k * n : (k + 1) * n]
            self._impl.render(np.clip(block * 32768.0, -32768, 32767).astype(np.int16))
        self._render_pending = pending[whole * n :]

    def capture_array(self, frame: np.ndarray) -> None:
        """Clean one 10 ms int16 capture frame in place."""
        self._impl.capture(frame)

    @staticmethod
    def _as_samples(frame: bytes, expected: int) -> np.ndarray:
        samples = np.frombuffer(frame, dtype="<i2")
        if samples.shape[0] != expected:
            raise MediaError(
                f"Echo canceller frames are 10 ms: {expected} samples expected, "
                f"got {samples.shape[0]}."
            )
        return samples
