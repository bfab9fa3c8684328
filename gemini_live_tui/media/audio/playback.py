"""Playback path: model audio in, speaker out, with a prebuffer and instant barge-in.

``PlaybackFeeder`` is the device-free heart of the output callback: it copies
out of the playback ring, holds back the start of each turn until about
60 ms are buffered (network jitter), plays silence on underrun (counted),
applies a flush requested by ``interrupt`` at its next call (so barge-in
takes at most one callback period), and copies what it played into the echo
reference ring. ``SpeakerStream`` wraps it in a raw PortAudio output stream
(the callback copies bytes through memoryviews: no numpy wrapping of the
device buffer, no numpy call; the level meter is computed when the status
is read) and resamples model audio (24 kHz) to the device rate when the
device needs it.

Overflow policy: the playback ring holds ``buffer_seconds`` of audio (60 s by
default, 5.6 MB at 24 kHz float32), far more than the server sends ahead. If
it still fills, the newest samples that do not fit are dropped and counted
(``overflow_samples``): the producer may not move the consumer's read
index, and cutting the tail of a reply is less jarring than skipping its
middle.
"""

from __future__ import annotations

import threading
import time
from collections import deque

import numpy as np

from ..errors import DeviceError
from .devices import (
    AudioDevice,
    close_stream,
    device_error,
    native_format,
    portaudio,
    start_stream,
    stream_failure,
)
from .reference import PlayedReference
from .resample import StreamResampler, pcm16_to_float
from .ring import SampleRing

MODEL_RATE = 24000

IDLE, PRIMING, PLAYING = 0, 1, 2


