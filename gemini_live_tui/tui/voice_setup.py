"""What the profile's `[audio]` table means for the setup and for the voice engine.

Two pure translations, kept apart from the voice feature so that `cli.py` can
build the setup without loading numpy, soxr or PortAudio:

- `voice_activity_config`: the `realtimeInputConfig` of the setup. With
  push-to-talk the server's automatic activity detection is disabled (the
  client sends `activityStart` / `activityEnd`); otherwise the profile's
  sensitivities, prefix padding and silence duration tune it.
- `engine_options`: the keyword arguments of `media.audio.engine.VoiceSettings`.
"""

from __future__ import annotations

from typing import Any

from ..config import AudioSettings, ConfigError
from ..live.messages import VoiceActivityConfig


def _sensitivity(value: str | None, edge: str, key: str) -> str | None:
    """ "high" / "low" / "START_SENSITIVITY_HIGH" → the wire's enum value."""
    if value is None:
        return None
    text = value.strip().upper()
    for level in ("HIGH", "LOW"):
        if text in (level, f"{edge}_SENSITIVITY_{level}"):
            return f"{edge}_SENSITIVITY_{level}"
    raise ConfigError(f'[audio] {key} = {value!r}: use "high" or "low"')


def voice_activity_config(audio: AudioSettings) -> VoiceActivityConfig | None:
    """The setup's voice activity settings; None leaves the server's defaults."""
    if audio.push_to_talk:
        return VoiceActivityConfig(disabled=True)
    for key in ("prefix_padding_ms", "silence_duration_ms"):
        value = getattr(audio, key)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ConfigError(f"[audio] {key} = {value!r}: use a whole number of milliseconds")
    config = VoiceActivityConfig(
        start_sensitivity=_sensitivity(audio.start_sensitivity, "START", "start_sensitivity"),
        end_sensitivity=_sensitivity(audio.end_sensitivity, "END", "end_sensitivity"),
        prefix_padding_ms=audio.prefix_padding_ms,
        silence_duration_ms=audio.silence_duration_ms,
    )
    return None if config == VoiceActivityConfig() else config


def engine_options(audio: AudioSettings) -> dict[str, Any]:
    """`VoiceSettings(**engine_options(audio))` for the profile's choices.

    An unknown `aec_backend` is not refused here: the echo canceller says
    what to install or pick when the microphone opens, and text chat works.
    """
    return {"aec_backend": audio.aec_backend, "push_to_talk": audio.push_to_talk}
