"""Client messages of the Live API as typed values, and their wire form.

Each message knows how to turn itself into the JSON object the service
expects (camelCase, exactly one top-level key). Absent optional fields are
left out of the wire form rather than sent as null, because the service (and
google-genai's pydantic models, which forbid unknown or misspelt fields) is
strict about shapes.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Literal

JsonDict = dict[str, Any]

Modality = Literal["AUDIO", "TEXT"]
Scheduling = Literal["INTERRUPT", "WHEN_IDLE", "SILENT"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _drop_none(d: JsonDict) -> JsonDict:
    return {k: v for k, v in d.items() if v is not None}


@dataclass(frozen=True, slots=True)
class VoiceActivityConfig:
    """Server-side voice activity detection settings (`realtimeInputConfig`)."""

    disabled: bool = False
    start_sensitivity: str | None = None  # START_SENSITIVITY_HIGH / _LOW
    end_sensitivity: str | None = None  # END_SENSITIVITY_HIGH / _LOW
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None
    activity_handling: str | None = None  # START_OF_ACTIVITY_INTERRUPTS / NO_INTERRUPTION
    turn_coverage: str | None = None

    def to_wire(self) -> JsonDict:
        detection = _drop_none(
            {
                "disabled": True if self.disabled else None,
                "startOfSpeechSensitivity": self.start_sensitivity,
                "endOfSpeechSensitivity": self.end_sensitivity,
                "prefixPaddingMs": self.prefix_padding_ms,
                "silenceDurationMs": self.silence_duration_ms,
            }
        )
        return _drop_none(
            {
                "automaticActivityDetection": detection or None,
                "activityHandling": self.activity_handling,
                "turnCoverage": self.turn_coverage,
            }
        )


@dataclass(frozen=True, slots=True)
class Setup:
    """The first message of every connection: model, generation settings, tools, resumption."""

    model: str
    response_modalities: tuple[Modality, ...] = ("AUDIO",)
    voice_name: str | None = None
    language_code: str | None = None
    thinking_level: str | None = None
    thinking_budget: int | None = None
    media_resolution: str | None = None
    temperature: float | None = None
    system_instruction: str | None = None
    tools: tuple[JsonDict, ...] = ()
    voice_activity: VoiceActivityConfig | None = None
    input_transcription: bool = True
    output_transcription: bool = True
    session_resumption: bool = True
    resumption_handle: str | None = None
    context_compression: bool = True
    compression_trigger_tokens: int | None = None
    compression_target_tokens: int | None = None
    proactive_audio: bool | None = None

    def to_wire(self) -> JsonDict:
        speech = None
        if self.voice_name or self.language_code:
            speech = _drop_none(
                {
                    "voiceConfig": (
                        {"prebuiltVoiceConfig": {"voiceName": self.voice_name}}
                        if self.voice_name
                        else None
                    ),
                    "languageCode": self.language_code,
                }
            )
        thinking = _drop_none(
            {"thinkingLevel": self.thinking_level, "thinkingBudget": self.thinking_budget}
        )
        generation = _drop_none(
            {
                "responseModalities": list(self.response_modalities),
                "speechConfig": speech,
                "thinkingConfig": thinking or None,
                "mediaResolution": self.media_resolution,
                "temperature": self.temperature,
            }
        )
        setup: JsonDict = {"model": self.model, "generationConfig": generation}
        if self.system_instruction:
            setup["systemInstruction"] = {"parts": [{"text": self.system_instruction}]}
        if self.tools:
            setup["tools"] = list(self.tools)
        if self.voice_activity is not None:
            setup["realtimeInputConfig"] = self.voice_activity.to_wire()
        if self.input_transcription:
            setup["inputAudioTranscription"] = {}
        if self.output_transcription:
            setup["outputAudioTranscription"] = {}
        if self.session_resumption:
            setup["sessionResumption"] = _drop_none({"handle": self.resumption_handle})
        if self.context_compression:
            setup["contextWindowCompression"] = _drop_none(
                {
                    "triggerTokens": self.compression_trigger_tokens,
                    "slidingWindow": _drop_none({"targetTokens": self.compression_target_tokens}),
                }
            )
        if self.proactive_audio is not None:
            setup["proactivity"] = {"proactiveAudio": self.proactive_audio}
        return {"setup": setup}


@dataclass(frozen=True, slots=True)
class RealtimeText:
    """Typed text for the model; on 3.x Live models the way to send a user turn."""

    text: str

    def to_wire(self) -> JsonDict:
        return {"realtimeInput": {"text": self.text}}


@dataclass(frozen=True, slots=True)
class RealtimeAudio:
    """A chunk of 16-bit little-endian mono PCM."""

    pcm: bytes
    rate: int = 16000

    def to_wire(self) -> JsonDict:
        return {
            "realtimeInput": {
                "audio": {"mimeType": f"audio/pcm;rate={self.rate}", "data": _b64(self.pcm)}
            }
        }


@dataclass(frozen=True, slots=True)
class RealtimeVideo:
    """One still frame (JPEG or PNG) of a camera, a screen or a picture."""

    data: bytes
    mime_type: str = "image/jpeg"

    def to_wire(self) -> JsonDict:
        return {"realtimeInput": {"video": {"mimeType": self.mime_type, "data": _b64(self.data)}}}


@dataclass(frozen=True, slots=True)
class ActivityStart:
    """The user takes the floor (push-to-talk, automatic detection disabled)."""

    def to_wire(self) -> JsonDict:
        return {"realtimeInput": {"activityStart": {}}}


@dataclass(frozen=True, slots=True)
class ActivityEnd:
    """The user gives the floor back."""

    def to_wire(self) -> JsonDict:
        return {"realtimeInput": {"activityEnd": {}}}


@dataclass(frozen=True, slots=True)
class AudioStreamEnd:
    """The audio stream paused (mic off, file finished): lets the server flush its detector."""

    def to_wire(self) -> JsonDict:
        return {"realtimeInput": {"audioStreamEnd": True}}


@dataclass(frozen=True, slots=True)
class Turn:
    """One turn of conversation content: a role and text parts."""

    role: Literal["user", "model"]
    texts: tuple[str, ...]

    def to_wire(self) -> JsonDict:
        return {"role": self.role, "parts": [{"text": t} for t in self.texts]}


@dataclass(frozen=True, slots=True)
class ClientContent:
    """Conversation history or a complete turn (initial history on 3.x models)."""

    turns: tuple[Turn, ...]
    turn_complete: bool = True

    def to_wire(self) -> JsonDict:
        return {
            "clientContent": {
                "turns": [t.to_wire() for t in self.turns],
                "turnComplete": self.turn_complete,
            }
        }


@dataclass(frozen=True, slots=True)
class FunctionResponse:
    """The answer to one function call; `scheduling` only for NON_BLOCKING functions,
    `will_continue` only on the Gemini API (Vertex AI refuses the field)."""

    id: str
    name: str
    response: JsonDict = field(default_factory=dict)
    scheduling: Scheduling | None = None
    will_continue: bool = False

    def to_wire(self) -> JsonDict:
        # `scheduling` is a field of FunctionResponse itself (google-genai's type and both
        # of its converters put it there), not a key inside `response`
        wire: JsonDict = {"id": self.id, "name": self.name, "response": dict(self.response)}
        if self.scheduling is not None:
            wire["scheduling"] = self.scheduling
        if self.will_continue:
            wire["willContinue"] = True
        return wire


@dataclass(frozen=True, slots=True)
class ToolResponse:
    """Answers to one or more function calls."""

    responses: tuple[FunctionResponse, ...]

    def to_wire(self) -> JsonDict:
        return {"toolResponse": {"functionResponses": [r.to_wire() for r in self.responses]}}


ClientMessage = (
    Setup
    | RealtimeText
    | RealtimeAudio
    | RealtimeVideo
    | ActivityStart
    | ActivityEnd
    | AudioStreamEnd
    | ClientContent
    | ToolResponse
)

REALTIME_MEDIA = (RealtimeAudio, RealtimeVideo)
"""Messages that are worthless when late: dropped rather than replayed after a gap."""
