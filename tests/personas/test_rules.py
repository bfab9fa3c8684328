"""Each persona rule, frame by frame: what breaks it gets the service's close code and reason.

A real websocket client talks to the simulator on loopback, sending the wire
frames a client would; no part of the project's client is involved, so these
tests say what the simulator holds clients to, whatever the client does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from livesim import SIM_KEY
from schema_check import validate_vertex_frame
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.simulator.personas import GEMINI_API, VERTEX, Persona, all_personas

GEMINI_PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
VERTEX_PATH = "/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent"
RESOURCE = "projects/p/locations/us-central1/publishers/google/models/"


def model_name(model: str, backend: str) -> str:
    return RESOURCE + model if backend == VERTEX else f"models/{model}"


def setup_for(model: str, backend: str, **fields: Any) -> dict[str, Any]:
    generation = {"responseModalities": ["AUDIO"], **fields.pop("generation", {})}
    return {
        "setup": {"model": model_name(model, backend), "generationConfig": generation, **fields}
    }


class Outcome:
    """What the client saw: the server's messages and, if it closed, its code and reason."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.code: int | None = None
        self.reason = ""

    def has(self, key: str) -> bool:
        return any(key in m or key in m.get("serverContent", {}) for m in self.messages)


async def talk(
    sim: LiveSimulator, persona: Persona, frames: list[dict[str, Any]], wait: float = 1.5
) -> Outcome:
    """Send `frames` (the first is the setup), each after the previous has been answered."""
    vertex = persona.backend == VERTEX
    headers = {"Authorization": f"Bearer {SIM_KEY}"} if vertex else {"x-goog-api-key": SIM_KEY}
    outcome = Outcome()
    async with connect(
        sim.base_url + (VERTEX_PATH if vertex else GEMINI_PATH), additional_headers=headers
    ) as ws:
        try:
            for frame in frames:
                await ws.send(json.dumps(frame))
                await _settle(ws, outcome, wait)
        except ConnectionClosed as closed:
            if closed.rcvd is not None:
                outcome.code, outcome.reason = closed.rcvd.code, closed.rcvd.reason
    return outcome


async def _settle(ws: ClientConnection, outcome: Outcome, wait: float) -> None:
    """Read until the server goes quiet (a turn ends, or nothing comes for a while)."""
    while True:
        try:
            raw = await asyncio.wait_for(ws.recv(), wait)
        except TimeoutError:
            return
        message = json.loads(raw)
        outcome.messages.append(message)
        content = message.get("serverContent", {})
        if "setupComplete" in message or "toolCall" in message:
            return
        if content.get("turnComplete") or "usageMetadata" in message:
            wait = 0.2  # the turn is over; take what follows it (usage, a handle) and stop


@pytest.fixture
def server(start_sim: Callable[..., Awaitable[LiveSimulator]]) -> Any:
    """`await server(persona)`: a simulator playing `persona`. The frames here break its
    rules on purpose, so they are not held to google-genai's models."""
    return lambda persona: start_sim(persona=persona, check_frames=False)


P38 = Persona("gemini-3.8-live")
P38X = Persona("gemini-3.8-live-extended-thinking")
P31 = Persona("gemini-3.1-flash-live-preview")
P25 = Persona("gemini-2.5-flash-native-audio-preview-12-2025")
V38 = Persona("gemini-3.8-live", VERTEX)
V25 = Persona("gemini-live-2.5-flash-native-audio", VERTEX)
HELLO = {"realtimeInput": {"text": "hello"}}

