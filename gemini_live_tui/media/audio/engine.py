"""Voice engine: the one object the UI drives for /mic, /speak and push-to-talk.

It joins the capture path (microphone → 16 kHz → echo canceller → 40 ms
chunks → ``send_audio``) and the playback path (model audio → playback ring
→ speaker, whose output is the canceller's reference), watches the devices,
and publishes a ``VoiceStatus`` snapshot for the status bar. It knows nothing
of Textual or of the session object: it takes the session's non-waiting send
methods as plain callables, called on the event loop in the order things
happened (chunks and signals alike). Queueing and dropping belong to the
session's one outbound queue: audio that waits too long or piles up behind a
slow link is dropped there (oldest first), signals never are.

Typical wiring (the TUI)::

    engine = VoiceEngine(session.send_audio_nowait, session.send_audio_stream_end_nowait,
                         send_activity_start=lambda: session.send_nowait(ActivityStart()),
                         send_activity_end=lambda: session.send_nowait(ActivityEnd()),
                         dropped_audio=lambda: session.stats.audio_dropped,
                         on_error=lambda err: show(str(err)))
    await engine.start_mic()              # /mic on
    await engine.start_speaker()          # /speak on
    engine.play(event.pcm, event.rate)    # ModelAudio
    engine.interrupt()                    # Interrupted
    engine.end_of_turn()                  # GenerationComplete / TurnComplete
    engine.status()                       # poll for the status bar
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import DeviceError
from .aec import EchoCanceller
from .capture import WIRE_RATE, CaptureChunk, MicStream
from .devices import (
    AudioDevice,
    Kind,
    list_devices,
    reinitialise,
    resolve_device,
    set_alsa_periods,
)
from .playback import MODEL_RATE, SpeakerStream

log = logging.getLogger(__name__)

SendAudio = Callable[..., object]
"""Hands one chunk (pcm, rate) to the session's queue without waiting."""
SendSignal = Callable[[], object]


@dataclass(frozen=True, slots=True)
class VoiceSettings:
    """Profile settings of the audio engine."""

    aec_backend: str = "aec3"  # "aec3", "webrtc-legacy" or "none"
    noise_suppression: bool = False
    high_pass_filter: bool = True
    auto_gain_control: bool = False
    prebuffer_ms: int = 60
    buffer_seconds: float = 60.0
    chunk_ms: int = 40
    playback_rate: int = MODEL_RATE
    push_to_talk: bool = False
    latency: str | float = 0.03  # seconds of device buffer asked of PortAudio
    input_block_ms: int = (
        0  # microphone callback block in ms; 0: the host's choice (see docs/performance.md, Voice)
    )
    alsa_periods: int = 0  # periods per ALSA device buffer; 0 leaves PortAudio's default (4)
    # Skip the echo canceller while an open speaker plays silence, not only while no
    # speaker is open: less CPU, but replies after a pause leaked echo through the app
    # now and then (docs/performance.md, Voice), so off.
    canceller_rests_while_silent: bool = False
    stall_timeout: float = 2.0  # a running device silent this long is reported
    startup_timeout: float = 4.0  # grace before a new stream's first block


@dataclass(frozen=True, slots=True)
class VoiceStatus:
    """What the status bar shows; a snapshot, cheap to poll."""

    mic_on: bool
    speaker_on: bool
    muted: bool
    push_to_talk: bool
    talking: bool  # push-to-talk: the user holds the floor
    input_level: float  # RMS after echo cancellation, 0..1 of full scale
    output_level: float
    mic_device: str | None
    speaker_device: str | None
    capture_rate: int | None
    playback_rate: int | None
    aec_backend: str
    chunks_sent: int
    chunks_dropped: int  # network too slow: oldest queued audio chunks dropped
    capture_overruns: int
    underruns: int
    overflow_samples: int
    discarded_chunks: int  # model audio received while the speaker was off
    buffered_ms: float
    last_error: str | None


