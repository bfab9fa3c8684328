"""Events a Live session delivers to its subscribers.

Server messages decompose into these small frozen values (see
`codec.events_from_message` for the order); the session adds a few of its
own (`PhaseChanged`, `ContextLost`, `SessionError`, `NotDelivered`,
`ToolResultCarried`). Subscribers match on the
type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


@dataclass(frozen=True, slots=True)
class SetupComplete:
    """The server accepted the setup; the session is ready."""


@dataclass(frozen=True, slots=True)
class InputTranscription:
    """What the server heard the user say (a fragment of the current turn)."""

    text: str
    finished: bool = False


@dataclass(frozen=True, slots=True)
class OutputTranscription:
    """What the model is saying, as text (a fragment of the current turn)."""

    text: str
    finished: bool = False


@dataclass(frozen=True, slots=True)
class ModelText:
    """A text part of the model's turn."""

    text: str
    thought: bool = False


@dataclass(frozen=True, slots=True)
class ModelAudio:
    """An audio part of the model's turn: 16-bit little-endian mono PCM."""

    pcm: bytes = field(repr=False)
    rate: int = 24000


@dataclass(frozen=True, slots=True)
class Interrupted:
    """The user barged in: stop playback now and close the partial reply."""


@dataclass(frozen=True, slots=True)
class GenerationComplete:
    """The model finished generating this turn (playback may still be running)."""


@dataclass(frozen=True, slots=True)
class TurnComplete:
    """The model's turn is over."""

    reason: str | None = None


@dataclass(frozen=True, slots=True)
class WaitingForInput:
    """The model is not generating because it expects the user to go on (`waitingForInput`)."""

    waiting: bool = True


@dataclass(frozen=True, slots=True)
class Grounding:
    """Search sources the model used (from `groundingMetadata`)."""

    sources: tuple[tuple[str, str], ...]  # (title, uri)
    queries: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """One call the model asks the client to execute."""

    id: str
    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ToolCall:
    """The model asks for one or more function calls."""

    calls: tuple[FunctionCall, ...]


@dataclass(frozen=True, slots=True)
class ToolCallCancellation:
    """The model no longer wants the results of these calls."""

    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResumptionUpdate:
    """A new session resumption handle; only a resumable one may be used to resume."""

    handle: str | None
    resumable: bool


@dataclass(frozen=True, slots=True)
class GoAway:
    """The server will close this connection soon."""

    seconds_left: float


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts reported by the server."""

    prompt_tokens: int = 0
    response_tokens: int = 0
    total_tokens: int = 0


class Phase(Enum):
    """Where the connection is."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class PhaseChanged:
    """The connection moved to another phase; `attempt` counts reconnect attempts."""

    phase: Phase
    attempt: int = 0
    reason: str | None = None
    final: bool = False  # closed for a reason retrying will not fix (auth, bad setup)


@dataclass(frozen=True, slots=True)
class ContextLost:
    """The server no longer knew the resumption handle; a fresh session started."""

    reason: str


@dataclass(frozen=True, slots=True)
class SessionError:
    """Something went wrong that the user should see (a malformed frame, a failed send)."""

    message: str


@dataclass(frozen=True, slots=True)
class NotDelivered:
    """The session gave up on a message: its answer was cut by a lost connection
    `attempts` times, so it left the replay (the user may send it again)."""

    text: str
    attempts: int


@dataclass(frozen=True, slots=True)
class ToolResultCarried:
    """A tool result for a call the current connection never issued (the call ran
    across a lost connection): it went to the model as a text turn instead."""

    names: tuple[str, ...]
    ids: tuple[str, ...]


ServerEvent = (
    SetupComplete
    | InputTranscription
    | OutputTranscription
    | ModelText
    | ModelAudio
    | Interrupted
    | GenerationComplete
    | TurnComplete
    | WaitingForInput
    | Grounding
    | ToolCall
    | ToolCallCancellation
    | ResumptionUpdate
    | GoAway
    | Usage
)

Event = ServerEvent | PhaseChanged | ContextLost | SessionError | NotDelivered | ToolResultCarried
