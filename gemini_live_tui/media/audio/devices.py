"""Audio devices: finds PortAudio lazily, lists and resolves devices, explains failures.

``sounddevice`` loads the PortAudio C library and scans the devices when it
is imported, and raises when the library is missing. The app must start
without audio, so nothing imports it at module level: ``portaudio()`` loads
it on first use and turns a missing library into a ``DeviceError`` that says
what to install, and a library that cannot start (a broken ALSA
configuration, a sound server that is gone) into one that says where to look. PortAudio errors (no device, busy device, unsupported
format) are translated into messages a user can act on, and so are streams
that stop or go silent while open (``stream_failure``), with the same words
for the microphone and the speaker.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

from ...compat import portaudio_library_name, restart_portaudio
from ..errors import DeviceError

Kind = Literal["input", "output"]

_PA_DEVICE_UNAVAILABLE = -9985
_PA_INVALID_DEVICE = -9996
_PA_INVALID_SAMPLE_RATE = -9997
_PA_INVALID_CHANNEL_COUNT = -9998

_lock = threading.Lock()
_module: ModuleType | None = None

INSTALL_HINT = (
    "Audio needs the PortAudio library, which was not found: install it "
    "(Debian/Ubuntu: `sudo apt install libportaudio2`, Fedora: `sudo dnf install portaudio`, "
    "macOS: `brew install portaudio`), then try again."
)

START_HINT = (
    "Audio is off: PortAudio could not start ({reason}). Check that the sound server "
    "(PulseAudio or PipeWire) runs and that ALSA's configuration is sound; "
    "`gemini-live doctor` checks both."
)


@dataclass(frozen=True, slots=True)
class AudioDevice:
    """One PortAudio device as the user sees it in `/mic devices`."""

    id: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False

    def supports(self, kind: Kind) -> bool:
        return (self.max_input_channels if kind == "input" else self.max_output_channels) > 0

    def label(self) -> str:
        return f"{self.id}: {self.name} ({self.host_api})"


def portaudio() -> ModuleType:
    """Return the ``sounddevice`` module, loading PortAudio on first use."""
    global _module
    if _module is not None:
        return _module
    with _lock:
        if _module is None:
            try:
                import sounddevice
            except (OSError, ImportError) as exc:
                raise DeviceError(INSTALL_HINT) from exc
            except Exception as exc:  # sounddevice.PortAudioError: Pa_Initialize failed
                raise DeviceError(START_HINT.format(reason=str(exc).split(" [")[0])) from exc
            _module = sounddevice
    return _module


def set_alsa_periods(periods: int) -> bool:
    """Ask PortAudio's ALSA backend for ``periods`` periods per device buffer (default 4).

    Fewer periods at the same device latency mean longer periods, so fewer
    wake-ups and Python callbacks per second. Affects streams opened
    afterwards. sounddevice's cffi declarations do not include this
    ALSA-specific call, but the library exports it: it is reached through
    ctypes on the same (already loaded) library. Returns False when this
    PortAudio has no ALSA backend or does not export it.
    """
    import ctypes

    sd = portaudio()
    try:
        lib = ctypes.CDLL(portaudio_library_name(sd))
        function = lib.PaAlsa_SetNumPeriods
    except (OSError, AttributeError):
        return False
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function(int(periods)) == 0


def reinitialise() -> None:
    """Restart PortAudio so it sees devices (and environment) that changed since it loaded.

    Only call this while no stream is open.
    """
    sd = portaudio()
    with _lock:
        restart_portaudio(sd)


def list_devices(kind: Kind | None = None) -> list[AudioDevice]:
    """All devices PortAudio knows, or only those that can capture/play."""
    sd = portaudio()
    try:
        raw = sd.query_devices()
        apis = sd.query_hostapis()
    except sd.PortAudioError as exc:
        raise device_error(exc, kind or "input") from exc
    default_in, default_out = _defaults(sd)
    devices = [
        AudioDevice(
            id=int(d["index"]),
            name=str(d["name"]),
            host_api=str(apis[d["hostapi"]]["name"]),
            max_input_channels=int(d["max_input_channels"]),
            max_output_channels=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default_input=int(d["index"]) == default_in,
            is_default_output=int(d["index"]) == default_out,
        )
        for d in raw
    ]
    return [d for d in devices if kind is None or d.supports(kind)]


def resolve_device(spec: int | str | None, kind: Kind) -> AudioDevice:
    """Pick a device by id, exact name or unique part of its name; ``None`` means the default."""
    devices = list_devices(kind)
    noun = "microphone" if kind == "input" else "speaker"
    if not devices:
        raise DeviceError(no_device_message(kind))
    if spec is None or spec == "":
        for d in devices:
            if d.is_default_input if kind == "input" else d.is_default_output:
                return d
        return devices[0]
    if isinstance(spec, int) or str(spec).strip().isdigit():
        wanted = int(spec)
        for d in devices:
            if d.id == wanted:
                return d
        raise DeviceError(f"No {noun} with id {wanted}. Available: {_names(devices)}.")
    text = str(spec).strip().casefold()
    exact = [d for d in devices if d.name.casefold() == text]
    if exact:
        return exact[0]
    partial = [d for d in devices if text in d.name.casefold()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise DeviceError(f"No {noun} named {spec!r}. Available: {_names(devices)}.")
    raise DeviceError(f"{spec!r} matches several {noun}s ({_names(partial)}): use the id instead.")


def no_device_message(kind: Kind) -> str:
    noun = "microphone (input)" if kind == "input" else "speaker (output)"
    return (
        f"No audio {noun} device found. Check that a sound server (PulseAudio or "
        "PipeWire) is running and a device is connected, then try again."
    )


def device_error(exc: BaseException, kind: Kind, device: AudioDevice | None = None) -> DeviceError:
    """Translate a PortAudio failure into a message the user can act on."""
    noun = "microphone" if kind == "input" else "speaker"
    name = f" {device.name!r}" if device else ""
    code = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else None
    text = str(exc.args[0]) if exc.args else str(exc)
    lowered = text.lower()
    if code == _PA_DEVICE_UNAVAILABLE or "unavailable" in lowered or "busy" in lowered:
        return DeviceError(
            f"The {noun}{name} is busy or unavailable: another program may be using it. "
            "Close it or pick another device, then try again."
        )
    if code == _PA_INVALID_DEVICE or "querying device -1" in lowered or "no default" in lowered:
        return DeviceError(no_device_message(kind))
    if code in (_PA_INVALID_SAMPLE_RATE, _PA_INVALID_CHANNEL_COUNT):
        return DeviceError(
            f"The {noun}{name} refused the audio format: {text}. Pick another device."
        )
    return DeviceError(f"The {noun}{name} failed: {text}.")


def native_format(sd: ModuleType, device: AudioDevice, kind: Kind) -> tuple[int, int]:
    """The device's own rate and up to two channels, checked; a DeviceError when refused."""
    rate = int(device.default_samplerate) or 48000
    channels = device.max_input_channels if kind == "input" else device.max_output_channels
    channels = max(1, min(channels, 2))
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=device.id, samplerate=rate, channels=channels, dtype="float32")
    except sd.PortAudioError as exc:
        raise device_error(exc, kind, device) from exc
    return rate, channels


