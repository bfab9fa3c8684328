"""Fuzzing the server-message decoder with frames shaped like the real ones.

Random bytes and random dictionaries rarely get past the first `isinstance`
check, so they never reach the code that reads a model turn, a tool call or
the usage counters. These properties build JSON from the protocol's own key
names (serverContent, modelTurn, parts, inlineData, usageMetadata, …) and
fill it with values of every JSON type, including the ones a parser makes
awkward: numbers too large for a float (`1e400` parses to inf), huge
integers, -0, deep nesting, non-ASCII text. The decoder must return events
or raise `ProtocolError`; nothing else may escape, since anything else would
end the session's read loop instead of becoming an error line.
"""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from gemini_live_tui.live import codec
from gemini_live_tui.live.errors import ProtocolError

KEYS = [
    # top level
    "setupComplete",
    "serverContent",
    "toolCall",
    "toolCallCancellation",
    "sessionResumptionUpdate",
    "goAway",
    "usageMetadata",
    # serverContent
    "modelTurn",
    "parts",
    "text",
    "thought",
    "inlineData",
    "mimeType",
    "data",
    "interrupted",
    "generationComplete",
    "turnComplete",
    "turnCompleteReason",
    "inputTranscription",
    "outputTranscription",
    "finished",
    "groundingMetadata",
    "groundingChunks",
    "web",
    "uri",
    "title",
    "webSearchQueries",
    # tools, resumption, goAway, usage
    "functionCalls",
    "id",
    "name",
    "args",
    "ids",
    "newHandle",
    "resumable",
    "timeLeft",
    "seconds",
    "nanos",
    "promptTokenCount",
    "responseTokenCount",
    "totalTokenCount",
]

# JSON number texts that Python's parser turns into awkward values.
AWKWARD_NUMBERS = ["1e400", "-1e400", "1e-400", "-0", "-0.0", "9" * 400, "1.5e308", "4.9e-324"]


class Raw(str):
    """A JSON fragment written as is (a number text json.dumps would not make)."""


finite_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["-0", "-0.0", "1.5e308", "4.9e-324", "1e-400"]).map(Raw),
    st.text(max_size=12),
    st.sampled_from(["", "0s", "1.5s", "-3s", "soon", "audio/pcm;rate=24000", "aGVsbG8=", "!!"]),
)
# Numbers no float holds: 1e400 parses to inf, 10**400 cannot become a float.
scalars = st.one_of(
    finite_scalars,
    st.integers(min_value=-(10**400), max_value=10**400),
    st.sampled_from(["1e400", "-1e400", "9" * 400]).map(Raw),
)


def objects(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=4)


def json_values(leaves: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(
        leaves, lambda inner: st.lists(inner, max_size=3) | objects(inner), max_leaves=25
    )


def to_json(value) -> str:
    """JSON text of `value`, with `Raw` fragments spliced in unquoted."""
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


def decode(text: str) -> None:
    with contextlib.suppress(ProtocolError):
        events = codec.decode_frame(text)
        assert isinstance(events, list)


def nested(path: list[str], leaf: st.SearchStrategy) -> st.SearchStrategy:
    """`{path[0]: {path[1]: … leaf}}`, each level optional or an arbitrary object."""
    if not path:
        return leaf
    head, *rest = path
    inner = nested(rest, leaf)
    return st.fixed_dictionaries({}, optional={head: inner}) | objects(inner)


def shaped(values: st.SearchStrategy) -> st.SearchStrategy:
    """A server message with the real nesting, each level optional, any value at the leaves."""
    part = st.fixed_dictionaries(
        {},
        optional={
            "text": values,
            "thought": values,
            "inlineData": st.fixed_dictionaries({}, optional={"mimeType": values, "data": values})
            | values,
        },
    )
    content = st.fixed_dictionaries(
        {},
        optional={
            "modelTurn": st.fixed_dictionaries(
                {}, optional={"parts": st.lists(part | values, max_size=3) | values}
            )
            | values,
            "inputTranscription": nested(["text"], values),
            "outputTranscription": nested(["finished"], values),
            "interrupted": values,
            "generationComplete": values,
            "turnComplete": values,
            "turnCompleteReason": values,
            "groundingMetadata": nested(["groundingChunks"], st.lists(values, max_size=2)),
        },
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "setupComplete": values,
            "serverContent": content | values,
            "toolCall": nested(["functionCalls"], st.lists(objects(values), max_size=2)),
            "toolCallCancellation": nested(["ids"], values),
            "sessionResumptionUpdate": objects(values),
            "goAway": nested(["timeLeft"], values),
            "usageMetadata": objects(values),
        },
    )


values = json_values(scalars)
finite_values = json_values(finite_scalars)


@pytest.mark.parametrize(
    "frame",
    [
        '{"usageMetadata": {"totalTokenCount": 1e400}}',  # int(inf): OverflowError inside
        '{"usageMetadata": {"promptTokenCount": -1e400}}',
        '{"goAway": {"timeLeft": 1' + "0" * 400 + "}}",  # float() of a huge integer
        '{"usageMetadata": {"totalTokenCount": ' + "9" * 5000 + "}}",  # json's digit limit
        '{"goAway": {"timeLeft": {"seconds": 1e400}}}',
        '{"goAway": {"timeLeft": 1e400}}',
        '{"goAway": {"timeLeft": "1e400s"}}',
        '{"usageMetadata": {"totalTokenCount": 1e-400}}',
        '{"serverContent": {"modelTurn": {"parts": [{"text": 1e400}]}}}',
        '{"usageMetadata": {"totalTokenCount": ' + "9" * 400 + "}}",
    ],
)
def test_awkward_numbers_become_events_or_a_protocol_error(frame: str) -> None:
    with contextlib.suppress(ProtocolError):
        codec.decode_frame(frame)


@given(values)
@example({"usageMetadata": {"totalTokenCount": Raw("1e400")}})
def test_any_json_of_protocol_keys_decodes_or_is_a_protocol_error(value) -> None:
    decode(to_json(value))


@given(shaped(values))
@example({"usageMetadata": {"responseTokenCount": Raw("-1e400")}})
def test_messages_shaped_like_the_protocol_decode_or_are_a_protocol_error(message) -> None:
    decode(to_json(message))


@given(shaped(finite_values))
@example({"serverContent": {"modelTurn": {"parts": [{"inlineData": {"data": "!!"}}]}}})
@example({"toolCall": {"functionCalls": [{"name": "x", "args": [1]}]}})
@example({"goAway": {"timeLeft": {"seconds": "x"}}})
def test_shaped_messages_with_finite_numbers_never_raise_anything_else(message) -> None:
    """The rest of the decoder, checked strictly whatever becomes of the overflow fix."""
    decode(to_json(message))


@given(json_values(finite_scalars))
def test_any_json_with_finite_numbers_never_raises_anything_else(value) -> None:
    decode(to_json(value))