class PlaybackFeeder:
    """Fills output blocks from the playback ring (runs on PortAudio's thread).

    Producer side (event loop): ``push``, ``end_of_turn``, ``interrupt``.
    Consumer side (callback): ``fill``.
    """

    def __init__(
        self,
        rate: int,
        *,
        prebuffer_ms: int = 60,
        buffer_seconds: float = 60.0,
        reference: PlayedReference | None = None,
    ) -> None:
        self.rate = rate
        self.ring = SampleRing(int(rate * buffer_seconds), 1)
        self.reference = reference
        self.prebuffer = rate * prebuffer_ms // 1000
        self.state = IDLE
        self._waited = 0
        self._turn_open = False  # producer-owned: more audio of this turn may come
        self.underruns = 0
        self.played = 0  # frames that reached the device (including silence)
        # Per-callback log for latency measurement: read start/end and time.
        self._log_start = np.zeros(1024, dtype=np.int64)
        self._log_end = np.zeros(1024, dtype=np.int64)
        self._log_time = np.zeros(1024, dtype=np.float64)
        self._log_count = 0
        self.last_callback = 0.0
        self._silence = bytes(rate // 10 * 4)  # 100 ms of float32 zeros; grown if a block is longer

    # -- producer ---------------------------------------------------------------
    def push(self, samples: np.ndarray) -> int:
        """Queue mono float32 samples at the device rate; return how many fit."""
        self._turn_open = True
        return self.ring.write(samples)

    def end_of_turn(self) -> None:
        """No more audio for this turn: play out what is buffered without waiting."""
        self._turn_open = False

    def interrupt(self) -> None:
        """Barge-in: drop everything queued; takes effect at the next callback."""
        self._turn_open = False
        self.ring.request_flush()

    @property
    def overflow_samples(self) -> int:
        return self.ring.dropped

    @property
    def buffered(self) -> int:
        return self.ring.available

    # -- consumer (PortAudio thread) --------------------------------------------
    def fill(self, out: np.ndarray, dac_time: float = 0.0, now: float = 0.0) -> None:
        """Write ``len(out)`` mono float32 samples into the array ``out``.

        ``dac_time`` and ``now``: PortAudio's times for the block (0: unknown),
        for the echo reference.
        """
        n = out.shape[0]
        self.ring.apply_flush()
        start = self.ring.read_position
        got = self.ring.read_into(out) if self._should_play(n) else 0
        self._settle(n, got, start)
        if got < n:
            out[got:] = 0.0
        if self.reference is not None:
            self.reference.write(out, dac_time, now)

    def fill_bytes(
        self,
        out: object,
        frames: int,
        dac_time: float = 0.0,
        now: float = 0.0,
        refilling: bool = False,
    ) -> None:
        """Write ``frames`` mono float32 samples into the raw writable buffer ``out``.

        The callback path of a raw output stream: memoryview copies only, no
        numpy call (the level meter is computed later, by ``level``).
        ``refilling``: the device is recovering from an under-run and will not
        play this block (PortAudio calls back in a burst to refill it): it gets
        silence, and the reply stays in the ring for the blocks that play.
        """
        ring = self.ring
        if refilling:
            self._silence_bytes(out, 0, frames)
            self.last_callback = time.perf_counter()
            if self.reference is not None:
                self.reference.write_bytes(out, dac_time, now)
            return
        ring.apply_flush()
        start = ring.read_position
        got = ring.read_into_bytes(out, frames) if self._should_play(frames) else 0
        self._settle(frames, got, start)
        if got < frames:
            self._silence_bytes(out, got, frames)
        if self.reference is not None:
            self.reference.write_bytes(out, dac_time, now)

    def _silence_bytes(self, out: object, start: int, end: int) -> None:
        fb = self.ring.frame_bytes
        silence = self._silence
        if len(silence) < end * fb:
            silence = self._silence = bytes(end * fb)
        memoryview(out).cast("B")[start * fb : end * fb] = silence[: (end - start) * fb]  # type: ignore[arg-type]

    def _should_play(self, n: int) -> bool:
        """The prebuffer state machine before a block of ``n``: may this block read the ring?"""
        if self.state != PLAYING:
            avail = self.ring.available
            if avail == 0:
                self.state = IDLE
                self._waited = 0
            else:
                if self.state == IDLE:
                    self.state = PRIMING
                    self._waited = 0
                if avail >= self.prebuffer or self._waited >= self.prebuffer or not self._turn_open:
                    self.state = PLAYING
                else:
                    self._waited += n
        return self.state == PLAYING

    def _settle(self, n: int, got: int, start: int) -> None:
        """After a block: underrun accounting and the per-callback log."""
        if self.state == PLAYING and got < n:
            if self._turn_open:
                self.underruns += 1
                self.state = PRIMING
                self._waited = 0
            else:
                self.state = IDLE
        k = self._log_count % self._log_start.shape[0]
        self._log_start[k] = start
        self._log_end[k] = start + got
        now = time.perf_counter()
        self._log_time[k] = now
        self._log_count += 1
        self.last_callback = now
        self.played += n

    @property
    def level(self) -> float:
        """RMS of what the last callback played (0..1), computed here rather than in the callback."""
        count = self._log_count
        if count == 0:
            return 0.0
        k = (count - 1) % self._log_start.shape[0]
        start, end = int(self._log_start[k]), int(self._log_end[k])
        if end <= start:
            return 0.0
        seg = self.ring.recent(start, end).reshape(-1)
        return float(np.sqrt(np.dot(seg, seg) / seg.shape[0]))

    # -- measurement ---------------------------------------------------------------
    def first_played_at(self, position: int) -> float | None:
        """perf_counter of the callback that played ring sample ``position`` (None if not yet/never)."""
        n = min(self._log_count, self._log_start.shape[0])
        hit = np.flatnonzero((self._log_start[:n] <= position) & (position < self._log_end[:n]))
        return float(self._log_time[hit[0]]) if hit.size else None


class SpeakerStream:
    """A running speaker: PortAudio output stream fed by a ``PlaybackFeeder``."""

    def __init__(
        self,
        device: AudioDevice,
        *,
        preferred_rate: int = MODEL_RATE,
        prebuffer_ms: int = 60,
        buffer_seconds: float = 60.0,
        latency: str | float = 0.03,
    ) -> None:
        self.device = device
        sd = portaudio()
        self.rate, self.channels = _pick_playback_format(sd, device, preferred_rate)
        # What was really played, for the echo canceller (1 s of slack).
        self.reference = PlayedReference(self.rate)
        self.feeder = PlaybackFeeder(
            self.rate,
            prebuffer_ms=prebuffer_ms,
            buffer_seconds=buffer_seconds,
            reference=self.reference,
        )
        self._mono = np.zeros(self.rate, dtype=np.float32)  # 1 s: more than any callback asks
        self._resamplers: dict[int, StreamResampler] = {}
        self._finished = threading.Event()
        self._stopping = False
        self.started_at = 0.0
        self.arrivals: deque[tuple[int, float]] = deque(maxlen=4096)
        try:
            self._stream = sd.RawOutputStream(
                device=device.id,
                samplerate=self.rate,
                channels=self.channels,
                dtype="float32",
                blocksize=0,  # fixed sizes stall the ALSA→PulseAudio plugin (design-audio.md)
                latency=latency,
                callback=self._callback,
                finished_callback=self._finished.set,
            )
        except sd.PortAudioError as exc:
            raise device_error(exc, "output", device) from exc

    def _callback(self, outdata, frames, time_info, status) -> None:  # noqa: ANN001
        dac, now = time_info.outputBufferDacTime, time_info.currentTime
        # After an under-run PortAudio refills the device in a burst, giving the
        # current time as the blocks' converter time: they are never played.
        refilling = 0.0 < dac <= now and status.output_underflow
        if self.channels == 1:  # the usual case: raw copies straight into the device buffer
            self.feeder.fill_bytes(outdata, frames, dac, now, refilling)
            return
        mono = (
            self._mono[:frames] if frames <= self._mono.shape[0] else np.zeros(frames, np.float32)
        )
        if refilling:
            mono[:] = 0.0
            self.feeder.last_callback = time.perf_counter()
            if self.feeder.reference is not None:
                self.feeder.reference.write(mono, dac, now)
        else:
            self.feeder.fill(mono, dac, now)
        out = np.frombuffer(outdata, dtype=np.float32).reshape(frames, self.channels)
        out[:] = mono[:, None]

    def start(self) -> None:
        self.started_at = time.perf_counter()
        start_stream(self._stream, "output", self.device)

    def stop(self) -> None:
        self._stopping = True
        close_stream(self._stream)

    def play(self, pcm: bytes, rate: int = MODEL_RATE, received_at: float | None = None) -> int:
        """Queue s16le mono PCM at ``rate``; return samples queued (device rate)."""
        samples = pcm16_to_float(pcm)
        if rate != self.rate:
            resampler = self._resamplers.get(rate)
            if resampler is None:
                resampler = self._resamplers[rate] = StreamResampler(rate, self.rate)
            samples = resampler.process(samples)
        if samples.size == 0:
            return 0
        position = self.feeder.ring.written
        self.arrivals.append((position, received_at or time.perf_counter()))
        return self.feeder.push(samples)

    def failure(self, stall_after: float, startup: float = 4.0) -> DeviceError | None:
        """A DeviceError if the device went away or stopped taking audio (see MicStream)."""
        if self._stopping:
            return None
        return stream_failure(
            "output",
            self.device,
            finished=self._finished.is_set(),
            started_at=self.started_at,
            last_callback=self.feeder.last_callback,
            stall_after=stall_after,
            startup=startup,
            command="/speak",
            silence="takes no audio",
        )

    def latencies(self) -> list[float]:
        """Seconds from each ``play`` call to its first sample in the output callback."""
        out = []
        for position, received in list(self.arrivals):
            played = self.feeder.first_played_at(position)
            if played is not None:
                out.append(played - received)
        return out

    @property
    def latency(self) -> float:
        return float(self._stream.latency)


def _pick_playback_format(sd, device: AudioDevice, preferred: int) -> tuple[int, int]:  # noqa: ANN001
    """The model's rate in mono when the device takes it, else its native rate and channels."""
    for rate, channels in ((preferred, 1), (preferred, 2)):
        try:
            sd.check_output_settings(
                device=device.id, samplerate=rate, channels=channels, dtype="float32"
            )
            return rate, channels
        except Exception:
            continue
    return native_format(sd, device, "output")