class VoiceEngine:
    """Full-duplex voice for a Live session; every method runs on the event loop."""

    def __init__(
        self,
        send_audio: SendAudio,
        send_audio_stream_end: SendSignal,
        *,
        send_activity_start: SendSignal | None = None,
        send_activity_end: SendSignal | None = None,
        dropped_audio: Callable[[], int] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
        settings: VoiceSettings | None = None,
        on_error: Callable[[DeviceError], None] | None = None,
        mic_device: int | str | None = None,
        speaker_device: int | str | None = None,
    ) -> None:
        self._send_audio = send_audio
        self._send_end = send_audio_stream_end
        self._send_activity_start = send_activity_start
        self._send_activity_end = send_activity_end
        self._dropped_audio = dropped_audio
        self._loop = loop
        self.settings = settings or VoiceSettings()
        self._on_error = on_error
        self.mic_spec = mic_device
        self.speaker_spec = speaker_device
        self._mic: MicStream | None = None
        self._speaker: SpeakerStream | None = None
        self._open = False  # chunks are taken between the first start and close
        self._watcher: asyncio.Task | None = None
        self._muted = False
        self._talking = False
        self._talk_window: tuple[float | None, float | None] = (None, None)
        self._last_captured = 0.0
        self._streaming = False  # audio sent since the last audioStreamEnd
        self.chunks_sent = 0
        self.discarded_chunks = 0
        self.last_error: str | None = None
        self.mic_latencies: deque[float] = deque(maxlen=20000)  # arrival → session queue
        self.mic_adc_latencies: deque[float] = deque(maxlen=20000)  # converter → session queue
        self._last_underruns = 0
        self._last_overflow = 0
        self._last_overruns = 0

    # -- devices ---------------------------------------------------------------
    async def devices(self, kind: Kind) -> list[AudioDevice]:
        """Devices for `/mic devices` (kind "input") or `/speak devices` ("output")."""
        return await asyncio.to_thread(list_devices, kind)

    async def use_mic(self, spec: int | str | None) -> AudioDevice:
        """`/mic use ID|NAME`: pick the microphone; a running mic moves to it."""
        device = await asyncio.to_thread(resolve_device, spec, "input")
        self.mic_spec = device.name if isinstance(spec, str) else device.id
        if self._mic is not None:
            await self.stop_mic()
            await self.start_mic()
        return device

    async def use_speaker(self, spec: int | str | None) -> AudioDevice:
        """`/speak use ID|NAME`: pick the speaker; a running speaker moves to it."""
        device = await asyncio.to_thread(resolve_device, spec, "output")
        self.speaker_spec = device.name if isinstance(spec, str) else device.id
        if self._speaker is not None:
            await self.stop_speaker()
            await self.start_speaker()
        return device

    # -- microphone -----------------------------------------------------------------
    @property
    def mic_on(self) -> bool:
        return self._mic is not None

    @property
    def speaker_on(self) -> bool:
        return self._speaker is not None

    async def start_mic(self) -> AudioDevice:
        """Open the microphone and start streaming; raises DeviceError with a user message."""
        if self._mic is not None:
            return self._mic.device
        self._ensure_tasks()
        mic = await asyncio.to_thread(self._open_mic)
        self._mic = mic
        self.last_error = None
        return mic.device

    def _open_mic(self) -> MicStream:
        if self._speaker is None:
            reinitialise()  # see devices added or removed since PortAudio loaded
        if self.settings.alsa_periods:
            set_alsa_periods(self.settings.alsa_periods)
        device = resolve_device(self.mic_spec, "input")
        speaker = self._speaker
        ref_rate = speaker.rate if speaker is not None else self.settings.playback_rate
        if ref_rate % 100:
            ref_rate = WIRE_RATE
        mic = MicStream(
            device,
            self._chunk_from_thread,
            canceller_factory=self._make_canceller,
            reference=speaker.reference if speaker is not None else None,
            reference_rate=ref_rate,
            chunk_ms=self.settings.chunk_ms,
            latency=self.settings.latency,
            block_ms=self.settings.input_block_ms,
            rest_while_silent=self.settings.canceller_rests_while_silent,
        )
        mic.start()
        return mic

    def _make_canceller(self, render_rate: int) -> EchoCanceller | None:
        s = self.settings
        if s.aec_backend == "none" and not (s.noise_suppression or s.auto_gain_control):
            return None
        return EchoCanceller(
            WIRE_RATE,
            render_rate=render_rate,
            backend=s.aec_backend,
            noise_suppression=s.noise_suppression,
            high_pass_filter=s.high_pass_filter,
            auto_gain_control=s.auto_gain_control,
        )

    async def stop_mic(self) -> None:
        """Close the microphone; sends the last partial chunk, then ``audioStreamEnd``
        (``activityEnd`` in push-to-talk: the service takes ``audioStreamEnd`` only with
        automatic activity detection)."""
        mic, self._mic = self._mic, None
        if mic is None:
            return
        self._last_overruns += mic.overruns
        if self._talking:
            await self.end_talking()
        tail = await asyncio.to_thread(mic.stop)
        if tail is not None:
            self._enqueue_chunk(tail)
        self._enqueue_end()

    def set_muted(self, muted: bool) -> None:
        """Keep the microphone open but send nothing (ends the audio stream)."""
        if muted and not self._muted:
            self._enqueue_end()
        self._muted = muted

    # -- push-to-talk ---------------------------------------------------------------
    async def begin_talking(self) -> None:
        """Push-to-talk pressed: ``activityStart``; audio flows until ``end_talking``."""
        if self._talking:
            return
        self._ensure_tasks()
        self._talking = True
        self._talk_window = (time.perf_counter(), None)
        self._hand_over("activity_start")

    async def end_talking(self) -> None:
        """Push-to-talk released: ``activityEnd`` after the audio already captured."""
        if not self._talking:
            return
        self._talking = False
        ended = time.perf_counter()
        self._talk_window = (self._talk_window[0], ended)
        # Audio captured before the release is still on its way from the device:
        # let it through first (at most ~one chunk and a device buffer).
        deadline = ended + 0.25
        while (
            self._mic is not None and self._last_captured < ended and time.perf_counter() < deadline
        ):
            await asyncio.sleep(0.01)
        self._hand_over("activity_end")

    async def toggle_talking(self) -> bool:
        if self._talking:
            await self.end_talking()
        else:
            await self.begin_talking()
        return self._talking

    # -- speaker ---------------------------------------------------------------------
    async def start_speaker(self) -> AudioDevice:
        if self._speaker is not None:
            return self._speaker.device
        self._ensure_tasks()
        speaker = await asyncio.to_thread(self._open_speaker)
        self._speaker = speaker
        self.last_error = None
        if self._mic is not None:
            self._mic.set_reference(speaker.reference, speaker.rate)
        return speaker.device

    def _open_speaker(self) -> SpeakerStream:
        if self._mic is None:
            reinitialise()
        if self.settings.alsa_periods:
            set_alsa_periods(self.settings.alsa_periods)
        device = resolve_device(self.speaker_spec, "output")
        speaker = SpeakerStream(
            device,
            preferred_rate=self.settings.playback_rate,
            prebuffer_ms=self.settings.prebuffer_ms,
            buffer_seconds=self.settings.buffer_seconds,
            latency=self.settings.latency,
        )
        speaker.start()
        return speaker

    async def stop_speaker(self) -> None:
        """Close the speaker; model audio is discarded from now on (transcripts still show)."""
        speaker, self._speaker = self._speaker, None
        if speaker is None:
            return
        if self._mic is not None:
            self._mic.set_reference(None, speaker.rate)
        self._last_underruns += speaker.feeder.underruns
        self._last_overflow += speaker.feeder.overflow_samples
        await asyncio.to_thread(speaker.stop)

    def play(self, pcm: bytes, rate: int = MODEL_RATE) -> None:
        """Queue model audio (s16le mono); returns at once. Discarded when the speaker is off."""
        speaker = self._speaker
        if speaker is None:
            self.discarded_chunks += 1
            return
        speaker.play(pcm, rate, received_at=time.perf_counter())

    def interrupt(self) -> None:
        """Barge-in: silence the speaker within one callback period."""
        if self._speaker is not None:
            self._speaker.feeder.interrupt()

    def end_of_turn(self) -> None:
        """The model's turn is complete: play out the tail without waiting for more."""
        if self._speaker is not None:
            self._speaker.feeder.end_of_turn()

    # -- status ---------------------------------------------------------------------
    def status(self) -> VoiceStatus:
        mic, speaker = self._mic, self._speaker
        feeder = speaker.feeder if speaker is not None else None
        return VoiceStatus(
            mic_on=mic is not None,
            speaker_on=speaker is not None,
            muted=self._muted,
            push_to_talk=self.settings.push_to_talk,
            talking=self._talking,
            input_level=mic.level if mic is not None else 0.0,
            output_level=feeder.level if feeder is not None else 0.0,
            mic_device=mic.device.name if mic is not None else None,
            speaker_device=speaker.device.name if speaker is not None else None,
            capture_rate=mic.rate if mic is not None else None,
            playback_rate=speaker.rate if speaker is not None else None,
            aec_backend=self.settings.aec_backend,
            chunks_sent=self.chunks_sent,
            chunks_dropped=self.chunks_dropped,
            capture_overruns=self._last_overruns + (mic.overruns if mic is not None else 0),
            underruns=self._last_underruns + (feeder.underruns if feeder is not None else 0),
            overflow_samples=self._last_overflow
            + (feeder.overflow_samples if feeder is not None else 0),
            discarded_chunks=self.discarded_chunks,
            buffered_ms=(feeder.buffered * 1000.0 / feeder.rate) if feeder is not None else 0.0,
            last_error=self.last_error,
        )

    def playback_latencies(self) -> list[float]:
        """Seconds from ``play`` to the first sample in the output callback (recent chunks)."""
        return self._speaker.latencies() if self._speaker is not None else []

    # -- lifecycle ------------------------------------------------------------------------
    async def close(self) -> None:
        """Stop both devices (the last chunk and the stream end go to the session), stop watching."""
        await self.stop_mic()
        await self.stop_speaker()
        self._open = False
        task, self._watcher = self._watcher, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def chunks_dropped(self) -> int:
        """Audio chunks the session dropped because the network fell behind (signals never are)."""
        if self._dropped_audio is None:
            return 0
        try:
            return self._dropped_audio()
        except Exception:  # no session yet
            return 0

    # -- internals ---------------------------------------------------------------------------
    def _ensure_tasks(self) -> None:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        self._open = True
        if self._watcher is None or self._watcher.done():
            self._watcher = self._loop.create_task(self._watch_loop(), name="voice-watch")

    def _chunk_from_thread(self, chunk: CaptureChunk) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._enqueue_chunk, chunk)

    def _enqueue_chunk(self, chunk: CaptureChunk) -> None:
        if not self._open or self._muted:
            return
        captured = chunk.captured_at if chunk.captured_at is not None else time.perf_counter()
        self._last_captured = max(self._last_captured, captured)
        if self.settings.push_to_talk and not self._in_talk_window(captured):
            return
        self._hand_over("audio", chunk)

    def _in_talk_window(self, captured: float) -> bool:
        """Push-to-talk: was this chunk captured while the user held the floor?"""
        start, end = self._talk_window
        return start is not None and captured >= start and (end is None or captured <= end)

    def _enqueue_end(self) -> None:
        if self._open:
            self._hand_over("end")

    def _hand_over(self, kind: str, chunk: CaptureChunk | None = None) -> None:
        """Give a chunk or a signal to the session's queue, in the order it happened."""
        try:
            if chunk is not None:
                now = time.perf_counter()
                if chunk.captured_at is not None:
                    self.mic_latencies.append(now - chunk.captured_at)
                if chunk.adc_at is not None:
                    self.mic_adc_latencies.append(now - chunk.adc_at)
                self._send_audio(chunk.pcm, WIRE_RATE)
                self.chunks_sent += 1
                self._streaming = True
            elif kind == "end":
                if self._streaming:
                    self._streaming = False
                    if not self.settings.push_to_talk:  # PTT ends a turn with activityEnd
                        self._send_end()
            elif kind == "activity_start" and self._send_activity_start is not None:
                self._send_activity_start()
            elif kind == "activity_end" and self._send_activity_end is not None:
                self._send_activity_end()
        except Exception as exc:  # the session reports its own failures
            log.warning("voice: sending %s failed: %s", kind, exc)

    async def _watch_loop(self) -> None:
        while True:
            await asyncio.sleep(0.2)
            stall = self.settings.stall_timeout
            mic = self._mic
            if mic is not None:
                error = mic.failure(stall, self.settings.startup_timeout)
                if error is not None and mic is self._mic:
                    await self.stop_mic()
                    self._report(error)
            speaker = self._speaker
            if speaker is not None:
                error = speaker.failure(stall, self.settings.startup_timeout)
                if error is not None and speaker is self._speaker:
                    await self.stop_speaker()
                    self._report(error)

    def _report(self, error: DeviceError) -> None:
        self.last_error = str(error)
        log.warning("voice: %s", error)
        if self._on_error is not None:
            try:
                self._on_error(error)
            except Exception:
                log.exception("voice: on_error handler failed")
