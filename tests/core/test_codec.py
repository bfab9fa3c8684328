"""The wire codec: what goes out matches the official schema; what comes in becomes events."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from schema_check import validate_client_frame

from gemini_live_tui.live import codec
from gemini_live_tui.live import events as ev
from gemini_live_tui.live import messages as m
from gemini_live_tui.live.errors import ProtocolError

ALL_CLIENT_MESSAGES = [
    m.Setup(model="models/gemini-3.1-flash-live-preview"),
    m.Setup(
        model="models/x",
        response_modalities=("TEXT",),
        voice_name="Puck",
        language_code="en-US",
        thinking_level="low",
        media_resolution="MEDIA_RESOLUTION_LOW",
        temperature=0.5,
        system_instruction="Be brief.",
        tools=(
            {"functionDeclarations": [{"name": "set_timer", "description": "t"}]},
            {"googleSearch": {}},
        ),
        voice_activity=m.VoiceActivityConfig(
            disabled=True,
            start_sensitivity="START_SENSITIVITY_LOW",
            end_sensitivity="END_SENSITIVITY_HIGH",
            prefix_padding_ms=20,
            silence_duration_ms=500,
            activity_handling="NO_INTERRUPTION",
        ),
        resumption_handle="h-1",
        compression_trigger_tokens=20000,
        compression_target_tokens=10000,
        proactive_audio=True,
    ),
    m.Setup(
        model="models/x",
        thinking_budget=0,
        session_resumption=False,
        context_compression=False,
        input_transcription=False,
        output_transcription=False,
    ),
    m.RealtimeText("hello"),
    m.RealtimeAudio(b"\x01\x00" * 640, 16000),
    m.RealtimeVideo(b"\xff\xd8jpeg", "image/jpeg"),
    m.ActivityStart(),
    m.ActivityEnd(),
    m.AudioStreamEnd(),
    m.ClientContent((m.Turn("user", ("hi",)), m.Turn("model", ("hello",))), turn_complete=True),
    m.ToolResponse((m.FunctionResponse("c1", "set_timer", {"ok": True, "result": 1}),)),
    m.ToolResponse(
        (
            m.FunctionResponse("c2", "run_command", {"ok": True}, scheduling="WHEN_IDLE"),
            m.FunctionResponse("c3", "read_file", {"ok": False}, will_continue=True),
        )
    ),
]


@pytest.mark.parametrize("message", ALL_CLIENT_MESSAGES, ids=lambda msg: type(msg).__name__)
def test_every_client_message_round_trips_and_validates(message: m.ClientMessage) -> None:
    wire = json.loads(codec.encode(message))
    assert wire == message.to_wire()
    assert len(wire) == 1, "exactly one top-level key"
    assert "null" not in codec.encode(message), "absent fields are omitted, not null"
    validate_client_frame(wire)


def test_audio_payload_is_base64_of_the_pcm_with_its_rate() -> None:
    pcm = bytes(range(256)) * 5
    wire = m.RealtimeAudio(pcm, 24000).to_wire()["realtimeInput"]["audio"]
    assert wire["mimeType"] == "audio/pcm;rate=24000"
    assert base64.b64decode(wire["data"]) == pcm


def test_setup_carries_handle_and_sliding_window() -> None:
    setup = m.Setup(model="models/x", resumption_handle="abc").to_wire()["setup"]
    assert setup["sessionResumption"] == {"handle": "abc"}
    assert "slidingWindow" in setup["contextWindowCompression"]
    assert setup["inputAudioTranscription"] == {} and setup["outputAudioTranscription"] == {}


def _audio_part(pcm: bytes, rate: int = 24000) -> dict:
    return {
        "inlineData": {"mimeType": f"audio/pcm;rate={rate}", "data": base64.b64encode(pcm).decode()}
    }


def test_server_message_events_come_in_documented_order() -> None:
    # keys deliberately in reverse of the documented order
    message = {
        "usageMetadata": {"promptTokenCount": 3, "responseTokenCount": 4, "totalTokenCount": 7},
        "goAway": {"timeLeft": "12.5s"},
        "sessionResumptionUpdate": {"newHandle": "h2", "resumable": True},
        "toolCallCancellation": {"ids": ["a"]},
        "toolCall": {"functionCalls": [{"id": "b", "name": "set_timer", "args": {"seconds": 3}}]},
        "serverContent": {
            "turnComplete": True,
            "generationComplete": True,
            "interrupted": True,
            "modelTurn": {
                "parts": [{"text": "one"}, _audio_part(b"\x00\x01" * 4), {"text": "two"}]
            },
            "outputTranscription": {"text": "out"},
            "inputTranscription": {"text": "in"},
        },
        "setupComplete": {},
    }
    events = codec.events_from_message(message)
    assert [type(e) for e in events] == [
        ev.SetupComplete,
        ev.InputTranscription,
        ev.OutputTranscription,
        ev.ModelText,
        ev.ModelAudio,
        ev.ModelText,
        ev.Interrupted,
        ev.GenerationComplete,
        ev.TurnComplete,
        ev.ToolCall,
        ev.ToolCallCancellation,
        ev.ResumptionUpdate,
        ev.GoAway,
        ev.Usage,
    ]
    assert events[4] == ev.ModelAudio(b"\x00\x01" * 4, 24000)
    assert events[9] == ev.ToolCall((ev.FunctionCall("b", "set_timer", {"seconds": 3}),))
    assert events[12] == ev.GoAway(12.5)
    assert events[13] == ev.Usage(3, 4, 7)


def test_finished_marker_without_text_yields_no_empty_text() -> None:
    message = {
        "serverContent": {"outputTranscription": {"finished": True}, "inputTranscription": {}}
    }
    assert codec.events_from_message(message) == []
    with_text = {"serverContent": {"inputTranscription": {"text": "hi", "finished": True}}}
    assert codec.events_from_message(with_text) == [ev.InputTranscription("hi", True)]


@pytest.mark.parametrize(
    ("time_left", "seconds"),
    [
        ('"12.5s"', 12.5),
        ('{"seconds": 3, "nanos": 500000000}', 3.5),
        ('"-4s"', 0.0),
        ("1e400", codec.GOAWAY_MAX_SECONDS),
        ('{"seconds": "nan"}', 0.0),
        ('{"seconds": "inf"}', codec.GOAWAY_MAX_SECONDS),
    ],
)
def test_goaway_time_left_is_a_finite_notice(time_left: str, seconds: float) -> None:
    """A NaN or infinite timeLeft must not push the reconnect past the connection's end."""
    frame = '{"goAway": {"timeLeft": ' + time_left + "}}"
    assert codec.decode_frame(frame) == [ev.GoAway(seconds)]


