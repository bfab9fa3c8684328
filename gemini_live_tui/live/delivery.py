"""The delivery ledger: which sent messages the server's state provably covers.

A resumption handle stands for the server's state when it was issued, not
when it arrives: a handle issued just before the server read a text that was
already on the wire does not contain that text, and resuming from it loses
the text. So a sent message leaves the ledger only on proof:

- A *turn* (typed text, a complete `clientContent` turn, a final tool
  response) is **answered** once the model's answer to it began: any answer
  event (text, audio, transcript, generation or turn end, tool call) on the
  connection it was sent on, after it was sent. Sent while an older answer
  was still streaming, it needs that answer to end first (turnComplete or
  interrupted), so the tail of the previous reply does not count for it.
- A resumable handle that arrives after that covers the answered turn and
  everything sent before it (the server reads a connection in order).
- Signals (activity start and end, audio stream end) frame realtime audio,
  which is never replayed; any resumable handle after them covers them.

What is not covered when a connection ends is sent again on the next one.
A turn whose answer had begun and not finished when the connection was lost
was *cut*; a turn cut `MAX_CUTS` times is given up (`NotDelivered`) and leaves
the replay, so a message that kills the connection cannot loop forever and
the lines typed after it still go out.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .events import (
    Event,
    GenerationComplete,
    Interrupted,
    ModelAudio,
    ModelText,
    OutputTranscription,
    ResumptionUpdate,
    ToolCall,
    TurnComplete,
)
from .messages import REALTIME_MEDIA, ClientContent, ClientMessage, RealtimeText, ToolResponse

MAX_CUTS = 3
"""Times a turn's answer may be cut by a lost connection before it is given up."""

_ANSWERS = (ModelText, ModelAudio, OutputTranscription, GenerationComplete, TurnComplete, ToolCall)
_STREAMING = (ModelText, ModelAudio, OutputTranscription)
_TURN_ENDS = (TurnComplete, Interrupted)

_sequence = itertools.count()


def is_turn(message: ClientMessage) -> bool:
    """A message the model answers: it needs an answer before a handle covers it."""
    if isinstance(message, RealtimeText):
        return True
    if isinstance(message, ClientContent):
        return message.turn_complete
    if isinstance(message, ToolResponse):
        return not all(r.will_continue for r in message.responses)
    return False


def message_text(message: ClientMessage) -> str:
    """What a message says, for telling the user about it."""
    if isinstance(message, RealtimeText):
        return message.text
    if isinstance(message, ClientContent):
        return " ".join(t for turn in message.turns for t in turn.texts)
    if isinstance(message, ToolResponse):
        return "the result of " + ", ".join(r.name for r in message.responses)
    return type(message).__name__


@dataclass(slots=True)
class Outgoing:
    """A message on its way: queued, then sent and kept until covered."""

    message: ClientMessage
    queued_at: float
    seq: int = field(default_factory=lambda: next(_sequence))
    answered: bool = False  # the model's answer to it began after it was sent
    finished: bool = False  # ... and that answer ended (turnComplete or interrupted)
    during_turn: bool = False  # sent while an older answer was still streaming
    turn_ends_at_send: int = 0
    cuts: int = 0  # connections lost while its answer was streaming

    @property
    def is_media(self) -> bool:
        return isinstance(self.message, REALTIME_MEDIA)

    @property
    def replayable(self) -> bool:
        """Worth keeping until covered (media is stale when late; an interim
        tool answer is superseded by the final one that follows)."""
        if self.is_media:
            return False
        if isinstance(self.message, ToolResponse):
            return not all(r.will_continue for r in self.message.responses)
        return True


class DeliveryLedger:
    """Sent messages not yet covered by the server's state, per the rule above."""

    def __init__(self, max_cuts: int = MAX_CUTS) -> None:
        self.max_cuts = max_cuts
        self._kept: list[Outgoing] = []
        self._turn_ends = 0  # turn ends seen on this connection
        self._streaming = False  # an answer is streaming on this connection

    @property
    def kept(self) -> tuple[Outgoing, ...]:
        return tuple(self._kept)

    def sent(self, item: Outgoing) -> None:
        """`item` went out on the current connection."""
        if not item.replayable:
            return
        item.answered = item.finished = False
        item.during_turn = self._streaming
        item.turn_ends_at_send = self._turn_ends
        self._kept.append(item)

    def on_event(self, event: Event) -> None:
        """Follow the server: answers begin and end; resumable handles cover."""
        if isinstance(event, ResumptionUpdate):
            if event.resumable and event.handle:
                self._cover()
            return
        if isinstance(event, _ANSWERS):
            for item in self._kept:
                if not item.during_turn or self._turn_ends > item.turn_ends_at_send:
                    item.answered = True
        if isinstance(event, _STREAMING):
            self._streaming = True
        elif isinstance(event, _TURN_ENDS):
            self._streaming = False
            self._turn_ends += 1
            for item in self._kept:
                if item.answered:
                    item.finished = True

    def _cover(self) -> None:
        answered = [i for i, item in enumerate(self._kept) if item.answered]
        last = answered[-1] if answered else -1
        # signals after the last answered turn are covered by any handle
        self._kept = [item for item in self._kept[last + 1 :] if is_turn(item.message)]

    def connection_lost(self, *, cut: bool) -> list[Outgoing]:
        """The connection ended; `cut` if it was lost (not GoAway, not asked for).

        Counts a cut against every kept turn whose answer was streaming and
        returns those that reached `max_cuts` (removed: not delivered).
        """
        given_up: list[Outgoing] = []
        if cut:
            for item in self._kept:
                if is_turn(item.message) and item.answered and not item.finished:
                    item.cuts += 1
                    if item.cuts >= self.max_cuts:
                        given_up.append(item)
            self._kept = [item for item in self._kept if item not in given_up]
        self._turn_ends = 0
        self._streaming = False
        return given_up

    def take_replay(self) -> list[Outgoing]:
        """What the next connection must send again, in order (the ledger empties)."""
        replay, self._kept = self._kept, []
        return replay
