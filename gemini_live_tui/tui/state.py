"""Conversation state as a pure reducer: `on_event(state, event) -> (state, effects)`.

The session delivers typed events; this module decides what they mean for
the conversation (which line grows, which settles, what the status shows)
and which effects follow (show a line, play audio, answer tools, send the
greeting). It does no I/O and knows nothing of Textual, so it is tested by
calling it. The app applies the effects in one place (`GeminiLiveApp.apply`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from ..live import events as ev
from .lines import Line

# ----- effects ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Post:
    """Append a finished line to the conversation."""

    line: Line


@dataclass(frozen=True, slots=True)
class ShowLive:
    """Create or replace the live line of `slot` ("reply", "heard", "thought")."""

    slot: str
    line: Line


@dataclass(frozen=True, slots=True)
class Settle:
    """The live line of `slot` is final: replace it with `line`."""

    slot: str
    line: Line


@dataclass(frozen=True, slots=True)
class SendText:
    """Send text to the model as the user (the greeting)."""

    text: str


@dataclass(frozen=True, slots=True)
class PlayAudio:
    """Model speech for the speaker (ignored until a speaker is on)."""

    pcm: bytes
    rate: int


@dataclass(frozen=True, slots=True)
class FlushPlayback:
    """Barge-in: drop whatever the speaker still has queued."""


@dataclass(frozen=True, slots=True)
class RunTools:
    """The model asked for function calls."""

    calls: tuple[ev.FunctionCall, ...]


@dataclass(frozen=True, slots=True)
class CancelTools:
    """The model no longer wants these calls."""

    ids: tuple[str, ...]


Effect = Post | ShowLive | Settle | SendText | PlayAudio | FlushPlayback | RunTools | CancelTools


# ----- state -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChatState:
    """What the conversation knows between events."""

    phase: ev.Phase = ev.Phase.CLOSED
    attempt: int = 0
    reason: str | None = None
    final: bool = False
    reply: str = ""
    thought: str = ""
    heard: str = ""
    resumable: bool = False
    prompt_tokens: int = 0
    response_tokens: int = 0
    total_tokens: int = 0
    greeting: str | None = None
    greeted: bool = False
    waiting: bool = False  # the server said waitingForInput (cleared by new content)


def _grow(state: ChatState, slot: str, role: str, text: str) -> tuple[ChatState, list[Effect]]:
    value = getattr(state, slot_field(slot)) + text
    state = replace(state, **{slot_field(slot): value, "waiting": False})
    return state, [ShowLive(slot, Line(role, value, live=True))]


_SLOTS = {"reply": ("reply", "model"), "thought": ("thought", "thought"), "heard": ("heard", "you")}


def slot_field(slot: str) -> str:
    """The ChatState field that holds the text of a live slot."""
    return _SLOTS[slot][0]


def _settle(state: ChatState, slot: str, note: str | None = None) -> tuple[ChatState, list[Effect]]:
    field_name, role = _SLOTS[slot]
    text = getattr(state, field_name)
    if not text:
        return state, []
    cleared: dict[str, Any] = {field_name: ""}
    return replace(state, **cleared), [Settle(slot, Line(role, text, note=note))]


def _settle_model(state: ChatState, note: str | None = None) -> tuple[ChatState, list[Effect]]:
    state, first = _settle(state, "thought")
    state, second = _settle(state, "reply", note)
    return state, first + second


def describe_call(call: ev.FunctionCall, limit: int = 80) -> str:
    """`name(key=value, …)` on one line, cut to `limit` characters."""
    args = ", ".join(
        f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in call.args.items()
    )
    text = f"{call.name}({args})"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def on_start(state: ChatState) -> tuple[ChatState, list[Effect]]:
    """What the app does as it starts: the profile's greeting, once.

    It is queued before the session exists, ahead of anything the user types
    while connecting, so the model's first turn answers the greeting.
    """
    if state.greeting and not state.greeted:
        return replace(state, greeted=True), [SendText(state.greeting)]
    return state, []


def on_event(state: ChatState, event: ev.Event) -> tuple[ChatState, list[Effect]]:
    """The next state and the effects of one session event."""
    match event:
        case ev.ModelText(text=text, thought=True):
            return _grow(state, "thought", "thought", text)
        case ev.ModelText(text=text) | ev.OutputTranscription(text=text) if text:
            if state.heard:  # the model answers: the user's spoken turn is over
                state, effects = _settle(state, "heard")
                state, more = _grow(state, "reply", "model", text)
                return state, effects + more
            return _grow(state, "reply", "model", text)
        case ev.InputTranscription(text=text, finished=finished):
            heard: list[Effect] = []
            if text:
                state, heard = _grow(state, "heard", "you", text)
            if finished:
                state, more = _settle(state, "heard")
                heard += more
            return state, heard
        case ev.ModelAudio(pcm=pcm, rate=rate):
            return state, [PlayAudio(pcm, rate)]
        case ev.Interrupted():
            state, effects = _settle_model(state, "interrupted")
            return state, [FlushPlayback(), *effects]
        case ev.GenerationComplete():
            return _settle_model(state)
        case ev.TurnComplete(reason=reason):
            state, effects = _settle_model(state)
            end = turn_end_line(reason)
            return state, effects + ([Post(end)] if end else [])
        case ev.WaitingForInput(waiting=waiting):
            note = Post(Line("system", "the model is waiting for you to go on"))
            return replace(state, waiting=waiting), [note] if waiting and not state.waiting else []
        case ev.Grounding():
            return state, [Post(Line("info", text)) for text in grounding_lines(event)]
        case ev.ToolCall(calls=calls):
            lines = [Post(Line("tool", describe_call(call) + " …")) for call in calls]
            return state, [*lines, RunTools(calls)]
        case ev.ToolCallCancellation(ids=ids):
            line = Post(Line("tool", "cancelled: " + ", ".join(ids)))
            return state, [line, CancelTools(ids)]
        case ev.ResumptionUpdate(handle=handle, resumable=resumable):
            return replace(state, resumable=bool(resumable and handle)), []
        case ev.GoAway(seconds_left=seconds):
            text = f"the server will close this connection in {seconds:g} s; reconnecting"
            return state, [Post(Line("system", text))]
        case ev.Usage():
            return (
                replace(
                    state,
                    prompt_tokens=event.prompt_tokens,
                    response_tokens=event.response_tokens,
                    total_tokens=event.total_tokens,
                ),
                [],
            )
        case ev.PhaseChanged():
            return _on_phase(state, event)
        case ev.ContextLost(reason=reason):
            return state, [Post(Line("error", f"context lost: {reason}"))]
        case ev.SessionError(message=message):
            return state, [Post(Line("error", message))]
        case ev.NotDelivered(text=text, attempts=attempts):
            return state, [Post(Line("error", not_delivered_line(text, attempts)))]
        case ev.ToolResultCarried(names=names):
            text = (
                f"the connection was lost while {', '.join(names)} ran; "
                "its result went to the model as a message"
            )
            return state, [Post(Line("system", text))]
    return state, []


def not_delivered_line(text: str, attempts: int, limit: int = 60) -> str:
    """One line naming a message the session gave up on, and what to do."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return (
        f"not delivered: “{text}” — its answer was cut off by a lost connection "
        f"{attempts} times; send it again to retry"
    )


