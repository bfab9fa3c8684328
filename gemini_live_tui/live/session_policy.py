"""The session's decisions, without sockets, tasks or a clock of its own.

`SessionPolicy` is the state machine behind `LiveSession`: it decides what
goes out, in which order, what is kept for a replay, when to connect again
and when to give up. It never awaits and never touches a socket, so every
rule here is tested with a fake clock in milliseconds (tests/core/
test_session_policy*.py); `session.py` is the asyncio driver that feeds it
and does what it answers.

Inputs (methods): `submit` (a message to send), `connecting`,
`connect_failed`, `setup_message`, `on_events` (the decoded events of a
frame, `SetupComplete` included), `on_close` (close code and reason),
`connection_ended`, `sent` / `send_failed` / `unsendable`, `reconnect`,
`close`, and `now` (ms) wherever time matters.
Outputs: `next_attempt` ("connect after N ms" or "give up"), `next_to_send`
(the next frame, or when to ask again), `end_reason` (end this connection
now: GoAway, or a reconnect asked for), `deadline` (when `end_reason` may
change), and `take_events` (events to publish, in order).

One outbound queue with a policy per kind of message:

- reliable (text, client content, final tool responses, activity signals,
  stream ends): kept in order, never dropped, kept after sending in the
  `DeliveryLedger` until the server's state covers them and replayed after
  a lost connection (turn by turn, each after the answer to the one before);
- interim tool answers (`will_continue`): sent in order, never replayed;
- audio: dropped when older than `media_max_age` or beyond `max_queued_audio`
  waiting chunks (the oldest goes);
- video: the newest frame only (a new frame takes the place of a waiting one).

Tool responses go only to the connection that issued the call; an older
connection's final result becomes a text turn (`ToolResultCarried`).
"""

from __future__ import annotations

import json
import logging
import random
from collections import deque
from dataclasses import dataclass, replace
from typing import Literal

from .delivery import DeliveryLedger, Outgoing, is_turn, message_text
from .errors import SessionClosed
from .events import (
    ContextLost,
    Event,
    GenerationComplete,
    GoAway,
    InputTranscription,
    Interrupted,
    ModelAudio,
    ModelText,
    NotDelivered,
    OutputTranscription,
    Phase,
    PhaseChanged,
    ResumptionUpdate,
    SessionError,
    SetupComplete,
    ToolCall,
    ToolCallCancellation,
    ToolResultCarried,
    TurnComplete,
)
from .messages import (
    ClientMessage,
    FunctionResponse,
    RealtimeAudio,
    RealtimeText,
    RealtimeVideo,
    Setup,
    ToolResponse,
)

log = logging.getLogger(__name__)

FINAL_CLOSE_CODES = {1007, 1008}
ABORTED_WORDS = ("aborted",)
"""Words of the 1008 the service closes with when a GoAway's deadline passed."""
_STALE_HANDLE_WORDS = ("session not found", "handle", "resum")
# Events that show the model really answered on a connection (not only the
# service's bookkeeping that follows every setup): they reset the backoff.
_PROGRESS = (
    ModelText,
    ModelAudio,
    InputTranscription,
    OutputTranscription,
    GenerationComplete,
    TurnComplete,
    Interrupted,
    ToolCall,
)
GENERATION_DONE_GRACE_MS = 500.0
"""After generationComplete in a GoAway, wait only this long for turnComplete."""