REFUSED = [
    # (persona, setup fields, frames after the setup, code, reason fragment)
    (
        P38,
        {"generation": {"responseModalities": ["TEXT"]}},
        [],
        1011,
        "Internal error encountered.",
    ),
    (
        P31,
        {"generation": {"responseModalities": ["TEXT"]}},
        [],
        1011,
        "Internal error encountered.",
    ),
    (P25, {"generation": {"responseModalities": ["TEXT"]}}, [], 1007, "Cannot extract voices"),
    (V25, {"generation": {"responseModalities": ["TEXT"]}}, [], 1007, "Cannot extract voices"),
    (P38, {"generation": {"thinkingConfig": {"thinkingLevel": "LOW"}}}, [], 1007, "Thinking level"),
    (V38, {"generation": {"thinkingConfig": {"thinkingLevel": "LOW"}}}, [], 1007, "thinking_level"),
    (P38X, {"generation": {"thinkingConfig": {"thinkingLevel": "MINIMAL"}}}, [], 1007, "MINIMAL"),
    (P31, {"generation": {"thinkingConfig": {"thinkingBudget": 0}}}, [], 1007, "Thinking budget"),
    (P25, {"generation": {"thinkingConfig": {"thinkingLevel": "LOW"}}}, [], 1007, "Thinking level"),
    (V25, {"generation": {"thinkingConfig": {"thinkingLevel": "LOW"}}}, [], 1007, "thinking_level"),
    (P38, {"proactivity": {"proactiveAudio": False}}, [], 1007, "invalid argument"),
    (P31, {"proactivity": {"proactiveAudio": True}}, [], 1007, "invalid argument"),
    (P38, {"generation": {"enableAffectiveDialog": True}}, [], 1007, '"enableAffectiveDialog"'),
    (
        P38,
        {
            "generation": {
                "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Bob"}}}
            }
        },
        [],
        1007,
        "invalid argument",
    ),
    (V38, {"labels": {"a": "b"}}, [], 1007, '"labels"'),
    (P38, {"explicitVadSignal": True}, [], 1007, '"explicitVadSignal"'),
    (P38, {"sessionResumption": {"transparent": True}}, [], 1007, '"transparent"'),
    (P38, {"tools": [{"googleSearch": {"excludeDomains": ["a.b"]}}]}, [], 1007, '"excludeDomains"'),
    (V38, {"tools": [{"fileSearch": {}}]}, [], 1007, '"fileSearch"'),
    (V38, {"generation": {"enableEnhancedCivicAnswers": True}}, [], 1007, "CivicAnswers"),
    (
        V38,
        {},
        [{"toolResponse": {"functionResponses": [{"id": "1", "name": "f", "willContinue": True}]}}],
        1007,
        '"willContinue"',
    ),
    (V38, {}, [{"realtimeInput": {"audioStreamEnd": True}}], 1007, '"audioStreamEnd"'),
    (
        P38,
        {"realtimeInputConfig": {"automaticActivityDetection": {"disabled": True}}},
        [{"realtimeInput": {"audioStreamEnd": True}}],
        1007,
        "invalid argument",
    ),
    (
        P38,
        {},
        [{"toolResponse": {"functionResponses": [{"id": "1", "scheduling": "LATER"}]}}],
        1007,
        "LATER",
    ),
    (
        P31,
        {},
        [HELLO, {"clientContent": {"turns": [{"role": "user", "parts": [{"text": "hi"}]}]}}],
        1007,
        "invalid argument",
    ),
]


@pytest.mark.parametrize(("persona", "fields", "after", "code", "reason"), REFUSED)
async def test_a_frame_breaking_a_rule_gets_the_services_close(
    server: Any, persona: Persona, fields: dict, after: list, code: int, reason: str
) -> None:
    sim = await server(persona)
    outcome = await talk(
        sim, persona, [setup_for(persona.model, persona.backend, **fields), *after]
    )
    assert (outcome.code, reason.lower() in outcome.reason.lower()) == (code, True), outcome.reason
    assert sim.refusals, "the persona recorded no refusal"


ACCEPTED = [
    (P38X, {"generation": {"thinkingConfig": {"thinkingLevel": "HIGH"}}}, []),
    (P31, {"generation": {"thinkingConfig": {"thinkingLevel": "MINIMAL"}}}, []),
    (P25, {"generation": {"thinkingConfig": {"thinkingBudget": 0}}}, []),
    (P38, {"proactivity": {"proactiveAudio": True}}, []),
    (P25, {"generation": {"enableAffectiveDialog": True}}, []),
    (
        P38,
        {
            "generation": {
                "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Sulafat"}}}
            }
        },
        [],
    ),
    (P38, {}, [{"clientContent": {"turns": [{"role": "user", "parts": [{"text": "hi"}]}]}}]),
    (P38, {}, [{"toolResponse": {"functionResponses": [{"id": "1", "willContinue": True}]}}]),
    (P38, {}, [{"realtimeInput": {"audioStreamEnd": True}}]),
    (V38, {}, [{"realtimeInput": {"activityEnd": {}}}]),
]


@pytest.mark.parametrize(("persona", "fields", "after"), ACCEPTED)
async def test_what_the_service_takes_is_answered(
    server: Any, persona: Persona, fields: dict, after: list
) -> None:
    sim = await server(persona)
    frames = [setup_for(persona.model, persona.backend, **fields), *after, HELLO]
    outcome = await talk(sim, persona, frames)
    assert outcome.code is None, outcome.reason
    assert outcome.has("setupComplete") and outcome.has("turnComplete")


@pytest.mark.parametrize(
    ("persona", "named", "fragment"),
    [
        (V38, RESOURCE + "gemini-3.1-flash-live-preview", "Publisher Model `projects/p/"),
        (V38, "models/gemini-3.8-live", "Publisher Model `models/gemini-3.8-live`"),
        (P38, "models/gemini-live-2.5-flash-native-audio", "not found for API version v1beta"),
        (P38, "models/gemini-9-live", "or is not supported for bidiGenerateContent"),
    ],
)
async def test_a_model_the_backend_does_not_serve_is_not_found(
    server: Any, persona: Persona, named: str, fragment: str
) -> None:
    sim = await server(persona)
    frame = {"setup": {"model": named, "generationConfig": {"responseModalities": ["AUDIO"]}}}
    outcome = await talk(sim, persona, [frame])
    assert outcome.code == 1008 and fragment in outcome.reason, outcome.reason


