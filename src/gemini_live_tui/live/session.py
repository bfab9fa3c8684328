"""A Live session that survives the service's connection limits.

`LiveSession` owns one WebSocket at a time. It connects, sends the setup,
waits for `setupComplete`, then reads frames into typed events that fan out
to subscribers. When the server says GoAway or the connection drops it
reconnects by itself, carrying the latest resumable handle so the
conversation continues.

Guarantees:

- Nothing is sent before `setupComplete`. Every send goes through one ordered
  outbox drained by one writer task, so order is kept across reconnects;
  when the outbox is empty and the socket can take a frame without waiting,
  it is written at once (`wire.write_text_now`), which keeps the same order.
  `send_nowait` is `send` for code on the loop's thread that cannot await.
- Reliable messages (text, client content, tool responses, activity signals,
  stream ends) are never dropped silently. They stay in the delivery ledger
  (`delivery.py`) after sending until the server's state provably covers
  them: for a turn, its answer began and then a resumable handle arrived.
  After a lost connection what is not covered is sent again, turn by turn
  (each replayed turn waits for the answer to the one before). A turn whose
  answer was cut by a lost connection `MAX_CUTS` (3) times is given up and
  published as `NotDelivered`. Delivery is at-least-once: a message in flight
  when the socket died may arrive twice, which is better than never.
- A tool response is only ever sent on the connection that issued its call:
  a resumed session never saw a call made after its handle (the service
  marks updates `resumable: false` while calls run). A result for an older
  connection's call goes to the model as a text turn (`ToolResultCarried`).
- On GoAway the connection is kept while a reply streams or a tool call of
  this connection is unanswered or uncovered, up to `timeLeft` less
  `goaway_margin`; close 1008 "aborted" after a GoAway (the deadline passed)
  is retried, not final.
- Realtime audio and video older than `media_max_age` (1 s) is dropped, not
  replayed late, and counted in `stats.media_dropped`. At most one video
  frame waits: a newer frame replaces the one still queued.
- A message that cannot be encoded (a lone surrogate in a text) is dropped
  alone, counted in `stats.send_errors` and reported; it never breaks the
  connection.
- Retries back off. The attempt counter starts again only after a
  connection proved itself: it stayed up `stable_after` seconds, or the
  model said something. A server that accepts the setup and then closes
  at once is retried `max_attempts` times, with backoff, not forever.
- Authentication and argument errors (HTTP 401/403, close 1007/1008, save
  the 1008 "aborted" that follows a GoAway) are final: the phase goes to
  CLOSED with the server's reason and no retry loop starts. A resumption handle the server no longer knows is the
  exception: the session starts fresh and publishes `ContextLost`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections import deque
from dataclasses import dataclass, replace

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from .codec import decode_frame, encode_frame
from .delivery import DeliveryLedger, Outgoing, is_turn, message_text
from .errors import ConnectError, ProtocolError, SessionClosed
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
from .fanout import Fanout, Subscription
from .messages import (
    ActivityEnd,
    ActivityStart,
    AudioStreamEnd,
    ClientMessage,
    FunctionResponse,
    RealtimeAudio,
    RealtimeText,
    RealtimeVideo,
    Setup,
    ToolResponse,
)
from .transport import Endpoint
from .wire import write_text_now

log = logging.getLogger(__name__)

FINAL_CLOSE_CODES = {1007, 1008}
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
_STALE_HANDLE_WORDS = ("session not found", "handle", "resum")


@dataclass(frozen=True)
class SessionSettings:
    """Timeouts, keepalive and reconnect policy."""

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
    send_errors: int = 0
    protocol_errors: int = 0
    reconnects: int = 0
    replayed: int = 0


ABORTED_WORDS = ("aborted",)
"""Words of the 1008 the service closes with when a GoAway's deadline passed."""


class _Final(Exception):
    """The connection ended for a reason retrying will not fix."""


class _StaleHandle(Exception):
    """The server did not know the resumption handle."""


@dataclass(frozen=True)
class _Ended:
    """How a connection that reached setupComplete ended."""

    proved: bool  # stayed up `stable_after` s, or the model answered
    at_once: bool  # GoAway or a reconnect the client asked for: not a failure


