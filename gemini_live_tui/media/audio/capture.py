"""Capture path: microphone blocks in, echo-cancelled 16 kHz chunks for the wire out.

``CapturePipeline`` is the device-free part (resample to 16 kHz, exact 10 ms
frames, echo cancellation against the playback reference, 40 ms chunks), so
it can be tested and benchmarked on arrays. ``MicStream`` owns the PortAudio
input stream, whose callback only copies into a preallocated ring, and a
worker thread that runs the pipeline and hands chunks to a callable.

The stream is a raw one (the callback copies the device's bytes into the
ring through memoryviews; no numpy array is built per callback). Its block
size is the host's choice by default; ``block_ms`` can ask for longer
blocks (fewer Python callbacks, but the samples wait in the device buffer
for the block to fill: docs/performance.md, Voice). Each chunk carries two
capture times: its first sample's arrival less the wait for the rest of its
block (block-size independent), and PortAudio's ``inputBufferAdcTime``
(when it was at the converter, device and sound-server buffering included).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import DeviceError
from .aec import EchoCanceller
from .devices import (
    AudioDevice,
    close_stream,
    device_error,
    native_format,
    portaudio,
    start_stream,
    stream_failure,
)
from .framing import Chunker, Framer
from .reference import PlayedReference
from .resample import StreamResampler
from .ring import SampleRing

WIRE_RATE = 16000
FRAME_SAMPLES = WIRE_RATE // 100
# A reference block whose peak is below -80 dBFS: the speaker is playing nothing.
SILENT_REFERENCE = 1e-4
# How long the canceller keeps working after the speaker last played sound: the
# echo still on its way through the device buffers and the room's reverberation.
ECHO_TAIL_MS = 1000
# AEC3 starts less sure of itself: fed its first seconds of microphone (even with a
# silent speaker) it removes ~10 dB more echo in the first seconds of the first
# reply than when that reply is the first thing it hears, so it is never skipped
# before it has processed this much.
WARM_UP_MS = 5000
# The reference may trail the microphone by this many 10 ms frames beyond the usual (the phase of the
# speaker's and the microphone's blocks); further behind, the microphone waits for it.
MAX_LAG_FRAMES = 3
# A late speaker callback delays the microphone by at most this much (250 ms); a speaker
# stalled for longer is given up on, and the canceller finds the echo again when it plays.
MAX_WAIT_FRAMES = 25


@dataclass(frozen=True, slots=True)
class CaptureChunk:
    """One chunk for ``realtimeInput.audio``: s16le mono at 16 kHz."""

    pcm: bytes
    first_sample: int  # index of its first sample in the 16 kHz stream
    rms: float  # after echo cancellation, 0..1 full scale
    # perf_counter when its first sample would have reached a callback had blocks been
    # one sample long: the callback's time minus the wait for the rest of its block
    # (a "callback timestamp" independent of the block size)
    captured_at: float | None = None
    # perf_counter when its first sample was at the converter (PortAudio's
    # inputBufferAdcTime): also counts the device's and sound server's buffering
    adc_at: float | None = None


class CapturePipeline:
    """Turns device-rate capture and playback reference into echo-free 16 kHz chunks.

    Call ``process(captured, reference)`` with whatever arrived since the last
    call: ``captured`` is ``(frames, channels)`` float32 at ``device_rate``,
    ``reference`` is mono float32 at ``reference_rate`` (what the speaker
    played). Render frames are fed to the canceller interleaved with capture
    frames in proportion, so the reference stays in step with the microphone.

    While no speaker is open (``reference`` is None) there is no echo to
    cancel, and the canceller is skipped after its warm-up and the echo tail
    of the last sound: each 10 ms frame would otherwise cost two calls into
    the library. With ``rest_while_silent`` it also rests while an open
    speaker plays silence, but through the app that made the reply after a
    pause leak echo now and then (docs/performance.md, Voice), so it is off. The
    microphone is then delayed by exactly the canceller's own processing
    delay, and when sound plays again the canceller is first given the last
    raw frames, so the stream on the wire has no seam either way; the
    canceller's filters are kept, so it resumes converged. Only with the echo
    canceller alone (noise suppression and gain control would change what the
    user hears in silence too) and a canceller whose delay is known.
    """

    def __init__(
        self,
        device_rate: int,
        *,
        canceller: EchoCanceller | None = None,
        chunk_ms: int = 40,
        rest_while_silent: bool = False,
    ) -> None:
        if chunk_ms % 10:
            raise ValueError("chunk_ms must be a multiple of 10")
        self.device_rate = device_rate
        self.canceller = canceller
        self._resampler = StreamResampler(device_rate, WIRE_RATE)
        self._capture_framer = Framer(FRAME_SAMPLES)
        self._reference_framer = (
            Framer(canceller.render_frame_samples) if canceller is not None else None
        )
        self.reference_rate = canceller.render_rate if canceller is not None else 0
        self._reference_resampler: StreamResampler | None = None
        self._chunker = Chunker(WIRE_RATE * chunk_ms // 1000)
        self._chunk_sq = 0.0
        self._frame = np.zeros(FRAME_SAMPLES, dtype=np.int16)
        self._render: list[np.ndarray] = []
        self._held: list[np.ndarray] = []  # microphone frames waiting for their reference
        self._lead = 0  # reference frames fed minus microphone frames cancelled
        self._settled = False  # the lead is measured from a step that had the reference
        self.capture_frames = 0  # frames through the canceller (or all frames without one)
        self.bypassed_frames = 0  # frames that skipped the canceller: nothing was playing
        delay = canceller.delay_samples if canceller is not None else None
        self._bypass = (
            delay is not None
            and not canceller.noise_suppression  # type: ignore[union-attr]
            and not canceller.auto_gain_control  # type: ignore[union-attr]
        )
        self._delay = delay or 0
        # The last raw frames, for the bypass's delay line and to prime the canceller.
        self._recent = np.zeros(FRAME_SAMPLES * (self._delay // FRAME_SAMPLES + 1), np.int16)
        self._joined = np.zeros(self._recent.shape[0] + FRAME_SAMPLES, np.int16)
        self._hold = 0  # capture frames the canceller must still process (the echo tail)
        self._tail_frames = ECHO_TAIL_MS // 10
        self._warm_up_frames = WARM_UP_MS // 10
        self._rest_while_silent = rest_while_silent
        self._cancelling = True

    def set_reference_rate(self, rate: int) -> None:
        """Say at which rate ``reference`` blocks come; resampled for the canceller if needed."""
        if self.canceller is None or rate == self.reference_rate:
            return
        self.reference_rate = rate
        target = self.canceller.render_rate
        self._reference_resampler = None if rate == target else StreamResampler(rate, target)

    def process(
        self, captured: np.ndarray, reference: np.ndarray | None = None
    ) -> list[CaptureChunk]:
        # Reference: whole render frames, as int16 copies (the framer reuses its buffer).
        render = self._render
        render.clear()
        sounding = False
        if reference is None:
            self._settled = False
        if reference is not None and reference.size and self._reference_framer is not None:
            if self._reference_resampler is not None:
                reference = self._reference_resampler.process(reference)
            sounding = float(np.max(np.abs(reference))) > SILENT_REFERENCE
            ref16 = _to_int16(reference)
            render.extend(f.copy() for f in self._reference_framer.frames(ref16))
        mic = _to_int16(self._resampler.process(captured)) if captured.size else None
        framer = self._capture_framer
        count = (framer.pending + mic.shape[0]) // framer.frame_samples if mic is not None else 0
        count += len(self._held)
        speaker_on = reference is not None and not self._rest_while_silent
        cancel = self.canceller is not None and (
            not self._bypass
            or speaker_on
            or sounding
            or self._hold > 0
            or self.capture_frames < self._warm_up_frames
        )
        if sounding:
            self._hold = count + self._tail_frames
        else:
            self._hold = max(0, self._hold - count)
        if cancel and not self._cancelling and self._bypass:
            self._prime()
        self._cancelling = cancel
        frames = self._held
        if mic is not None:
            frames.extend(f.copy() for f in framer.frames(mic))
        self._held = []
        # While the speaker is open, a microphone frame waits (at most MAX_WAIT_FRAMES)
        # for the reference of its time: the canceller must get the sound before its echo.
        waits = (
            cancel and self._settled and reference is not None and len(frames) <= MAX_WAIT_FRAMES
        )
        chunks: list[CaptureChunk] = []
        fed = 0
        for i, frame in enumerate(frames):
            if cancel:
                upto = -(-(i + 1) * len(render) // count)  # ceil: render leads capture
                while fed < len(render) and (fed < upto or self._lead <= -MAX_LAG_FRAMES):
                    self._feed_render(render[fed])
                    fed += 1
                if waits and self._lead <= -MAX_LAG_FRAMES:
                    self._held = frames[i:]
                    break
            chunk = self._capture(frame, cancel)
            if chunk is not None:
                chunks.append(chunk)
        if cancel:
            while fed < len(render):
                self._feed_render(render[fed])
                fed += 1
        if not waits:
            # The first step with this reference (what the microphone holds from before
            # it came sets the usual lead), a speaker stalled for good, or none open.
            self._lead = 0
            self._settled = reference is not None
        return chunks

    def new_reference(self) -> None:
        """The reference comes from a new speaker: measure the usual lead afresh."""
        self._settled = False

    def _prime(self) -> None:
        """Give the canceller the last raw frames (with a silent reference) before it resumes.

        Its output then continues exactly where the delayed bypass stopped,
        instead of starting with whatever it held from before the pause.
        """
        assert self.canceller is not None
        silence = np.zeros(self.canceller.render_frame_samples, np.int16)
        work = self._frame
        for start in range(0, self._recent.shape[0], FRAME_SAMPLES):
            self.canceller.render_array(silence)
            work[:] = self._recent[start : start + FRAME_SAMPLES]
            self.canceller.capture_array(work)

    @property
    def samples_to_next_chunk(self) -> int:
        """16 kHz samples still needed before the next chunk completes."""
        pending = (
            self._chunker.pending + self._capture_framer.pending + len(self._held) * FRAME_SAMPLES
        )
        return max(1, self._chunker.chunk_samples - pending)

    def flush(self) -> CaptureChunk | None:
        """The partial chunk left when the microphone stops."""
        start = self._chunker.position - self._chunker.pending
        pending = self._chunker.pending
        pcm = self._chunker.flush()
        if pcm is None:
            return None
        rms = math.sqrt(self._chunk_sq / max(pending, 1)) / 32768.0
        self._chunk_sq = 0.0
        return CaptureChunk(pcm=pcm, first_sample=start, rms=rms)

    def _feed_render(self, frame: np.ndarray) -> None:
        assert self.canceller is not None
        self.canceller.render_array(frame)
        self._lead += 1

    def _capture(self, frame: np.ndarray, cancel: bool = True) -> CaptureChunk | None:
        work = self._frame
        if self._bypass:
            # Keep the last raw frames: the bypass's delay line and the canceller's primer.
            joined, recent = self._joined, self._recent
            joined[: recent.shape[0]] = recent
            joined[recent.shape[0] :] = frame
            recent[:] = joined[FRAME_SAMPLES:]
        if cancel:
            work[:] = frame
            self.canceller.capture_array(work)  # type: ignore[union-attr]
            self.capture_frames += 1
            self._lead -= 1
        elif self._bypass:
            start = self._recent.shape[0] - self._delay
            work[:] = self._joined[start : start + FRAME_SAMPLES]
            self.bypassed_frames += 1
        else:
            work[:] = frame
            self.capture_frames += 1
        f = work.astype(np.float32)
        self._chunk_sq += float(np.dot(f, f))
        start = self._chunker.position - self._chunker.pending
        pcm = self._chunker.add(work)
        if pcm is None:
            return None
        rms = math.sqrt(self._chunk_sq / self._chunker.chunk_samples) / 32768.0
        self._chunk_sq = 0.0
        return CaptureChunk(pcm=pcm, first_sample=start, rms=rms)


def _to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(samples * 32768.0, -32768.0, 32767.0).astype(np.int16)


class _CallbackClock:
    """Remembers, per recent callback, which frames arrived and when the first was captured.

    ``mark`` runs in the callback: two stores into preallocated arrays.
    ``time_of`` (worker side) interpolates within the block at the device rate.
    """

    def __init__(self, rate: int, size: int = 512) -> None:
        self.rate = rate
        self.ends = np.zeros(size, dtype=np.int64)
        self.firsts = np.zeros(size, dtype=np.float64)  # callback time − block duration
        self.adcs = np.zeros(size, dtype=np.float64)  # converter time of each block's first sample
        self.frames = np.zeros(size, dtype=np.int64)
        self.count = 0
        self.last = 0.0

    def mark(self, end: int, frames: int, now: float, adc_age: float) -> None:
        """A block of ``frames`` ending at stream position ``end`` arrived at ``now``.

        ``adc_age``: seconds since its first sample was at the converter.
        """
        k = self.count % self.ends.shape[0]
        self.ends[k] = end
        self.frames[k] = frames
        self.firsts[k] = now - frames / self.rate
        self.adcs[k] = now - adc_age
        self.last = now
        self.count += 1

    def time_of(self, frame_index: int) -> tuple[float, float] | None:
        """(arrival, converter) perf_counter times of ``frame_index`` (None if forgotten)."""
        n = min(self.count, self.ends.shape[0])
        if n == 0:
            return None
        later = np.flatnonzero(self.ends[:n] > frame_index)
        if later.size == 0:
            return None
        # ends grow monotonically: the smallest end past the index is its block
        k = later[np.argmin(self.ends[later])]
        offset = max(0, frame_index - (int(self.ends[k]) - int(self.frames[k]))) / self.rate
        return float(self.firsts[k]) + offset, float(self.adcs[k]) + offset


class MicStream:
    """A running microphone: PortAudio input stream + capture worker thread.

    ``on_chunk`` is called on the worker thread for each chunk (it should hand
    the chunk to the event loop and return). ``reference`` is the playback
    reference ring (or None when nothing plays); it can be swapped while
    running with ``set_reference``.
    """

    def __init__(
        self,
        device: AudioDevice,
        on_chunk: Callable[[CaptureChunk], None],
        *,
        canceller_factory: Callable[[int], EchoCanceller | None],
        reference: PlayedReference | None = None,
        reference_rate: int = 24000,
        chunk_ms: int = 40,
        latency: str | float = 0.03,
        block_ms: int = 0,
        rest_while_silent: bool = False,
    ) -> None:
        self.device = device
        self._on_chunk = on_chunk
        sd = portaudio()
        self.rate, self.channels = _pick_capture_format(sd, device)
        self._ring = SampleRing(self.rate * 2, self.channels)  # 2 s of slack
        self._clock = _CallbackClock(self.rate)
        self._reference = (reference, reference_rate)
        self.canceller = canceller_factory(reference_rate)
        self.pipeline = CapturePipeline(
            self.rate,
            canceller=self.canceller,
            chunk_ms=chunk_ms,
            rest_while_silent=rest_while_silent,
        )
        self._wake = threading.Event()
        self._wake_frames = self.rate * chunk_ms // 1000
        self._stop = threading.Event()
        self._finished = threading.Event()
        self._stopping = False
        self.level = 0.0
        self.overruns = 0
        self.error: str | None = None
        self.started_at = 0.0
        self._seen_reference: PlayedReference | None = None
        self._ref_scratch = np.zeros(48000, dtype=np.float32)
        self._cap_scratch = np.zeros((self.rate * 2, self.channels), dtype=np.float32)
        try:
            self._stream = sd.RawInputStream(
                device=device.id,
                samplerate=self.rate,
                channels=self.channels,
                dtype="float32",
                # one callback per wire chunk (0: whatever the host prefers); the
                # Framer makes exact 10 ms frames from any block size
                blocksize=self.rate * block_ms // 1000,
                latency=latency,
                callback=self._callback,
                finished_callback=self._on_finished,
            )
        except sd.PortAudioError as exc:
            raise device_error(exc, "input", device) from exc
        self._worker = threading.Thread(target=self._run, name="mic-capture", daemon=True)

    # -- PortAudio thread ---------------------------------------------------------
    def _callback(self, indata, frames, time_info, status) -> None:  # noqa: ANN001
        now = time.perf_counter()
        if status and status.input_overflow:
            self.overruns += 1
        self._ring.write_bytes(indata)
        adc = time_info.inputBufferAdcTime
        # How long ago the block's first sample was captured, by PortAudio's clock;
        # hosts that do not know say 0: then assume it just filled.
        age = time_info.currentTime - adc if adc > 0 else frames / self.rate
        self._clock.mark(self._ring.written, frames, now, age)
        if self._ring.available >= self._wake_frames:
            self._wake.set()  # a whole chunk is there: wake the worker once per chunk

    def _on_finished(self) -> None:
        self._finished.set()
        self._wake.set()

    # -- control ------------------------------------------------------------------
    def start(self) -> None:
        self.started_at = time.perf_counter()
        start_stream(self._stream, "input", self.device)
        self._worker.start()

    def set_reference(self, ring: PlayedReference | None, rate: int) -> None:
        """Use ``ring`` (mono float32 at ``rate``) as the echo reference from now on."""
        self._reference = (ring, rate)

    def stop(self) -> CaptureChunk | None:
        """Stop capturing; return the last partial chunk (not passed to ``on_chunk``)."""
        self._stopping = True
        close_stream(self._stream)
        self._stop.set()
        self._wake.set()
        if self._worker.is_alive():
            self._worker.join(timeout=2.0)
        return self.pipeline.flush()

    def failure(self, stall_after: float, startup: float = 4.0) -> DeviceError | None:
        """A DeviceError if the device went away or stopped delivering audio.

        ``startup`` is the grace period before the first block (sound servers
        can take a second or two to start a stream), ``stall_after`` the
        longest silence from the device after that.
        """
        if self._stopping:
            return None
        stalled = stream_failure(
            "input",
            self.device,
            finished=self._finished.is_set(),
            started_at=self.started_at,
            last_callback=self._clock.last,
            stall_after=stall_after,
            startup=startup,
            command="/mic",
            silence="delivers no audio",
        )
        if stalled is None and self.error:
            return DeviceError(self.error)
        return stalled

    @property
    def latency(self) -> float:
        return float(self._stream.latency)

    # -- worker thread ----------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self._wake.wait(0.25)
                self._wake.clear()
                self._step()
        except Exception as exc:  # surfaces through failure()
            self.error = f"Microphone processing failed: {exc}"

    def _step(self) -> None:
        n = self._ring.read_into(self._cap_scratch)
        captured = self._cap_scratch[:n]
        ref = None
        reference, rate = self._reference
        if reference is not None:
            if reference is not self._seen_reference:
                reference.discard()  # stale audio from before this microphone listened
                self._seen_reference = reference
                self.pipeline.new_reference()
            self.pipeline.set_reference_rate(rate)
            m = reference.read_into(self._ref_scratch)
            ref = self._ref_scratch[:m]
        if n == 0 and (ref is None or ref.size == 0):
            return
        chunks = self.pipeline.process(captured, ref)
        # Wake again when the next chunk can complete (leftovers count towards it).
        missing = self.pipeline.samples_to_next_chunk
        self._wake_frames = max(1, -(-missing * self.rate // WIRE_RATE))
        for chunk in chunks:
            self.level = chunk.rms
            device_index = chunk.first_sample * self.rate // WIRE_RATE
            times = self._clock.time_of(device_index)
            stamped = CaptureChunk(
                pcm=chunk.pcm,
                first_sample=chunk.first_sample,
                rms=chunk.rms,
                captured_at=times[0] if times else None,
                adc_at=times[1] if times else None,
            )
            self._on_chunk(stamped)


def _pick_capture_format(sd, device: AudioDevice) -> tuple[int, int]:  # noqa: ANN001
    """16 kHz mono when the device takes it, else its native rate and channel count."""
    try:
        sd.check_input_settings(device=device.id, samplerate=WIRE_RATE, channels=1, dtype="float32")
        return WIRE_RATE, 1
    except Exception:
        pass
    return native_format(sd, device, "input")
