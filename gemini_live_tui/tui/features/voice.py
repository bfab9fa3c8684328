"""/mic and /speak in the app: commands, model audio, barge-in, push-to-talk, status, profile.

`media.audio.engine.VoiceEngine` does the audio; this feature connects it to
the app through the `Host` and is what the desktop tools call for the
microphone and speaker (`AppDesktop` in desktop.py). What it does:

- `/mic` and `/speak` (`on`, `off`, `devices`, `use ID|NAME`, `autostart
  on|off`; `/mic mute|unmute`). Device operations run in workers, one at a
  time in the order typed, so a slow device never holds up the input line;
  failures come back as one error line and the app keeps running.
- Model audio: the reducer's `PlayAudio` → `engine.play`, `FlushPlayback`
  (barge-in, `interrupted`) → `engine.interrupt`; the end of a generation
  lets the speaker play out the tail. With the speaker off the engine
  discards audio; transcripts are the reducer's and still show.
- Push-to-talk (Ctrl-T, the app's priority binding) toggles holding the
  floor: `activityStart` / `activityEnd`; the setup disables the server's
  detection (`voice_setup.voice_activity_config`).
- The status bar: `status` is called on the app's status interval and
  reads one `engine.status()` snapshot.
- The profile: devices picked with `use` and the autostart flags are saved
  in `[audio]` through the host's `ProfileStore`; autostart turns the
  devices on at the first connection.

The audio modules (numpy, soxr, livekit) are imported on first use, in a
thread, so they cost nothing at start-up; PortAudio loads only when a
device is opened or listed, and its absence is an error line that says what
to install.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any, Literal

from ...config import AudioSettings, ConfigError
from ...live import events as ev
from ...live.messages import ActivityEnd, ActivityStart
from ...media.errors import DeviceError, MediaError
from .. import state as st
from ..commands import Command, CommandContext, Outcome, error
from ..host import Feature, Host
from ..lines import Line
from ..voice_setup import engine_options

if TYPE_CHECKING:
    from ...media.audio.devices import AudioDevice
    from ...media.audio.engine import VoiceEngine, VoiceStatus

log = logging.getLogger(__name__)

Part = Literal["mic", "speak"]
TALK_KEY = "Ctrl-T"
MIC_USAGE = "/mic [on|off|devices|use ID|NAME|mute|unmute|autostart on|off]"
SPEAK_USAGE = "/speak [on|off|devices|use ID|NAME|autostart on|off]"
_NOUN = {"mic": "microphone", "speak": "speaker"}
_KIND = {"mic": "input", "speak": "output"}
_METER = ((-55.0, "▃"), (-40.0, "▅"), (-25.0, "▇"))


def level_meter(level: float) -> str:
    """Three cells for an RMS level (0..1 of full scale): "▁▁▁" silent … "▃▅▇" loud."""
    db = 20 * math.log10(level) if level > 0 else -120.0
    return "".join(glyph if db >= threshold else "▁" for threshold, glyph in _METER)


def mic_text(status: VoiceStatus) -> str:
    """The status bar's mic field: off, on ▃▅▁, muted, ptt ▁▁▁, floor ▃▅▁."""
    if not status.mic_on:
        return "off"
    if status.muted:
        return "muted"
    if status.push_to_talk:
        word = "floor" if status.talking else "ptt"
        return f"{word} {level_meter(status.input_level)}"
    return f"on {level_meter(status.input_level)}"