class LiveSession:
    """One conversation with a Live model, across as many connections as it takes."""

    def __init__(
        self,
        endpoint: Endpoint,
        setup: Setup,
        settings: SessionSettings | None = None,
    ) -> None:
        self._endpoint = endpoint
        self._setup = setup
        self.settings = settings or SessionSettings()
        self.stats = SessionStats()
        self._events: Fanout[Event] = Fanout(self.settings.subscriber_queue)
        self._outbox: deque[Outgoing] = deque()
        self._ledger = DeliveryLedger()
        self._outbox_changed = asyncio.Event()
        self._ready = asyncio.Event()
        self._ws: ClientConnection | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._writer_task: asyncio.Task[None] | None = None
        self._closing = False
        self._restart = asyncio.Event()
        self._handle: str | None = None
        self._phase = PhaseChanged(Phase.CLOSED, reason="not started")
        self._turn_active = False
        self._generation_done = False
        self._fresh_next = False
        self._in_flight: Outgoing | None = None  # the writer's send in progress
        self._progress = False
        self._last_end = ""
        self._connection_no = 0  # connections that reached setupComplete
        self._call_origin: dict[str, int] = {}  # call id -> the connection that issued it
        self._open_calls: set[str] = set()  # this connection's calls not answered yet
        self._goaway_seen = False
        self._paced_until = -1  # turns up to this seq go out one answer at a time
        self._answer_done = asyncio.Event()  # the last paced turn's answer ended
        self._answer_done.set()
        self._jumped = asyncio.Event()  # a tool response went ahead of a waiting turn
        self._answer_heard_at = 0.0  # loop time of the model's latest answer event

    # ----- observation -------------------------------------------------

    @property
    def phase(self) -> PhaseChanged:
        """The current connection phase, with attempt number and reason."""
        return self._phase

    @property
    def resumption_handle(self) -> str | None:
        """The latest handle that came with `resumable: true`."""
        return self._handle

    @property
    def setup(self) -> Setup:
        return self._setup

    @property
    def lagged(self) -> int:
        """Events dropped across all subscribers that did not keep up."""
        return self._events.total_lagged

    def subscribe(self, maxsize: int | None = None) -> Subscription[Event]:
        """A new subscriber queue; it receives events published from now on."""
        subscription = self._events.subscribe(maxsize)
        if self._run_task is not None:
            subscription._offer(self._phase)
        return subscription

    # ----- lifecycle ---------------------------------------------------

    async def start(self) -> None:
        """Start connecting in the background; returns at once."""
        if self._run_task and not self._run_task.done():
            return
        self._closing = False
        self._run_task = asyncio.create_task(self._run(), name="live-session")
        if self._writer_task is None or self._writer_task.done():
            self._writer_task = asyncio.create_task(self._write_loop(), name="live-writer")

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until setupComplete; raises ConnectError if the session closes first."""
        async with asyncio.timeout(timeout):
            while not self._ready.is_set():
                if self._phase.phase is Phase.CLOSED and (
                    self._run_task is None or self._run_task.done()
                ):
                    raise ConnectError(self._phase.reason or "session closed")
                ready = asyncio.create_task(self._ready.wait())
                changed = asyncio.create_task(self._phase_event.wait())
                await asyncio.wait({ready, changed}, return_when=asyncio.FIRST_COMPLETED)
                ready.cancel()
                changed.cancel()

    def update_setup(self, setup: Setup) -> None:
        """Use this setup from the next connection on (see `reconnect`)."""
        self._setup = setup

    async def reconnect(self, *, fresh: bool = False) -> None:
        """Close the current connection and connect again (resuming unless `fresh`)."""
        if fresh:
            self._handle = None
            self._fresh_next = True
        if self._run_task is None or self._run_task.done():
            await self.start()
            return
        self._restart.set()
        if self._ws is not None:
            await self._ws.close(1000, "client reconnect")

    async def close(self) -> None:
        """Close for good."""
        self._closing = True
        self._restart.set()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close(1000, "client closed")
        for task in (self._run_task, self._writer_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._set_phase(Phase.CLOSED, reason="closed by user", final=True)

    # ----- sending -----------------------------------------------------

    async def send_text(self, text: str) -> None:
        await self.send(RealtimeText(text))

    async def send_audio(self, pcm: bytes, rate: int = 16000) -> None:
        await self.send(RealtimeAudio(pcm, rate))

    async def send_audio_stream_end(self) -> None:
        # Vertex AI refuses the field (google-genai's _live_converters.py: "audio_stream_end
        # parameter is only supported in Gemini Developer API"): there the mic simply stops,
        # and automatic activity detection ends the turn on the silence.
        if self._endpoint.credential.kind == "vertex":
            return
        await self.send(AudioStreamEnd())

    async def send_video(self, data: bytes, mime_type: str = "image/jpeg") -> None:
        await self.send(RealtimeVideo(data, mime_type))

    async def send_activity_start(self) -> None:
        await self.send(ActivityStart())

    async def send_activity_end(self) -> None:
        await self.send(ActivityEnd())

    async def send_tool_response(self, responses: list[FunctionResponse]) -> None:
        await self.send(ToolResponse(tuple(responses)))

    def send_audio_nowait(self, pcm: bytes, rate: int = 16000) -> None:
        """`send_audio` for a callback on the event loop that cannot await."""
        self.send_nowait(RealtimeAudio(pcm, rate))

    async def send(self, message: ClientMessage) -> None:
        """Queue a message; it goes out in order once the session is ready."""
        for item in self._outgoing(message):
            if self._write_at_once(item):
                continue
            ws = self._ws
            if self._ready.is_set() and not self._outbox and ws is not None:
                # The socket is applying backpressure (or closing): `ws.send`
                # writes and waits for the buffer to drain, or raises.
                await self._send_now(ws, item)
                continue
            self._enqueue(item)

    def send_nowait(self, message: ClientMessage) -> None:
        """`send` without awaiting, for code on the event loop's thread.

        The same order and guarantees: written at once when nothing waits
        and the socket takes it without waiting, otherwise queued for the
        writer task (which then applies backpressure). Raises SessionClosed
        after `close`.
        """
        for item in self._outgoing(message):
            if not self._write_at_once(item):
                self._enqueue(item)

    def _outgoing(self, message: ClientMessage) -> list[Outgoing]:
        if self._closing:
            raise SessionClosed("the session is closed")
        now = time.monotonic()
        if isinstance(message, ToolResponse) and self._ready.is_set():
            return [Outgoing(m, now) for m in self._for_this_connection(message)]
        return [Outgoing(message, now)]

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
            out.append(RealtimeText(_carried_text(theirs)))
            names = tuple(r.name for r in theirs)
            log.info("tool results for calls of an earlier connection sent as text: %s", names)
            self._events.publish(ToolResultCarried(names, tuple(r.id for r in theirs)))
        return out

    def _write_at_once(self, item: Outgoing) -> bool:
        """The fast path: send `item` now if nothing waits; True if it is dealt with.

        Nothing waiting means the writer task is idle (it pops an item only
        after its send returns), so writing now keeps the order. True also
        when the message could not be encoded (dropped alone and reported)
        or the write failed (back in the outbox for the next connection).
        """
        ws = self._ws
        if ws is None or self._outbox or not self._ready.is_set():
            return False
        try:
            frame = encode_frame(item.message)
        except ProtocolError as error:
            self._report_unsendable(error)
            return True
        try:
            if not write_text_now(ws, frame):
                return False
        except Exception:
            # The transport failed mid-write and was aborted: the reader sees
            # the close and reconnects; the message goes out (or ages out)
            # after that, as for a send that raised ConnectionClosed.
            if self._ws is ws:
                self._ready.clear()
            self._requeue(item)
            return True
        self._sent(item)
        return True

    def _enqueue(self, item: Outgoing) -> None:
        if not self._ready.is_set():
            self._prune_stale_media(item.queued_at)
        if isinstance(item.message, RealtimeVideo) and self._replace_waiting_video(item):
            return
        if isinstance(item.message, ToolResponse) and self._jump_waiting_turns(item):
            return
        self._outbox.append(item)
        self._outbox_changed.set()

    async def _send_now(self, ws: ClientConnection, item: Outgoing) -> None:
        try:
            frame = encode_frame(item.message)
        except ProtocolError as error:
            self._report_unsendable(error)
            return
        try:
            await ws.send(frame, text=True)
        except ConnectionClosed:
            if self._ws is ws:
                self._ready.clear()
            # Back in its place: it goes out (or ages out) after the reconnect,
            # ahead of anything queued while this send was waiting.
            self._requeue(item)
            return
        except Exception as error:
            self._report_unsendable(error)
            return
        self._sent(item)

    def _requeue(self, item: Outgoing) -> None:
        """Put a message whose send failed back into the outbox, in send order."""
        index = next(
            (i for i, queued in enumerate(self._outbox) if queued.seq > item.seq),
            len(self._outbox),
        )
        self._outbox.insert(index, item)
        self._outbox_changed.set()

    def _replace_waiting_video(self, item: Outgoing) -> bool:
        """Put a new video frame in the place of one still waiting; True if it did.

        At most one frame waits: a frame queued behind a slow link
        or a reconnect is stale once a newer one exists. The new frame keeps
        the old one's place, so it still goes before a question typed after
        the old frame ("what do you see?").
        """
        for queued in reversed(self._outbox):
            if queued is not self._in_flight and isinstance(queued.message, RealtimeVideo):
                queued.message = item.message
                queued.queued_at = item.queued_at
                self.stats.media_dropped += 1
                return True
        return False

    def _sent(self, item: Outgoing) -> None:
        self.stats.messages_sent += 1
        self._ledger.sent(item)
        if item.seq <= self._paced_until and is_turn(item.message):
            self._answer_done.clear()

    def _report_unsendable(self, error: Exception) -> None:
        """A message that can never be sent: drop it, count it, say why."""
        text = _describe(error)
        log.error("dropped a message that could not be sent: %s", text)
        self.stats.send_errors += 1
        if isinstance(error, ProtocolError):
            self._events.publish(SessionError(text))
        else:
            self._events.publish(SessionError(f"could not send a message: {text}"))

    def _prune_stale_media(self, now: float) -> None:
        limit = self.settings.media_max_age
        if not any(item.is_media for item in self._outbox):
            return
        kept = deque(
            item
            for item in self._outbox
            if not item.is_media or now - item.queued_at <= limit or item is self._in_flight
        )
        self.stats.media_dropped += len(self._outbox) - len(kept)
        self._outbox = kept

    async def _write_loop(self) -> None:
        while True:
            if not self._outbox:
                self._outbox_changed.clear()
                await self._outbox_changed.wait()
                continue
            if not self._ready.is_set():
                await self._ready.wait()
                continue
            item = self._outbox[0]
            if (
                item.seq <= self._paced_until
                and is_turn(item.message)
                and not self._answer_done.is_set()
            ):
                await self._wait_for_answer()
                continue
            if item.is_media and time.monotonic() - item.queued_at > self.settings.media_max_age:
                self._outbox.popleft()
                self.stats.media_dropped += 1
                continue
            ws = self._ws
            if ws is None:  # between connections; `_ready` is about to clear
                await asyncio.sleep(0)
                continue
            try:
                frame = encode_frame(item.message)
            except ProtocolError as error:
                self._discard(item)
                self._report_unsendable(error)
                continue
            self._in_flight = item
            try:
                await ws.send(frame, text=True)
            except ConnectionClosed:
                # The reader sees the same close and reconnects; the item
                # stays at the head of the outbox for the next connection.
                if self._ws is ws:
                    self._ready.clear()
                continue
            except Exception as error:
                # Not a closed socket: something about this message. Drop it
                # rather than retry it forever (the frame is already bytes, so
                # websockets has nothing left to fail on but its own bugs).
                self._discard(item)
                self._report_unsendable(error)
                continue
            finally:
                self._in_flight = None
            self._discard(item)
            self._sent(item)

    def _jump_waiting_turns(self, item: Outgoing) -> bool:
        """Put a tool response ahead of replayed turns that wait for an answer; True if it did.

        The answer they wait for may be the very turn that called the tool:
        it cannot end before the tool's response goes out.
        """
        if self._answer_done.is_set():
            return False
        for index, queued in enumerate(self._outbox):
            if queued.seq <= self._paced_until and is_turn(queued.message):
                self._outbox.insert(index, item)
                self._outbox_changed.set()
                self._jumped.set()
                return True
        return False

    async def _wait_for_answer(self) -> None:
        """Wait until the model's answer to the last replayed turn ended, or a tool
        response went ahead of the waiting turn, or the server said nothing of the
        answer for `replay_answer_timeout` seconds (a long answer keeps it waiting)."""
        loop = asyncio.get_running_loop()
        self._jumped.clear()
        self._answer_heard_at = loop.time()
        done = asyncio.ensure_future(self._answer_done.wait())
        jumped = asyncio.ensure_future(self._jumped.wait())
        try:
            while True:
                quiet_until = self._answer_heard_at + self.settings.replay_answer_timeout
                finished, _ = await asyncio.wait(
                    {done, jumped},
                    timeout=max(0.0, quiet_until - loop.time()),
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if finished:
                    return
                if loop.time() >= self._answer_heard_at + self.settings.replay_answer_timeout:
                    log.info("no answer to a replayed turn in time; sending the next one")
                    self._answer_done.set()
                    return
        finally:
            done.cancel()
            jumped.cancel()

    def _discard(self, item: Outgoing) -> None:
        if self._outbox and self._outbox[0] is item:
            self._outbox.popleft()
            return
        with contextlib.suppress(ValueError):
            self._outbox.remove(item)

    # ----- connection loop -----------------------------------------------

    @property
    def _phase_event(self) -> asyncio.Event:
        if not hasattr(self, "_phase_changed"):
            self._phase_changed = asyncio.Event()
        return self._phase_changed

    def _set_phase(
        self, phase: Phase, attempt: int = 0, reason: str | None = None, final: bool = False
    ) -> None:
        self._phase = PhaseChanged(phase, attempt, reason, final)
        log.info("phase %s attempt=%s reason=%s", phase.value, attempt, reason)
        self._events.publish(self._phase)
        self._phase_event.set()
        self._phase_event.clear()

    async def _run(self) -> None:
        attempt = 0
        first = True
        last_error = ""
        at_once = False  # skip the backoff before the next attempt
        quick_end = False  # the last connection ended at once without proving itself
        while not self._closing:
            if attempt > self.settings.max_attempts:
                self._set_phase(
                    Phase.CLOSED,
                    attempt - 1,
                    f"gave up after {attempt - 1} attempts: {last_error} (/reconnect to try again)",
                )
                return
            if attempt > 1 and not at_once:
                await self._backoff(attempt)
                if self._closing:
                    return
            at_once = False
            self._set_phase(
                Phase.CONNECTING if first else Phase.RECONNECTING, attempt, last_error or None
            )
            self._restart.clear()
            try:
                ended = await self._connect_once()
            except _Final as final:
                self._set_phase(Phase.CLOSED, attempt, str(final), final=True)
                return
            except _StaleHandle as stale:
                self._handle = None
                self._events.publish(
                    ContextLost(f"the server no longer knew this session ({stale}); started fresh")
                )
                attempt, first, last_error = 1, False, str(stale)
                continue
            except (ConnectError, OSError, TimeoutError, InvalidHandshake, ProtocolError) as error:
                last_error = _describe(error)
                log.warning("connection attempt failed: %s", last_error)
                attempt += 1
                first = False
                continue
            except ConnectionClosed as closed:
                last_error = _close_reason(closed)
                attempt += 1
                first = False
                continue
            except Exception as error:
                # Anything else (a token refresh that failed in google-auth, a
                # bug) is a failed attempt with its reason, never a dead task
                # behind a phase that still says "connected".
                last_error = _describe(error)
                log.exception("connection attempt failed unexpectedly")
                attempt += 1
                first = False
                continue
            first = False
            self.stats.reconnects += 1
            last_error = self._last_end
            if ended.proved:
                attempt, quick_end = 1, False  # a good connection: count failures afresh
            elif ended.at_once and not quick_end:
                # GoAway (or /reconnect): go now, and it is not a failure. Twice
                # in a row on connections that never proved themselves is a
                # server in a loop: then it counts, with backoff.
                attempt, at_once, quick_end = max(attempt, 1), True, True
            else:
                attempt += 1

    async def _backoff(self, attempt: int) -> None:
        # attempt 1 is immediate; then base * 2^(n-2), capped, with full jitter
        # in [50 %, 100 %] so many clients do not retry in step.
        delay = min(self.settings.backoff_cap, self.settings.backoff_base * 2 ** (attempt - 2))
        delay *= random.uniform(0.5, 1.0)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._restart.wait()

    async def _connect_once(self) -> _Ended:
        """One connection that reached setupComplete, from handshake to close.

        Raises if it failed before setupComplete.
        """
        self._last_end = ""
        handle = None if self._fresh_next else self._handle
        self._fresh_next = False
        setup = replace(self._setup, resumption_handle=handle)
        try:
            setup_frame = encode_frame(setup)
        except ProtocolError as error:
            raise _Final(str(error)) from None  # retrying the same setup cannot help
        try:
            headers = await self._endpoint.credential.headers()
        except Exception as error:
            raise ConnectError(f"could not get a credential: {_describe(error)}") from error
        try:
            ws = await asyncio.wait_for(
                connect(
                    self._endpoint.url,
                    additional_headers=headers,
                    open_timeout=None,
                    ping_interval=self.settings.ping_interval,
                    ping_timeout=self.settings.ping_timeout,
                    close_timeout=2,
                    max_size=self.settings.max_frame_bytes,
                    user_agent_header="gemini-live-tui",
                    # base64 audio and JPEG do not compress: deflate would only cost CPU
                    compression=None,
                ),
                self.settings.connect_timeout,
            )
        except InvalidStatus as error:
            status = error.response.status_code
            body = (
                error.response.body.decode("utf-8", "replace")[:300] if error.response.body else ""
            )
            if status in (400, 401, 403, 404):
                reason = f"server refused the connection: HTTP {status} {body}".strip()
                hinted = self._with_refusal_hint(reason) if status in (401, 403) else reason
                raise _Final(hinted) from None
            raise ConnectError(f"HTTP {status} at handshake {body}".strip()) from None
        except InvalidURI as error:
            raise _Final(f"invalid server URL: {error}") from None
        except TimeoutError:
            raise ConnectError(
                f"no connection within {self.settings.connect_timeout:g} s"
            ) from None

        self._ws = ws
        self._goaway_seen = False
        loop = asyncio.get_running_loop()
        at_once = reached = False
        try:
            try:
                await ws.send(setup_frame, text=True)
                await self._await_setup_complete(ws)
            except ConnectionClosed as closed:
                self._classify_close(closed, during_setup=True, sent_handle=handle is not None)
                raise
            self._after_setup_complete()
            reached = True
            self._progress = False
            ready_at = loop.time()
            at_once = await self._read_loop(ws)
            up_for = loop.time() - ready_at
            return _Ended(self._progress or up_for >= self.settings.stable_after, at_once)
        finally:
            self._ready.clear()
            self._ws = None
            if reached:  # a GoAway's own close is not a cut either
                self._connection_lost(cut=not (at_once or self._goaway_seen or self._closing))
            with contextlib.suppress(Exception):
                await ws.close(1000, "reconnecting")

    def _connection_lost(self, *, cut: bool) -> None:
        """Count cut answers; give up (and say so) on turns cut too often."""
        for item in self._ledger.connection_lost(cut=cut):
            text = message_text(item.message)
            log.warning("gave up on a message after %d cut answers", item.cuts)
            self._events.publish(NotDelivered(text, item.cuts))

    async def _await_setup_complete(self, ws: ClientConnection) -> None:
        try:
            async with asyncio.timeout(self.settings.setup_timeout):
                while True:
                    frame = await ws.recv()
                    events = self._decode(frame)
                    done = any(isinstance(e, SetupComplete) for e in events)
                    for event in events:
                        self._publish(event)
                    if done:
                        return
        except TimeoutError:
            raise ConnectError(
                f"no setupComplete within {self.settings.setup_timeout:g} s"
            ) from None

    def _after_setup_complete(self) -> None:
        self._connection_no += 1
        self._open_calls.clear()
        replay = self._ledger.take_replay()
        if replay:
            self.stats.replayed += len(replay)
            self._outbox.extendleft(reversed(replay))
            self._outbox_changed.set()
        # Tool responses waiting from an older connection: no call id of this
        # one is known yet, so each becomes a text turn (or goes, if interim).
        kept: deque[Outgoing] = deque()
        for item in self._outbox:
            if isinstance(item.message, ToolResponse):
                kept.extend(
                    replace(item, message=m) if i == 0 else Outgoing(m, item.queued_at)
                    for i, m in enumerate(self._for_this_connection(item.message))
                )
            else:
                kept.append(item)
        self._outbox = kept
        # Turns that waited (replayed or typed during the gap) go out one at a
        # time, each after the answer to the one before: a turn that breaks
        # the connection is then the only one cut, and each gets its answer.
        self._paced_until = max(
            (item.seq for item in self._outbox if is_turn(item.message)), default=-1
        )
        self._answer_done.set()
        self._turn_active = False
        self._generation_done = False
        self._set_phase(Phase.CONNECTED)
        self._ready.set()

    async def _read_loop(self, ws: ClientConnection) -> bool:
        """Read until the connection ends; True if it ended by GoAway or by request."""
        goaway_deadline: float | None = None
        loop = asyncio.get_running_loop()
        try:
            while True:
                if self._restart.is_set():
                    self._last_end = "reconnect requested"
                    return True
                if goaway_deadline is not None and (
                    not (self._turn_active or self._tool_work_open())
                    or loop.time() >= goaway_deadline
                ):
                    self._last_end = "server sent GoAway"
                    return True
                timeout = None if goaway_deadline is None else goaway_deadline - loop.time()
                try:
                    async with asyncio.timeout(timeout):
                        frame = await ws.recv()
                except TimeoutError:
                    continue
                for event in self._decode(frame):
                    self._publish(event)
                    if isinstance(event, GoAway):
                        self._goaway_seen = True
                        goaway_deadline = loop.time() + max(
                            0.0, event.seconds_left - self.settings.goaway_margin
                        )
                    if goaway_deadline is not None and self._generation_done:
                        # Some turns never get turnComplete after generationComplete:
                        # wait only briefly for it (it carries usage and a new handle).
                        goaway_deadline = min(goaway_deadline, loop.time() + 0.5)
        except ConnectionClosed as closed:
            self._classify_close(closed, during_setup=False, sent_handle=False)
            self._last_end = _close_reason(closed)
            return self._restart.is_set()

    def _classify_close(
        self, closed: ConnectionClosed, *, during_setup: bool, sent_handle: bool
    ) -> None:
        if self._restart.is_set() or self._closing:
            return
        code = closed.rcvd.code if closed.rcvd else None
        reason = _close_reason(closed)
        if code in FINAL_CLOSE_CODES:
            lowered = reason.lower()
            if code == 1008 and self._goaway_seen and any(w in lowered for w in ABORTED_WORDS):
                return  # the GoAway's deadline passed: resume like after a drop
            if during_setup and sent_handle and any(w in lowered for w in _STALE_HANDLE_WORDS):
                raise _StaleHandle(reason)
            raise _Final(self._with_refusal_hint(reason) if code == 1008 else reason)

    def _with_refusal_hint(self, reason: str) -> str:
        """The server's reason, and what to do if the credential says more (a used token)."""
        hint = self._endpoint.credential.refusal_hint
        return f"{reason}; {hint}" if hint else reason

    def _decode(self, frame: str | bytes) -> list[Event]:
        try:
            events: list[Event] = list(decode_frame(frame))
        except ProtocolError as error:
            self.stats.protocol_errors += 1
            log.warning("%s", error)
            return [SessionError(str(error))]
        if any(isinstance(event, _PROGRESS) for event in events):
            self._progress = True
        return events

    def _tool_work_open(self) -> bool:
        """A call of this connection is unanswered, or its answer not yet covered."""
        return bool(self._open_calls) or any(
            isinstance(item.message, ToolResponse) for item in self._ledger.kept
        )

    def _publish(self, event: Event) -> None:
        self._ledger.on_event(event)
        if isinstance(event, ToolCall):
            for call in event.calls:
                self._call_origin[call.id] = self._connection_no
                self._open_calls.add(call.id)
        elif isinstance(event, ToolCallCancellation):
            self._open_calls.difference_update(event.ids)
        if isinstance(event, _PROGRESS):
            self._answer_heard_at = asyncio.get_running_loop().time()
        if isinstance(event, TurnComplete | Interrupted):
            self._answer_done.set()
        if isinstance(event, ResumptionUpdate) and event.resumable and event.handle:
            self._handle = event.handle
        elif isinstance(event, ModelText | ModelAudio | OutputTranscription):
            self._turn_active = True
            self._generation_done = False
        elif isinstance(event, GenerationComplete):
            self._generation_done = True
        elif isinstance(event, TurnComplete | Interrupted):
            self._turn_active = False
            self._generation_done = False
        self._events.publish(event)


CARRIED_LIMIT = 8000
"""Characters of a tool result carried as text; a longer one is cut (and says so)."""


def _carried_text(responses: list[FunctionResponse]) -> str:
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


def _close_reason(closed: ConnectionClosed) -> str:
    frame = closed.rcvd
    if frame is None:
        return "connection lost (no close frame)"
    if frame.reason:
        return f"{frame.reason} (code {frame.code})"
    return f"closed with code {frame.code}"


def _describe(error: BaseException) -> str:
    text = str(error)
    return text if text else type(error).__name__