@dataclass(frozen=True)
class SessionSettings:
    """Timeouts, keepalive and reconnect policy (seconds)."""

    connect_timeout: float = 10.0
    setup_timeout: float = 30.0
    # The service can take many seconds to answer a ping; a ping timeout has
    # been seen to kill healthy sessions with a false 1011. Ping to keep NAT
    # state alive, but never time out on the answer: the server's close is
    # the signal.
    ping_interval: float | None = 20.0
    ping_timeout: float | None = None
    max_attempts: int = 8
    backoff_base: float = 0.25
    backoff_cap: float = 5.0
    # A connection that ends sooner than this after setupComplete, with no
    # answer from the model, counts as a failed attempt (setupComplete alone
    # proves little: a quota error can close right after it).
    stable_after: float = 10.0
    media_max_age: float = 1.0
    # Audio chunks that may wait for the socket; beyond that the oldest goes.
    max_queued_audio: int = 100
    goaway_margin: float = 1.0
    # A replayed turn waits for the answer to the one before to end, unless the
    # server says nothing of that answer for this long.
    replay_answer_timeout: float = 20.0
    max_frame_bytes: int = 64 * 1024 * 1024
    subscriber_queue: int = 4000


@dataclass
class SessionStats:
    """Counters a status bar can show."""

    messages_sent: int = 0
    media_dropped: int = 0
    audio_dropped: int = 0
    """Audio chunks dropped for age or for count (also in `media_dropped`)."""
    video_replaced: int = 0
    """Video frames a newer frame took the place of while they waited (also in `media_dropped`)."""
    send_errors: int = 0
    protocol_errors: int = 0
    reconnects: int = 0
    replayed: int = 0


@dataclass(frozen=True)
class ConnectAfter:
    """Open the next connection after `delay_ms` (early if a reconnect is asked for)."""

    delay_ms: float


@dataclass(frozen=True)
class GiveUp:
    """Stop connecting; the phase is already CLOSED with `reason`."""

    reason: str


CloseVerdict = Literal["retry", "final", "stale_handle"]