def start_stream(stream, kind: Kind, device: AudioDevice) -> None:  # noqa: ANN001
    """Start an opened PortAudio stream; on failure close it and raise a DeviceError."""
    sd = portaudio()
    try:
        stream.start()
    except sd.PortAudioError as exc:
        stream.close(ignore_errors=True)
        raise device_error(exc, kind, device) from exc


def close_stream(stream) -> None:  # noqa: ANN001
    """Abort and close a PortAudio stream, ignoring errors (the device may be gone)."""
    try:
        stream.abort(ignore_errors=True)
    finally:
        stream.close(ignore_errors=True)


def stream_failure(
    kind: Kind,
    device: AudioDevice,
    *,
    finished: bool,
    started_at: float,
    last_callback: float,
    stall_after: float,
    startup: float,
    command: str,
    silence: str,
) -> DeviceError | None:
    """A DeviceError if an open stream ended or its callback stopped coming, else None.

    ``finished``: PortAudio ended the stream (device removed). ``last_callback``
    is the perf_counter of the last callback (0 before the first); until then
    ``startup`` is the grace period, after it ``stall_after``. ``command`` is
    the slash command that turns the device on (``/mic``), ``silence`` what a
    stalled device does not do (``delivers no audio``).
    """
    noun = "microphone" if kind == "input" else "speaker"
    if finished:
        return DeviceError(
            f"The {noun} {device.name!r} stopped (was it unplugged or removed?). "
            f"Pick a device with {command} devices and turn {command} on again."
        )
    last = last_callback or started_at
    limit = stall_after if last_callback else max(startup, stall_after)
    if started_at and time.perf_counter() - last > limit:
        return DeviceError(
            f"The {noun} {device.name!r} {silence}: it may be suspended or held by "
            "another program. Try again or pick another device."
        )
    return None


def _defaults(sd: ModuleType) -> tuple[int, int]:
    default = sd.default.device
    try:
        pair = (int(default[0]), int(default[1]))
    except (TypeError, ValueError, IndexError):
        pair = (-1, -1)
    if pair[0] < 0 or pair[1] < 0:
        apis = sd.query_hostapis()
        for api in apis:
            if pair[0] < 0 and api["default_input_device"] >= 0:
                pair = (int(api["default_input_device"]), pair[1])
            if pair[1] < 0 and api["default_output_device"] >= 0:
                pair = (pair[0], int(api["default_output_device"]))
    return pair


def _names(devices: list[AudioDevice]) -> str:
    return ", ".join(d.label() for d in devices)