def _on_phase(state: ChatState, event: ev.PhaseChanged) -> tuple[ChatState, list[Effect]]:
    previous = state.phase
    state = replace(
        state, phase=event.phase, attempt=event.attempt, reason=event.reason, final=event.final
    )
    effects: list[Effect] = []
    if event.phase in (ev.Phase.RECONNECTING, ev.Phase.CLOSED) and previous is ev.Phase.CONNECTED:
        state, effects = _settle_model(state, "cut off")
        state, more = _settle(state, "heard")
        effects += more
    if event.phase is ev.Phase.CLOSED and event.reason and event.reason != "closed by user":
        hint = "" if "/reconnect" in event.reason else " — /reconnect to try again"
        effects.append(Post(Line("error", f"connection closed: {event.reason}{hint}")))
    elif event.phase is ev.Phase.CONNECTED:
        effects.append(Post(Line("system", "connected")))
    return state, effects


_INPUT_REFUSED = ("PROHIBITED_INPUT", "INPUT_", "BLOCKLIST", "UNSAFE_PROMPT")


def turn_end_line(reason: str | None) -> Line | None:
    """A line for a `turnCompleteReason` worth telling (a blocked reply, refused input)."""
    if not reason or reason == "TURN_COMPLETE_REASON_UNSPECIFIED":
        return None
    if reason == "NEED_MORE_INPUT":
        return Line("system", "the model waits for more input")
    if reason == "MALFORMED_FUNCTION_CALL":
        return Line("error", "the model's turn ended: it made a malformed function call")
    if reason.startswith(_INPUT_REFUSED) or "_INPUT_" in reason:
        return Line("error", f"the model's turn ended: your input was refused ({reason})")
    if reason == "RESPONSE_REJECTED" or reason.startswith("GENERATED_"):
        return Line("error", f"the model's turn ended: the reply was blocked ({reason})")
    return Line("system", f"the model's turn ended: {reason}")


def grounding_lines(grounding: ev.Grounding) -> list[str]:
    """Short lines for search queries and sources (uses the tools layer's wording)."""
    from ..tools.search import describe_grounding

    return describe_grounding(grounding)