class SessionPolicy:
    """One conversation's sending and reconnecting rules, driven from outside."""

    def __init__(
        self,
        setup: Setup,
        settings: SessionSettings | None = None,
        *,
        refusal_hint: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.setup = setup
        self.settings = settings or SessionSettings()
        self.stats = SessionStats()
        self.refusal_hint = refusal_hint
        self._rng = rng or random.Random()
        self.ledger = DeliveryLedger()
        self.outbox: deque[Outgoing] = deque()
        self._in_flight: list[Outgoing] = []
        self._events: list[Event] = []
        self.phase = PhaseChanged(Phase.CLOSED, reason="not started")
        self.handle: str | None = None
        self.ready = False
        self.closing = False
        self.restart = False
        self._fresh_next = False
        # reconnect counting
        self._attempt = 0
        self._first = True
        self._last_error = ""
        self._at_once = False  # skip the backoff before the next attempt
        self._quick_end = False  # the last connection ended at once, unproved
        # this connection
        self._connection_no = 0  # connections that reached setupComplete
        self._call_origin: dict[str, int] = {}  # call id -> the connection that issued it
        self._open_calls: set[str] = set()  # this connection's calls not answered yet
        self._sent_handle = False
        self._ready_at = 0.0
        self._progress = False
        self._turn_active = False
        self._generation_done = False
        self._goaway_seen = False
        self._goaway_deadline: float | None = None
        self._end_reason = ""
        # replayed turns go out one answer at a time
        self._paced_until = -1
        self._answer_done = True
        self._answer_heard_at = 0.0

    # ----- outputs -------------------------------------------------------

    def take_events(self) -> list[Event]:
        """Events to publish, oldest first (the list empties)."""
        events, self._events = self._events, []
        return events

    def _emit(self, event: Event) -> None:
        self._events.append(event)

    def _set_phase(
        self, phase: Phase, attempt: int = 0, reason: str | None = None, final: bool = False
    ) -> None:
        self.phase = PhaseChanged(phase, attempt, reason, final)
        log.info("phase %s attempt=%s reason=%s", phase.value, attempt, reason)
        self._emit(self.phase)

    # ----- connecting ----------------------------------------------------

    def next_attempt(self) -> ConnectAfter | GiveUp:
        """Whether, and after how long, to open the next connection."""
        if self._attempt > self.settings.max_attempts:
            given = self._attempt - 1
            reason = f"gave up after {given} attempts: {self._last_error} (/reconnect to try again)"
            self._set_phase(Phase.CLOSED, given, reason)
            return GiveUp(reason)
        if self._attempt > 1 and not self._at_once:
            return ConnectAfter(self.backoff_ms(self._attempt))
        return ConnectAfter(0.0)

    def backoff_ms(self, attempt: int) -> float:
        """Attempt 1 is immediate; then base * 2^(n-2), capped, with full jitter
        in [50 %, 100 %] so many clients do not retry in step."""
        if attempt <= 1:
            return 0.0
        s = self.settings
        delay = min(s.backoff_cap, s.backoff_base * 2 ** (attempt - 2))
        return delay * self._rng.uniform(0.5, 1.0) * 1000.0

    def connecting(self) -> None:
        """The driver starts an attempt now."""
        self._at_once = False
        self.restart = False
        phase = Phase.CONNECTING if self._first else Phase.RECONNECTING
        self._set_phase(phase, self._attempt, self._last_error or None)

    def setup_message(self) -> Setup:
        """The setup for the connection being opened: resuming unless told to start fresh."""
        handle = None if self._fresh_next else self.handle
        self._fresh_next = False
        self._sent_handle = handle is not None
        self._goaway_seen = False
        self._goaway_deadline = None
        self._end_reason = ""
        return replace(self.setup, resumption_handle=handle)

    def connect_failed(self, reason: str) -> None:
        """An attempt failed before setupComplete in a way worth retrying."""
        self._attempt += 1
        self._first = False
        self._last_error = reason

    def connect_final(self, reason: str) -> None:
        """An attempt failed in a way retrying cannot fix: the session closes."""
        self._set_phase(Phase.CLOSED, self._attempt, reason, final=True)

    def stale_handle(self, reason: str) -> None:
        """The server did not know the handle: start fresh, and say the context is gone."""
        self.handle = None
        self._emit(ContextLost(f"the server no longer knew this session ({reason}); started fresh"))
        self._attempt, self._first, self._last_error = 1, False, reason

    def classify_close(self, code: int | None, reason: str, *, during_setup: bool) -> CloseVerdict:
        """What a close means: retry (with backoff), final, or a stale handle."""
        if self.restart or self.closing or code not in FINAL_CLOSE_CODES:
            return "retry"
        lowered = reason.lower()
        if code == 1008 and self._goaway_seen and any(w in lowered for w in ABORTED_WORDS):
            return "retry"  # the GoAway's deadline passed: resume like after a drop
        if during_setup and self._sent_handle and any(w in lowered for w in _STALE_HANDLE_WORDS):
            return "stale_handle"
        return "final"

    def with_refusal_hint(self, reason: str) -> str:
        """The server's reason, and what to do if the credential says more (a used token)."""
        return f"{reason}; {self.refusal_hint}" if self.refusal_hint else reason

    def on_close(self, reason: str) -> None:
        """The server (or the network) closed a connection that was set up."""
        if not self._end_reason:
            self._end_reason = "reconnect requested" if self.restart else reason

    def connection_ended(self, now: float, *, final: bool = False) -> None:
        """A connection that reached setupComplete is gone; count it and plan the
        next. `final`: it ended for a reason retrying cannot fix (`connect_final`
        closes the session with it)."""
        at_once = self._end_reason in ("reconnect requested", "server sent GoAway")
        cut = not (at_once or self._goaway_seen or self.closing)
        proved = self._progress or now - self._ready_at >= self.settings.stable_after * 1000
        self.ready = False
        self._lose_connection(cut=cut)
        if final:
            return
        self._first = False
        self.stats.reconnects += 1
        self._last_error = self._end_reason
        if proved:
            self._attempt, self._quick_end = 1, False  # a good connection: count afresh
        elif at_once and not self._quick_end:
            # GoAway (or /reconnect): go now, and it is not a failure. Twice in
            # a row on connections that never proved themselves is a server in
            # a loop: then it counts, with backoff.
            self._attempt, self._at_once, self._quick_end = max(self._attempt, 1), True, True
        else:
            self._attempt += 1

    def _lose_connection(self, *, cut: bool) -> None:
        for item in self.ledger.connection_lost(cut=cut):
            log.warning("gave up on a message after %d cut answers", item.cuts)
            self._emit(NotDelivered(message_text(item.message), item.cuts))

    def reconnect(self, *, fresh: bool = False) -> None:
        """The user asked for a new connection (resuming unless `fresh`)."""
        if fresh:
            self.handle = None
            self._fresh_next = True
        self.restart = True

    def start(self) -> None:
        """Start (or, after giving up, start again) counting attempts afresh."""
        self.closing = False
        self._attempt, self._first, self._last_error = 0, True, ""
        self._at_once = self._quick_end = False

    def close(self) -> None:
        """Closed for good: sends are refused from now on."""
        self.closing = True
        self.restart = True
        self.ready = False

    def closed_by_user(self) -> None:
        self._set_phase(Phase.CLOSED, reason="closed by user", final=True)

    # ----- the server's events ---------------------------------------------

    def on_events(self, events: list[Event], now: float) -> bool:
        """Follow one frame's events (all published); True if it completed the setup."""
        completed = False
        for event in events:
            self._follow(event, now)
            self._emit(event)
            completed = completed or isinstance(event, SetupComplete)
        if completed and not self.ready:
            self._setup_complete(now)
            return True
        return False

    def _follow(self, event: Event, now: float) -> None:
        if isinstance(event, _PROGRESS):
            self._progress = True
            self._answer_heard_at = now
        self.ledger.on_event(event)
        if isinstance(event, ToolCall):
            for call in event.calls:
                self._call_origin[call.id] = self._connection_no
                self._open_calls.add(call.id)
        elif isinstance(event, ToolCallCancellation):
            self._open_calls.difference_update(event.ids)
        if isinstance(event, TurnComplete | Interrupted):
            self._answer_done = True
        if isinstance(event, ResumptionUpdate) and event.resumable and event.handle:
            self.handle = event.handle
        elif isinstance(event, ModelText | ModelAudio | OutputTranscription):
            self._turn_active = True
            self._generation_done = False
        elif isinstance(event, GenerationComplete):
            self._generation_done = True
        elif isinstance(event, TurnComplete | Interrupted):
            self._turn_active = False
            self._generation_done = False
        if isinstance(event, GoAway):
            self._goaway_seen = True
            self._goaway_deadline = now + max(
                0.0, (event.seconds_left - self.settings.goaway_margin) * 1000
            )
        if self._goaway_deadline is not None and self._generation_done:
            # Some turns never get turnComplete after generationComplete: wait
            # only briefly for it (it carries usage and a new handle).
            self._goaway_deadline = min(self._goaway_deadline, now + GENERATION_DONE_GRACE_MS)

    def _setup_complete(self, now: float) -> None:
        self._connection_no += 1
        self._open_calls.clear()
        replay = self.ledger.take_replay()
        if replay:
            self.stats.replayed += len(replay)
            self.outbox.extendleft(reversed(replay))
        # Tool responses waiting from an older connection: no call id of this
        # one is known yet, so each becomes a text turn (or goes, if interim).
        kept: deque[Outgoing] = deque()
        for item in self.outbox:
            if isinstance(item.message, ToolResponse):
                kept.extend(
                    replace(item, message=m) if i == 0 else Outgoing(m, item.queued_at)
                    for i, m in enumerate(self._for_this_connection(item.message))
                )
            else:
                kept.append(item)
        self.outbox = kept
        # Turns that waited (replayed or typed during the gap) go out one at a
        # time, each after the answer to the one before: a turn that breaks
        # the connection is then the only one cut, and each gets its answer.
        self._paced_until = max(
            (item.seq for item in self.outbox if is_turn(item.message)), default=-1
        )
        self._answer_done = True
        self._turn_active = False
        self._generation_done = False
        self._progress = False
        self._ready_at = now
        self._set_phase(Phase.CONNECTED)
        self.ready = True

    def end_reason(self, now: float) -> str | None:
        """Why this connection should end now (GoAway, or a reconnect asked for), if it should."""
        if self.restart:
            self._end_reason = "reconnect requested"
            return self._end_reason
        if self._goaway_deadline is not None and (
            not (self._turn_active or self._tool_work_open()) or now >= self._goaway_deadline
        ):
            self._end_reason = "server sent GoAway"
            return self._end_reason
        return None

    def deadline(self) -> float | None:
        """When `end_reason` may change without new input (the GoAway's deadline)."""
        return self._goaway_deadline

    def _tool_work_open(self) -> bool:
        """A call of this connection is unanswered, or its answer not yet covered."""
        return bool(self._open_calls) or any(
            isinstance(item.message, ToolResponse) for item in self.ledger.kept
        )

    # ----- sending -------------------------------------------------------

    def submit(
        self, message: ClientMessage, now: float, *, write_now: bool = True
    ) -> list[Outgoing]:
        """Take a message to send; returns what the caller may write at once, in order.

        With `write_now`, an item is handed back to be written at once when
        nothing waits before it and the session is ready; everything else
        joins the outbox under its kind's policy. Raises SessionClosed after
        `close`.
        """
        if self.closing:
            raise SessionClosed("the session is closed")
        if isinstance(message, ToolResponse) and self.ready:
            items = [Outgoing(m, now) for m in self._for_this_connection(message)]
        else:
            items = [Outgoing(message, now)]
        direct: list[Outgoing] = []
        for item in items:
            if write_now and self.ready and not self.outbox and not self._in_flight and not direct:
                direct.append(item)
                self._in_flight.append(item)
            else:
                self._enqueue(item, now)
        return direct

    def _for_this_connection(self, message: ToolResponse) -> list[ClientMessage]:
        """`message` as this connection may take it: answers to calls it issued
        stay a tool response; a final result for a call an older connection
        issued becomes a text turn (the resumed session never saw that id),
        and its interim answer is dropped."""
        current = self._connection_no
        mine = tuple(r for r in message.responses if self._call_origin.get(r.id) == current)
        theirs = [r for r in message.responses if r not in mine and not r.will_continue]
        for response in mine:
            if not response.will_continue:
                self._open_calls.discard(response.id)
        out: list[ClientMessage] = [ToolResponse(mine)] if mine else []
        if theirs:
            out.append(RealtimeText(carried_text(theirs)))
            names = tuple(r.name for r in theirs)
            log.info("tool results for calls of an earlier connection sent as text: %s", names)
            self._emit(ToolResultCarried(names, tuple(r.id for r in theirs)))
        return out

    def _enqueue(self, item: Outgoing, now: float) -> None:
        if not self.ready:
            self._prune_stale_media(now)
        if isinstance(item.message, RealtimeVideo) and self._replace_waiting_video(item):
            return
        if isinstance(item.message, ToolResponse) and self._jump_waiting_turns(item):
            return
        self.outbox.append(item)
        if isinstance(item.message, RealtimeAudio):
            self._limit_waiting_audio()

    def _replace_waiting_video(self, item: Outgoing) -> bool:
        """At most one video frame waits: a newer one takes its place (and so
        still goes before a question typed after the old frame)."""
        for queued in reversed(self.outbox):
            if isinstance(queued.message, RealtimeVideo):
                queued.message = item.message
                queued.queued_at = item.queued_at
                self.stats.media_dropped += 1
                self.stats.video_replaced += 1
                return True
        return False

    def _limit_waiting_audio(self) -> None:
        waiting = [item for item in self.outbox if isinstance(item.message, RealtimeAudio)]
        for item in waiting[: max(0, len(waiting) - self.settings.max_queued_audio)]:
            self.outbox.remove(item)
            self.stats.media_dropped += 1
            self.stats.audio_dropped += 1

    def _jump_waiting_turns(self, item: Outgoing) -> bool:
        """Put a tool response ahead of replayed turns that wait for an answer:
        the answer they wait for may be the very turn that called the tool."""
        if self._answer_done:
            return False
        for index, queued in enumerate(self.outbox):
            if queued.seq <= self._paced_until and is_turn(queued.message):
                self.outbox.insert(index, item)
                return True
        return False

    def _prune_stale_media(self, now: float) -> None:
        limit = self.settings.media_max_age * 1000
        if not any(item.is_media for item in self.outbox):
            return
        kept: deque[Outgoing] = deque()
        for item in self.outbox:
            if not item.is_media or now - item.queued_at <= limit:
                kept.append(item)
            else:
                self._count_dropped(item)
        self.outbox = kept

    def _count_dropped(self, item: Outgoing) -> None:
        self.stats.media_dropped += 1
        if isinstance(item.message, RealtimeAudio):
            self.stats.audio_dropped += 1

    def next_to_send(self, now: float) -> tuple[Outgoing | None, float | None]:
        """The next item for the writer, taken from the outbox; or nothing and
        when to ask again (None: when something changes)."""
        while self.ready and self.outbox:
            item = self.outbox[0]
            if item.seq <= self._paced_until and is_turn(item.message) and not self._answer_done:
                quiet_until = self._answer_heard_at + self.settings.replay_answer_timeout * 1000
                if now < quiet_until:
                    return None, quiet_until
                log.info("no answer to a replayed turn in time; sending the next one")
                self._answer_done = True
            self.outbox.popleft()
            if item.is_media and now - item.queued_at > self.settings.media_max_age * 1000:
                self._count_dropped(item)
                continue
            self._in_flight.append(item)
            return item, None
        return None, None

    def sent(self, item: Outgoing, now: float) -> None:
        """`item` was written to the current connection."""
        self._release(item)
        self.stats.messages_sent += 1
        self.ledger.sent(item)
        if item.seq <= self._paced_until and is_turn(item.message):
            self._answer_done = False
        if not self._answer_done:  # a wait for the answer starts (again) now
            self._answer_heard_at = now

    def send_failed(self, item: Outgoing, *, lost: bool) -> None:
        """`item` could not be written: back in its place, in send order, for
        the next connection (or to age out, if it is media). `lost`: the
        current connection closed under it, so nothing more is written to it."""
        self._release(item)
        if lost:
            self.ready = False
        index = next(
            (i for i, queued in enumerate(self.outbox) if queued.seq > item.seq),
            len(self.outbox),
        )
        self.outbox.insert(index, item)

    def unsendable(self, item: Outgoing | None, error: str, *, encoding: bool) -> None:
        """A message that can never be sent: dropped alone, counted, reported."""
        if item is not None:
            self._release(item)
        log.error("dropped a message that could not be sent: %s", error)
        self.stats.send_errors += 1
        self._emit(SessionError(error if encoding else f"could not send a message: {error}"))

    def _release(self, item: Outgoing) -> None:
        if item in self._in_flight:
            self._in_flight.remove(item)


CARRIED_LIMIT = 8000
"""Characters of a tool result carried as text; a longer one is cut (and says so)."""


def carried_text(responses: list[FunctionResponse]) -> str:
    """A text turn that gives the model results it can no longer get as tool responses."""
    parts = []
    for response in responses:
        result = json.dumps(response.response, ensure_ascii=False, default=str)
        if len(result) > CARRIED_LIMIT:
            result = result[:CARRIED_LIMIT] + " … (cut)"
        parts.append(f"{response.name} (call {response.id}) returned: {result}")
    return (
        "[The connection was lost while a function you called was running, so its "
        "result comes as this message instead of a function response. " + " ".join(parts) + "]"
    )
