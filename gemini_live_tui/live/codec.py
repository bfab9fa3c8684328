"""Wire codec: client messages to JSON text, server frames to events.

Pure functions, no I/O. Decoding accepts text and binary frames (the service
sends JSON in both), ignores keys it does not know, and turns every
malformed frame into one `ProtocolError` rather than an arbitrary exception.

Events come out of one server message in this fixed order, whatever the
order of keys on the wire:

1. SetupComplete
2. InputTranscription, then OutputTranscription
3. model parts in wire order (ModelText, ModelAudio)
4. Interrupted
5. GenerationComplete
6. TurnComplete (with `turnCompleteReason`)
7. WaitingForInput
8. Grounding (search sources, shown after the turn text)
9. ToolCall
10. ToolCallCancellation
11. ResumptionUpdate
12. GoAway
13. Usage
"""

from __future__ import annotations

import base64
import json
import math
import re
from typing import Any

from .errors import ProtocolError
from .events import (
    FunctionCall,
    GenerationComplete,
    GoAway,
    Grounding,
    InputTranscription,
    Interrupted,
    ModelAudio,
    ModelText,
    OutputTranscription,
    ResumptionUpdate,
    ServerEvent,
    SetupComplete,
    ToolCall,
    ToolCallCancellation,
    TurnComplete,
    Usage,
    WaitingForInput,
)
from .messages import ClientMessage, RealtimeAudio

_RATE = re.compile(r"rate=(\d+)")
# The audio frame as bytes: base64 is ASCII, so no str round trip is needed.
_AUDIO_FRAME = b'{"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=%d","data":"%s"}}}'
_DURATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)s\s*$")


def encode(message: ClientMessage) -> str:
    """The JSON text frame for one client message."""
    if type(message) is RealtimeAudio:
        # The hot path (50 frames/s with mic on): the same JSON as below,
        # built without the dict and the generic encoder (5x faster).
        data = base64.b64encode(message.pcm).decode("ascii")
        rate = message.rate
        return f'{{"realtimeInput":{{"audio":{{"mimeType":"audio/pcm;rate={rate}","data":"{data}"}}}}}}'
    return json.dumps(message.to_wire(), separators=(",", ":"), ensure_ascii=False)


def encode_frame(message: ClientMessage) -> bytes:
    """The UTF-8 payload of the text frame for one client message.

    Encoding to bytes here, not inside `ws.send`, is what makes a message that
    cannot be sent fail alone: a lone surrogate (Linux file names that are not
    UTF-8 come out of `iterdir` that way) raises `ProtocolError` before any
    byte reaches the socket, instead of websockets failing the whole
    connection with 1011 and the session sending it again after every
    reconnect.
    """
    try:
        if type(message) is RealtimeAudio and type(message.rate) is int:
            # The hot path: the same bytes as `encode(...).encode()`, without
            # building the text first (base64 output is ASCII).
            return _AUDIO_FRAME % (message.rate, base64.b64encode(message.pcm))
        return encode(message).encode("utf-8")
    except UnicodeEncodeError as error:
        raise ProtocolError(
            f"could not send {_kind(message)}: it contains {error.object[error.start : error.end]!a}, "
            "which is not valid Unicode text (a file name that is not UTF-8?)"
        ) from None
    except Exception as error:  # a bug in to_wire or a value JSON cannot hold
        raise ProtocolError(f"could not encode {_kind(message)}: {error}") from None


_KINDS = {
    "Setup": "the setup",
    "RealtimeText": "a text",
    "ClientContent": "a message",
    "ToolResponse": "a tool response",
    "RealtimeAudio": "an audio chunk",
    "RealtimeVideo": "a video frame",
}


def _kind(message: ClientMessage) -> str:
    """What the message is, in the user's words (for error lines)."""
    name = type(message).__name__
    return _KINDS.get(name, name)


def decode_frame(frame: str | bytes) -> list[ServerEvent]:
    """Decode one WebSocket frame (text or binary) into events."""
    try:
        message = json.loads(frame)
    except Exception as error:  # not UTF-8, not JSON, nested too deep, ...
        raise ProtocolError(f"server sent a frame that is not JSON: {error}") from None
    if not isinstance(message, dict):
        raise ProtocolError(f"server sent JSON that is not an object: {type(message).__name__}")
    return events_from_message(message)


def events_from_message(message: dict[str, Any]) -> list[ServerEvent]:
    """Decompose one server message into events, in the documented order."""
    try:
        return _events(message)
    except ProtocolError:
        raise
    except Exception as error:
        # Any shape the code below did not foresee (a number too large for an
        # int, a wrong type deep inside) is the server's malformed message,
        # never a crash of the reader: one typed error, whatever the cause.
        raise ProtocolError(f"server sent a malformed message: {error}") from None