def test_binary_and_text_frames_decode_alike_and_unknown_keys_are_ignored() -> None:
    message = {
        "serverContent": {"modelTurn": {"parts": [{"text": "hi", "newField": 1}]}, "future": 2},
        "brandNew": {},
    }
    text = json.dumps(message)
    assert codec.decode_frame(text) == codec.decode_frame(text.encode()) == [ev.ModelText("hi")]


@pytest.mark.parametrize(
    "frame",
    [
        b"\xff\xfe not utf-8",
        "{not json",
        "[1, 2]",
        '"a string"',
        '{"serverContent": []}',
        '{"serverContent": {"modelTurn": {"parts": {"text": 1}}}}',
        '{"serverContent": {"modelTurn": {"parts": [{"text": 5}]}}}',
        '{"serverContent": {"modelTurn": {"parts": [{"inlineData": {"mimeType": "audio/pcm", "data": "!!"}}]}}}',
        '{"toolCall": {"functionCalls": [{"id": "x"}]}}',
        '{"goAway": {"timeLeft": "soon"}}',
        '{"usageMetadata": {"totalTokenCount": "many"}}',
        '{"usageMetadata": {"totalTokenCount": 1e400}}',  # inf: OverflowError in int()
        '{"goAway": {"timeLeft": {"seconds": 1e400, "nanos": "x"}}}',
        "[" * 100000,
    ],
)
def test_malformed_frames_raise_one_typed_error(frame: str | bytes) -> None:
    with pytest.raises(ProtocolError):
        codec.decode_frame(frame)


def test_a_message_that_cannot_be_utf8_is_one_typed_error_before_any_socket() -> None:
    with pytest.raises(ProtocolError, match="not valid Unicode"):
        codec.encode_frame(m.RealtimeText("caf\udce9"))
    assert (
        codec.encode_frame(m.RealtimeText("café")) == codec.encode(m.RealtimeText("café")).encode()
    )
    audio = m.RealtimeAudio(b"\x01\x00" * 4)
    assert codec.encode_frame(audio) == codec.encode(audio).encode("ascii")


@given(st.one_of(st.binary(max_size=300), st.text(max_size=300)))
def test_decoder_never_raises_anything_but_protocol_error_on_any_bytes(frame: str | bytes) -> None:
    with contextlib.suppress(ProtocolError):
        codec.decode_frame(frame)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
SERVER_KEYS = [
    "setupComplete",
    "serverContent",
    "toolCall",
    "toolCallCancellation",
    "sessionResumptionUpdate",
    "goAway",
    "usageMetadata",
]


@given(st.dictionaries(st.sampled_from(SERVER_KEYS), json_values, max_size=4))
def test_decoder_survives_any_shape_under_known_keys(message: dict) -> None:
    with contextlib.suppress(ProtocolError):
        codec.decode_frame(json.dumps(message))


@pytest.mark.parametrize("rate", [8000, 16000, 24000, 48000])
def test_audio_frame_bytes_are_the_generic_json_of_the_message(rate: int) -> None:
    pcm = bytes(range(256)) * 5
    frame = codec.encode_frame(m.RealtimeAudio(pcm, rate))
    assert json.loads(frame) == m.RealtimeAudio(pcm, rate).to_wire()
    validate_client_frame(json.loads(frame))


def test_audio_that_is_not_bytes_is_one_typed_error() -> None:
    with pytest.raises(ProtocolError, match="could not encode an audio chunk"):
        codec.encode_frame(m.RealtimeAudio("not pcm"))  # type: ignore[arg-type]


def test_vertex_usage_names_and_waiting_for_input_decode() -> None:
    """Vertex AI counts the reply as `candidatesTokenCount`; `waitingForInput` and a
    `turnCompleteReason` come through as events, in the documented order."""
    vertex = codec.events_from_message(
        {"usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 5, "totalTokenCount": 8}}
    )
    assert vertex == [ev.Usage(3, 5, 8)]
    events = codec.events_from_message(
        {
            "serverContent": {
                "waitingForInput": True,
                "turnCompleteReason": "RESPONSE_REJECTED",
                "turnComplete": True,
            }
        }
    )
    assert events == [ev.TurnComplete("RESPONSE_REJECTED"), ev.WaitingForInput(True)]