async def test_the_lenient_default_judges_only_its_own_model(server: Any) -> None:
    lenient = Persona("gemini-3.8-live", GEMINI_API, strict=False)
    sim = await server(lenient)
    text = {"generation": {"responseModalities": ["TEXT"]}}
    made_up = {"setup": {"model": "models/m", "generationConfig": {"responseModalities": ["TEXT"]}}}
    assert (await talk(sim, lenient, [made_up, HELLO])).has("turnComplete")
    other = setup_for("gemini-3.1-flash-live-preview", GEMINI_API, **text)
    assert (await talk(sim, lenient, [other, HELLO])).has("turnComplete")
    assert (
        await talk(sim, lenient, [setup_for("gemini-3.8-live", GEMINI_API, **text)])
    ).code == 1011
    vertex_only = setup_for("gemini-live-2.5-flash-native-audio", GEMINI_API)
    assert (await talk(sim, lenient, [vertex_only])).code == 1008


def tool_call_setup(persona: Persona, behavior: str | None = None) -> dict[str, Any]:
    declaration = {"name": "slow", **({"behavior": behavior} if behavior else {})}
    return setup_for(
        persona.model, persona.backend, tools=[{"functionDeclarations": [declaration]}]
    )


def tool_reply(outcome: Outcome) -> str:
    return "".join(
        m["serverContent"]["outputTranscription"]["text"]
        for m in outcome.messages
        if "outputTranscription" in m.get("serverContent", {})
    )


async def call_and_answer(
    server: Any, persona: Persona, responses: list[dict[str, Any]], behavior: str | None = None
) -> Outcome:
    sim = await server(persona)
    frames = [tool_call_setup(persona, behavior), {"realtimeInput": {"text": "tool slow {}"}}]
    answers = [{"toolResponse": {"functionResponses": [r]}} for r in responses]
    return await talk(sim, persona, [*frames, *answers], wait=0.6)


def response(**fields: Any) -> dict[str, Any]:
    return {"id": "call-1", "name": "slow", **fields}


async def test_a_blocking_model_takes_the_interim_answer_as_the_result(server: Any) -> None:
    interim = response(response={"status": "continuing"}, willContinue=True)
    final = response(response={"result": "done"})
    said = tool_reply(await call_and_answer(server, P31, [interim, final]))
    assert "continuing" in said and "done" not in said


async def test_a_non_blocking_model_waits_for_the_final_answer(server: Any) -> None:
    interim = response(response={"status": "continuing"}, willContinue=True)
    final = response(response={"result": "done"})
    said = tool_reply(await call_and_answer(server, P38, [interim, final]))
    assert "done" in said and "continuing" not in said


async def test_blocking_when_declared_on_3_8(server: Any) -> None:
    interim = response(response={"status": "continuing"}, willContinue=True)
    said = tool_reply(await call_and_answer(server, P38, [interim], behavior="BLOCKING"))
    assert "continuing" in said


async def test_a_silent_answer_adds_context_and_says_nothing(server: Any) -> None:
    outcome = await call_and_answer(server, P38, [response(response={"r": 1}, scheduling="SILENT")])
    assert outcome.code is None and tool_reply(outcome) == ""
    outcome = await call_and_answer(
        server, P38, [response(response={"r": 1}, scheduling="WHEN_IDLE")]
    )
    assert "returned" in tool_reply(outcome)


async def test_vertex_counts_candidates_tokens_and_3_8_waits_for_input(server: Any) -> None:
    outcome = await talk(await server(V38), V38, [setup_for(V38.model, VERTEX), HELLO])
    usage = next(m["usageMetadata"] for m in outcome.messages if "usageMetadata" in m)
    assert "candidatesTokenCount" in usage and "responseTokenCount" not in usage
    ends = [
        m["serverContent"]
        for m in outcome.messages
        if m.get("serverContent", {}).get("turnComplete")
    ]
    assert ends[-1].get("waitingForInput") is True


async def test_a_blocked_prompt_ends_its_turn_with_a_reason(server: Any) -> None:
    outcome = await talk(
        await server(P38),
        P38,
        [setup_for(P38.model, GEMINI_API), {"realtimeInput": {"text": "blocked"}}],
    )
    ends = [
        m["serverContent"]
        for m in outcome.messages
        if "turnCompleteReason" in m.get("serverContent", {})
    ]
    assert ends and ends[0]["turnCompleteReason"] == "PROHIBITED_INPUT_CONTENT"


def test_every_persona_is_a_served_model() -> None:
    personas = all_personas()
    assert {p.backend for p in personas} == {GEMINI_API, VERTEX}
    assert Persona("gemini-3.8-live", VERTEX) in personas
    with pytest.raises(ValueError, match="does not serve"):
        Persona("gemini-3.1-flash-live-preview", VERTEX)


@pytest.mark.parametrize(
    "frame",
    [
        {"toolResponse": {"functionResponses": [{"id": "1", "name": "f", "willContinue": True}]}},
        {"realtimeInput": {"audioStreamEnd": True}},
    ],
)
def test_the_vertex_converter_check_refuses_what_vertex_refuses(frame: dict) -> None:
    with pytest.raises(ValueError, match="not in Gemini Enterprise Agent Platform mode"):
        validate_vertex_frame(frame)
    validate_vertex_frame({"realtimeInput": {"activityEnd": {}}})