class Voice(Feature):
    """Voice for one app: the microphone and speaker behind /mic, /speak and the desktop tools."""

    events = (ev.GenerationComplete, ev.TurnComplete, ev.SetupComplete)
    effects = (st.PlayAudio, st.FlushPlayback)

    def __init__(self, host: Host, settings: AudioSettings | None = None) -> None:
        self.host = host
        self.settings = settings or AudioSettings()
        self._engine: VoiceEngine | None = None
        self._lock = asyncio.Lock()
        self._known: dict[Part, tuple[str, ...]] = {"mic": (), "speak": ()}
        self._autostart_checked = False

    def commands(self) -> tuple[Command, ...]:
        """/mic and /speak, with their sub-commands and the devices seen for completion."""
        parts: tuple[tuple[Part, str, str, tuple[str, ...]], ...] = (
            (
                "mic",
                MIC_USAGE,
                "microphone on/off, devices, mute",
                ("on", "off", "devices", "use", "mute", "unmute", "autostart"),
            ),
            (
                "speak",
                SPEAK_USAGE,
                "speaker on/off, devices",
                ("on", "off", "devices", "use", "autostart"),
            ),
        )
        return tuple(
            Command(
                part,
                usage,
                help_text,
                self._command_handler(part),
                subcommands=subs,
                choices=self._device_choices(part),
                choice_after=("use",),
            )
            for part, usage, help_text, subs in parts
        )

    def _device_choices(self, part: Part) -> Callable[[CommandContext], tuple[str, ...]]:
        """Completion after `/mic use` or `/speak use`: the devices seen so far."""
        return lambda ctx: self._known[part]

    # ----- the commands --------------------------------------------------------

    def _command_handler(self, part: Part) -> Callable[[CommandContext, tuple[str, ...]], Outcome]:
        def handler(ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
            return self.command(part, args)

        return handler

    def command(self, part: Part, args: tuple[str, ...]) -> Outcome:
        """/mic or /speak: checks the arguments, then runs the operation in a worker."""
        usage = MIC_USAGE if part == "mic" else SPEAK_USAGE
        sub = args[0].lower() if args else "toggle"
        rest = args[1:]
        if sub in ("toggle", "on", "off", "devices", "mute", "unmute") and rest:
            return error(f"usage: {usage}")
        if sub in ("mute", "unmute") and part != "mic":
            return error(f"usage: {usage}")
        if sub == "use" and len(rest) != 1:
            return error(f"usage: /{part} use ID|NAME (/{part} devices lists them)")
        if sub == "autostart" and (len(rest) != 1 or rest[0].lower() not in ("on", "off")):
            return error(f"usage: /{part} autostart on|off")
        operations: dict[str, Callable[[], Awaitable[Any]]] = {
            "toggle": lambda: self._switch(part, None),
            "on": lambda: self._switch(part, True),
            "off": lambda: self._switch(part, False),
            "devices": lambda: self._list(part),
            "use": lambda: self._use(part, rest[0] if rest else ""),
            "mute": lambda: self._mute(True),
            "unmute": lambda: self._mute(False),
            "autostart": lambda: self._autostart_command(part, rest[0].lower() == "on"),
        }
        operation = operations.get(sub)
        if operation is None:
            return error(f"usage: {usage}")
        self._spawn(self._reporting(operation, f"/{part} {sub}" if args else f"/{part}"))
        return Outcome()

    def _spawn(self, work: Awaitable[None]) -> None:
        self.host.spawn(work, "voice")

    async def _reporting(self, operation: Callable[[], Awaitable[Any]], what: str) -> None:
        """Run one operation after those typed before it; a failure becomes an error line.

        `MediaError` carries a message for the user. Anything else (a
        PortAudio error from re-initialising, a RuntimeError from the echo
        canceller's library, a bug of ours) is unexpected: one line naming
        the command and the error, the traceback to the log only.
        """
        try:
            async with self._lock:
                await operation()
        except MediaError as exc:
            self._say(str(exc), "error")
        except Exception as exc:
            log.exception("voice: %s failed unexpectedly", what)
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
            self._say(f"{what} failed: {reason} (details in the log)", "error")
        finally:
            self.refresh_status()

    def _say(self, text: str, role: str = "system") -> None:
        self.host.post_line(Line(role, text))

    async def _switch(self, part: Part, on: bool | None) -> None:
        engine = await self.engine()
        current = engine.mic_on if part == "mic" else engine.speaker_on
        want = (not current) if on is None else on
        if want == current:
            self._say(f"the {_NOUN[part]} is already {'on' if current else 'off'}")
            return
        await self._set(part, want)

    async def _list(self, part: Part) -> None:
        engine = await self.engine()
        devices = await engine.devices(_KIND[part])  # type: ignore[arg-type]
        self._known[part] = tuple(d.name for d in devices)
        if not devices:
            from ...media.audio.devices import no_device_message

            self._say(no_device_message(_KIND[part]), "error")  # type: ignore[arg-type]
            return
        status = engine.status()
        current = status.mic_device if part == "mic" else status.speaker_device
        for device in devices:
            default = device.is_default_input if part == "mic" else device.is_default_output
            marks = [
                m for m, on in (("in use", device.name == current), ("default", default)) if on
            ]
            suffix = f"  ({', '.join(marks)})" if marks else ""
            self._say(f"{device.label()}{suffix}", "info")
        self._say(f"/{part} use ID|NAME picks one")

    async def _use(self, part: Part, spec: str) -> None:
        device = await self._use_device(part, spec)
        self._say(f"{_NOUN[part]}: {device.label()} (saved in the profile)")

    async def _mute(self, muted: bool) -> None:
        engine = await self.engine()
        if not engine.mic_on:
            self._say("the microphone is off: /mic turns it on")
            return
        engine.set_muted(muted)
        self._say("microphone muted: nothing is sent" if muted else "microphone unmuted")

    async def _autostart_command(self, part: Part, on: bool) -> None:
        key = "mic_autostart" if part == "mic" else "speaker_autostart"
        await self._save(lambda audio: setattr(audio, key, on))
        verb = "will turn on" if on else "will not turn on"
        self._say(f"the {_NOUN[part]} {verb} at launch")

    # ----- operations (the commands and the desktop tools) ------------------------

    async def engine(self) -> VoiceEngine:
        """The voice engine, created (and the audio modules imported) on first use."""
        if self._engine is None:
            module = await asyncio.to_thread(
                importlib.import_module, "gemini_live_tui.media.audio.engine"
            )
            if self._engine is None:
                self._engine = module.VoiceEngine(
                    self._send_audio,
                    self._send_audio_stream_end,
                    send_activity_start=self._send_activity_start,
                    send_activity_end=self._send_activity_end,
                    dropped_audio=self._audio_dropped,
                    settings=module.VoiceSettings(**engine_options(self.settings)),
                    on_error=self._device_failed,
                    mic_device=self.settings.mic_device or None,
                    speaker_device=self.settings.speaker_device or None,
                )
        return self._engine

    async def _set(self, part: Part, on: bool) -> dict[str, Any]:
        engine = await self.engine()
        if part == "mic" and on:
            device = await engine.start_mic()
            status = engine.status()
            how = f"echo canceller {status.aec_backend}"
            if status.push_to_talk:
                how += f"; push-to-talk: {TALK_KEY} to take and give back the floor"
            self._say(f"microphone on: {device.name}, {status.capture_rate} Hz ({how})")
        elif part == "mic":
            await engine.stop_mic()
            self._say("microphone off")
        elif on:
            device = await engine.start_speaker()
            self._say(f"speaker on: {device.name}, {engine.status().playback_rate} Hz")
        else:
            await engine.stop_speaker()
            self._say("speaker off: model speech is not played (transcripts still show)")
        self.refresh_status()
        return self._part_state(engine, part)

    async def _use_device(self, part: Part, spec: str) -> AudioDevice:
        engine = await self.engine()
        if part == "mic":
            device = await engine.use_mic(spec)
        else:
            device = await engine.use_speaker(spec)
        key = "mic_device" if part == "mic" else "speaker_device"
        await self._save(lambda audio: setattr(audio, key, device.name))
        if device.name not in self._known[part]:
            self._known[part] += (device.name,)
        return device

    async def set_microphone(self, on: bool, device: str | None = None) -> dict[str, Any]:
        """Desktop tool: what `/mic use DEVICE` then `/mic on|off` do; raises `MediaError`."""
        return await self._set_part("mic", on, device)

    async def set_speaker(self, on: bool, device: str | None = None) -> dict[str, Any]:
        """Desktop tool: what `/speak use DEVICE` then `/speak on|off` do; raises `MediaError`."""
        return await self._set_part("speak", on, device)

    async def _set_part(self, part: Part, on: bool, device: str | None) -> dict[str, Any]:
        try:
            async with self._lock:
                if device:
                    picked = await self._use_device(part, device)
                    self._say(f"{_NOUN[part]}: {picked.label()} (saved in the profile)")
                engine = await self.engine()
                if on != (engine.mic_on if part == "mic" else engine.speaker_on):
                    return await self._set(part, on)
                return self._part_state(engine, part)
        finally:
            self.refresh_status()

    async def get_state(self) -> dict[str, Any]:
        """Desktop tool: `{"microphone": {...}, "speaker": {...}}`."""
        engine = self._engine
        if engine is None:
            off = {"on": False, "device": None}
            return {"microphone": dict(off, muted=False), "speaker": dict(off)}
        return {
            "microphone": self._part_state(engine, "mic"),
            "speaker": self._part_state(engine, "speak"),
        }

    def _part_state(self, engine: VoiceEngine, part: Part) -> dict[str, Any]:
        status = engine.status()
        if part == "mic":
            return {
                "on": status.mic_on,
                "device": status.mic_device,
                "muted": status.muted,
                "push_to_talk": status.push_to_talk,
            }
        return {"on": status.speaker_on, "device": status.speaker_device}

    async def toggle_talking(self) -> None:
        """Push-to-talk key: take the floor (turning the mic on if needed) or give it back."""
        if not self.settings.push_to_talk:
            self._say(
                f"{TALK_KEY} is push-to-talk, which is off: set push_to_talk = true under "
                "[audio] in the profile (gemini-live config shows the file) and restart"
            )
            return
        engine = await self.engine()
        if not engine.mic_on:
            await self._reporting(lambda: self._set("mic", True), f"{TALK_KEY} (push-to-talk)")
            if not engine.mic_on:
                return
        talking = await engine.toggle_talking()
        self.refresh_status()
        log.info("push-to-talk: %s", "holding the floor" if talking else "released")

    # ----- what the app routes here ----------------------------------------------

    def on_effect(self, effect: st.Effect) -> None:
        """`PlayAudio` and `FlushPlayback` from the reducer (runs on the event loop)."""
        engine = self._engine
        if engine is None:
            return  # the speaker was never turned on: nothing to play or flush
        if isinstance(effect, st.PlayAudio):
            engine.play(effect.pcm, effect.rate)
        elif isinstance(effect, st.FlushPlayback):
            engine.interrupt()

    def on_event(self, event: ev.Event) -> None:
        """End of a generation: play out the tail; first connection: the profile's autostart."""
        if isinstance(event, ev.GenerationComplete | ev.TurnComplete):
            if self._engine is not None:
                self._engine.end_of_turn()
        elif isinstance(event, ev.SetupComplete) and not self._autostart_checked:
            self._autostart_checked = True
            parts: list[Part] = []
            if self.settings.speaker_autostart:
                parts.append("speak")
            if self.settings.mic_autostart:
                parts.append("mic")
            for part in parts:
                self._spawn(
                    self._reporting(partial(self._switch, part, True), f"/{part} autostart")
                )

    def status(self) -> dict[str, Any]:
        """The bar's mic, speaker and audio counters from one engine snapshot."""
        engine = self._engine
        if engine is None:
            return {}
        status = engine.status()
        return {
            "mic": mic_text(status),
            "speaker": "on" if status.speaker_on else "off",
            "underruns": status.underruns,
            "mic_dropped": status.chunks_dropped + status.capture_overruns,
        }

    def refresh_status(self) -> None:
        self.host.patch_status(**self.status())

    async def aclose(self) -> None:
        if self._engine is not None:
            await self._engine.close()

    # ----- inside -------------------------------------------------------------------

    def _device_failed(self, exc: DeviceError) -> None:
        """A device failed while running (removed, stalled): one line, the status updated."""
        self._say(str(exc), "error")
        self.refresh_status()

    def _send_audio(self, pcm: bytes, rate: int = 16000) -> None:
        if (session := self.host.session) is not None:
            session.send_audio_nowait(pcm, rate)

    def _send_audio_stream_end(self) -> None:
        if (session := self.host.session) is not None:
            session.send_audio_stream_end_nowait()

    def _send_activity_start(self) -> None:
        if (session := self.host.session) is not None:
            session.send_nowait(ActivityStart())

    def _send_activity_end(self) -> None:
        if (session := self.host.session) is not None:
            session.send_nowait(ActivityEnd())

    def _audio_dropped(self) -> int:
        """Microphone chunks the session dropped because the network fell behind."""
        session = self.host.session
        return session.stats.audio_dropped if session is not None else 0

    async def _save(self, change: Callable[[AudioSettings], None]) -> None:
        """Apply `change` to the profile's `[audio]`, then to the settings in use.

        Raises `MediaError` if the profile cannot be written (the settings then stay).
        """
        store = self.host.profile_store
        try:
            await asyncio.to_thread(store.change, lambda profile: change(profile.audio))
        except (ConfigError, OSError) as exc:
            raise MediaError(f"could not save the audio settings in the profile: {exc}") from exc
        settings = replace(self.settings)
        change(settings)
        self.settings = settings