def _obj(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ProtocolError(f"server sent a malformed message: {where} is not an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ProtocolError(f"server sent a malformed message: {where} is not a list")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ProtocolError(f"server sent a malformed message: {where} is not a string")
    return value


def _transcription(value: Any, where: str, kind: type) -> list[ServerEvent]:
    if value is None:
        return []
    body = _obj(value, where)
    text = body.get("text")
    finished = bool(body.get("finished", False))
    if text:
        return [kind(_str(text, f"{where}.text"), finished)]
    return []  # a bare `finished` marker carries no text: the turn's end closes the line


def _parts(model_turn: dict[str, Any]) -> list[ServerEvent]:
    events: list[ServerEvent] = []
    for part in _list(model_turn.get("parts"), "modelTurn.parts"):
        part = _obj(part, "modelTurn.parts[]")
        if "text" in part and part["text"] is not None:
            text = _str(part["text"], "part.text")
            if text:
                events.append(ModelText(text, thought=bool(part.get("thought", False))))
        inline = part.get("inlineData")
        if inline is not None:
            inline = _obj(inline, "inlineData")
            mime = str(inline.get("mimeType", ""))
            data = base64.b64decode(_str(inline.get("data", ""), "inlineData.data"), validate=True)
            if mime.startswith("audio/"):
                match = _RATE.search(mime)
                events.append(ModelAudio(data, int(match.group(1)) if match else 24000))
    return events


def _grounding(value: Any) -> list[ServerEvent]:
    if value is None:
        return []
    body = _obj(value, "groundingMetadata")
    sources = []
    for chunk in _list(body.get("groundingChunks"), "groundingChunks"):
        web = _obj(_obj(chunk, "groundingChunk").get("web"), "web")
        if web.get("uri"):
            sources.append((str(web.get("title") or web["uri"]), str(web["uri"])))
    queries = tuple(str(q) for q in _list(body.get("webSearchQueries"), "webSearchQueries"))
    return [Grounding(tuple(sources), queries)] if sources or queries else []


GOAWAY_MAX_SECONDS = 600.0  # a connection lives about 10 minutes: more is not a real notice


def _seconds(value: Any) -> float:
    """goAway.timeLeft in seconds, within [0, GOAWAY_MAX_SECONDS].

    NaN, negative or absurd values still mean "this connection ends soon":
    they are clamped (NaN to 0, reconnect now) rather than left to stretch
    the session's GoAway deadline to infinity.
    """
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1))
    elif isinstance(value, dict):  # protobuf Duration as an object
        seconds = float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
    else:
        raise ProtocolError(f"server sent a malformed message: goAway.timeLeft {value!r}")
    if math.isnan(seconds):
        return 0.0
    return min(max(seconds, 0.0), GOAWAY_MAX_SECONDS)


def _events(message: dict[str, Any]) -> list[ServerEvent]:
    events: list[ServerEvent] = []
    if "setupComplete" in message:
        events.append(SetupComplete())

    content = _obj(message.get("serverContent"), "serverContent")
    events += _transcription(
        content.get("inputTranscription"), "inputTranscription", InputTranscription
    )
    events += _transcription(
        content.get("outputTranscription"), "outputTranscription", OutputTranscription
    )
    events += _parts(_obj(content.get("modelTurn"), "modelTurn"))
    if content.get("interrupted"):
        events.append(Interrupted())
    if content.get("generationComplete"):
        events.append(GenerationComplete())
    if content.get("turnComplete"):
        reason = content.get("turnCompleteReason")
        events.append(TurnComplete(str(reason) if reason else None))
    if "waitingForInput" in content:
        events.append(WaitingForInput(bool(content.get("waitingForInput"))))
    events += _grounding(content.get("groundingMetadata"))

    tool_call = message.get("toolCall")
    if tool_call is not None:
        calls = []
        for call in _list(_obj(tool_call, "toolCall").get("functionCalls"), "functionCalls"):
            call = _obj(call, "functionCall")
            calls.append(
                FunctionCall(
                    id=str(call.get("id", "")),
                    name=_str(call.get("name"), "functionCall.name"),
                    args=_obj(call.get("args"), "functionCall.args"),
                )
            )
        events.append(ToolCall(tuple(calls)))

    cancellation = message.get("toolCallCancellation")
    if cancellation is not None:
        ids = _list(_obj(cancellation, "toolCallCancellation").get("ids"), "ids")
        events.append(ToolCallCancellation(tuple(str(i) for i in ids)))

    update = message.get("sessionResumptionUpdate")
    if update is not None:
        update = _obj(update, "sessionResumptionUpdate")
        handle = update.get("newHandle")
        events.append(
            ResumptionUpdate(str(handle) if handle else None, bool(update.get("resumable", False)))
        )

    go_away = message.get("goAway")
    if go_away is not None:
        events.append(GoAway(_seconds(_obj(go_away, "goAway").get("timeLeft", 0))))

    usage = message.get("usageMetadata")
    if usage is not None:
        usage = _obj(usage, "usageMetadata")
        events.append(
            Usage(
                int(usage.get("promptTokenCount", 0) or 0),
                # the Gemini API says responseTokenCount, Vertex AI candidatesTokenCount
                int(usage.get("responseTokenCount") or usage.get("candidatesTokenCount") or 0),
                int(usage.get("totalTokenCount", 0) or 0),
            )
        )
    return events
