"""A Live session that survives the service's connection limits: the asyncio driver.

`LiveSession` owns one WebSocket at a time. It connects, sends the setup,
waits for `setupComplete`, then reads frames into typed events that fan out
to subscribers. When the server says GoAway or the connection drops it
reconnects by itself, carrying the latest resumable handle so the
conversation continues.

Every decision — what goes out and in which order, what is kept and replayed,
when to reconnect, when to give up, what a close means — is made by
`SessionPolicy` (`session_policy.py`, no sockets, no asyncio). This module
only feeds it (sends, frames, closes, the loop's clock) and performs what it
answers: one writer task writes the frames it hands out, one task runs the
connections. Its guarantees, in short:

- Nothing is sent before `setupComplete`; every send goes through the
  policy's one outbound queue, so order is kept across reconnects. An awaited
  `send` with nothing waiting before it writes at once (`await ws.send`) and
  so feels the socket's backpressure; `send_nowait` queues for the writer.
- Reliable messages (text, client content, tool responses, activity signals,
  stream ends) are never dropped silently: kept until the server's state
  covers them (`delivery.py`), replayed after a lost connection; a turn cut
  `MAX_CUTS` (3) times is given up and published as `NotDelivered`.
- A tool response only goes to the connection that issued its call; an
  older connection's result is carried as a text turn (`ToolResultCarried`).
- On GoAway the connection is kept while a reply streams or a tool call of
  this connection is open, up to `timeLeft` less `goaway_margin`.
- Realtime audio older than `media_max_age` or beyond `max_queued_audio`
  waiting chunks is dropped; at most one video frame waits.
- A message that cannot be encoded is dropped alone and reported.
- Retries back off; the count starts again only after a connection proved
  itself. Authentication and argument errors (HTTP 401/403, close 1007/1008,
  save the 1008 "aborted" that follows a GoAway) are final. A resumption
  handle the server no longer knows starts fresh and publishes `ContextLost`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from .codec import decode_frame, encode_frame
from .delivery import Outgoing
from .errors import ConnectError, ProtocolError
from .events import Event, Phase, PhaseChanged, SessionError
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
from .session_policy import GiveUp, SessionPolicy, SessionSettings, SessionStats
from .transport import Endpoint

__all__ = [
    "LiveSession",
    "SessionSettings",
    "SessionStats",
]

log = logging.getLogger(__name__)


class _Final(Exception):
    """The connection ended for a reason retrying will not fix."""


class _StaleHandle(Exception):
    """The server did not know the resumption handle."""


class _Changed:
    """Wakes every task waiting for the session's state to change.

    Each `notify` completes the current waiters' future and starts a new one,
    so a waiter never misses a change that happens between its check and its
    wait, and nothing has to be cleared.
    """

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None

    def notify(self) -> None:
        if self._future is not None and not self._future.done():
            self._future.set_result(None)
        self._future = None

    async def wait(self, timeout: float | None = None) -> None:
        """Until the next `notify`, or `timeout` seconds."""
        if self._future is None:
            self._future = asyncio.get_running_loop().create_future()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._future), timeout)


class LiveSession:
    """One conversation with a Live model, across as many connections as it takes."""

    def __init__(
        self,
        endpoint: Endpoint,
        setup: Setup,
        settings: SessionSettings | None = None,
    ) -> None:
        self._endpoint = endpoint
        self.settings = settings or SessionSettings()
        self._policy = SessionPolicy(
            setup, self.settings, refusal_hint=endpoint.credential.refusal_hint
        )
        self._events: Fanout[Event] = Fanout(self.settings.subscriber_queue)
        self._changed = _Changed()
        self._ws: ClientConnection | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._writer_task: asyncio.Task[None] | None = None

    # ----- observation -------------------------------------------------

    @property
    def stats(self) -> SessionStats:
        return self._policy.stats

    @property
    def phase(self) -> PhaseChanged:
        """The current connection phase, with attempt number and reason."""
        return self._policy.phase

    @property
    def resumption_handle(self) -> str | None:
        """The latest handle that came with `resumable: true`."""
        return self._policy.handle

    @property
    def setup(self) -> Setup:
        return self._policy.setup

    @property
    def lagged(self) -> int:
        """Events dropped across all subscribers that did not keep up."""
        return self._events.total_lagged

    def subscribe(self, maxsize: int | None = None) -> Subscription[Event]:
        """A new subscriber queue; it receives events published from now on."""
        subscription = self._events.subscribe(maxsize)
        if self._run_task is not None:
            subscription.offer(self._policy.phase)
        return subscription

    def _now(self) -> float:
        return asyncio.get_running_loop().time() * 1000.0

    def _flush(self) -> None:
        """Publish what the policy decided to publish, and wake the waiting tasks."""
        for event in self._policy.take_events():
            self._events.publish(event)
        self._changed.notify()

    # ----- lifecycle ---------------------------------------------------

    async def start(self) -> None:
        """Start connecting in the background; returns at once."""
        if self._run_task and not self._run_task.done():
            return
        self._policy.start()
        self._run_task = asyncio.create_task(self._run(), name="live-session")
        if self._writer_task is None or self._writer_task.done():
            self._writer_task = asyncio.create_task(self._write_loop(), name="live-writer")

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until setupComplete; raises ConnectError if the session closes first."""
        async with asyncio.timeout(timeout):
            while not self._policy.ready:
                if self.phase.phase is Phase.CLOSED and (
                    self._run_task is None or self._run_task.done()
                ):
                    raise ConnectError(self.phase.reason or "session closed")
                await self._changed.wait()

    def update_setup(self, setup: Setup) -> None:
        """Use this setup from the next connection on (see `reconnect`)."""
        self._policy.setup = setup

    async def reconnect(self, *, fresh: bool = False) -> None:
        """Close the current connection and connect again (resuming unless `fresh`)."""
        self._policy.reconnect(fresh=fresh)
        if self._run_task is None or self._run_task.done():
            await self.start()
            return
        self._changed.notify()
        if self._ws is not None:
            await self._ws.close(1000, "client reconnect")

    async def close(self) -> None:
        """Close for good."""
        self._policy.close()
        self._changed.notify()
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close(1000, "client closed")
        for task in (self._run_task, self._writer_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._policy.closed_by_user()
        self._flush()

    # ----- sending -----------------------------------------------------

    async def send_text(self, text: str) -> None:
        await self.send(RealtimeText(text))

    async def send_audio(self, pcm: bytes, rate: int = 16000) -> None:
        await self.send(RealtimeAudio(pcm, rate))

    async def send_audio_stream_end(self) -> None:
        if self._takes_audio_stream_end:
            await self.send(AudioStreamEnd())

    def send_audio_stream_end_nowait(self) -> None:
        """`send_audio_stream_end` for code on the event loop that cannot await."""
        if self._takes_audio_stream_end:
            self.send_nowait(AudioStreamEnd())

    @property
    def _takes_audio_stream_end(self) -> bool:
        # Vertex AI refuses the field (google-genai's _live_converters.py: "audio_stream_end
        # parameter is only supported in Gemini Developer API"): there the mic simply stops,
        # and automatic activity detection ends the turn on the silence.
        return self._endpoint.credential.kind != "vertex"

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

    def send_video_nowait(self, data: bytes, mime_type: str = "image/jpeg") -> bool:
        """Queue a video frame for the writer (event loop's thread only). At
        most one frame waits: True when this one took the place of a waiting
        frame that had not gone out (counted in `stats.video_replaced`)."""
        replaced_before = self._policy.stats.video_replaced
        self.send_nowait(RealtimeVideo(data, mime_type))
        return self._policy.stats.video_replaced > replaced_before

    async def send(self, message: ClientMessage) -> None:
        """Send a message in order once the session is ready.

        With nothing waiting before it, it is written now and this waits while
        the socket applies backpressure; otherwise it joins the outbox.
        """
        direct = self._policy.submit(message, self._now())
        self._flush()
        for item in direct:
            ws = self._ws
            if ws is None:
                self._policy.send_failed(item, lost=False)
                self._flush()
                continue
            await self._write(ws, item)

    def send_nowait(self, message: ClientMessage) -> None:
        """`send` without awaiting, for code on the event loop's thread: the
        message joins the outbox in order and the writer task sends it.
        Raises SessionClosed after `close`."""
        self._policy.submit(message, self._now(), write_now=False)
        self._flush()

    async def _write(self, ws: ClientConnection, item: Outgoing) -> None:
        """Encode and write one item; tell the policy how it went."""
        try:
            frame = encode_frame(item.message)
        except ProtocolError as error:
            self._policy.unsendable(item, _describe(error), encoding=True)
            self._flush()
            return
        try:
            await ws.send(frame, text=True)
        except ConnectionClosed:
            # The reader sees the same close and reconnects; the item goes out
            # (or ages out) after that, in its place.
            self._policy.send_failed(item, lost=self._ws is ws)
        except Exception as error:
            # Not a closed socket: something about this message. Drop it rather
            # than retry it forever.
            self._policy.unsendable(item, _describe(error), encoding=False)
        else:
            self._policy.sent(item, self._now())
        self._flush()

    async def _write_loop(self) -> None:
        while True:
            item, wake_at = self._policy.next_to_send(self._now())
            ws = self._ws
            if item is None or ws is None:
                if item is not None:  # between connections
                    self._policy.send_failed(item, lost=False)
                timeout = None if wake_at is None else max(0.0, (wake_at - self._now()) / 1000)
                await self._changed.wait(timeout)
                continue
            await self._write(ws, item)

    # ----- connection loop -----------------------------------------------

    async def _run(self) -> None:
        policy = self._policy
        while not policy.closing:
            decision = policy.next_attempt()
            if isinstance(decision, GiveUp):
                self._flush()
                return
            until = self._now() + decision.delay_ms
            while not (policy.restart or policy.closing) and self._now() < until:
                await self._changed.wait((until - self._now()) / 1000)
            if policy.closing:
                return
            policy.connecting()
            self._flush()
            try:
                await self._connect_once()
            except _Final as final:
                policy.connect_final(str(final))
                self._flush()
                return
            except _StaleHandle as stale:
                policy.stale_handle(str(stale))
            except (ConnectError, OSError, TimeoutError, InvalidHandshake, ProtocolError) as error:
                log.warning("connection attempt failed: %s", _describe(error))
                policy.connect_failed(_describe(error))
            except ConnectionClosed as closed:
                policy.connect_failed(_close_reason(closed))
            except Exception as error:
                # Anything else (a token refresh that failed in google-auth, a
                # bug) is a failed attempt with its reason, never a dead task
                # behind a phase that still says "connected".
                log.exception("connection attempt failed unexpectedly")
                policy.connect_failed(_describe(error))
            self._flush()

    async def _connect_once(self) -> None:
        """One connection, from handshake to close; raises if it failed before
        setupComplete, or if it ended for a reason retrying cannot fix."""
        policy = self._policy
        setup = policy.setup_message()
        try:
            setup_frame = encode_frame(setup)
        except ProtocolError as error:
            raise _Final(str(error)) from None  # retrying the same setup cannot help
        try:
            headers = await self._endpoint.credential.headers()
        except Exception as error:
            raise ConnectError(f"could not get a credential: {_describe(error)}") from error
        ws = await self._open(headers)
        self._ws = ws
        final = False
        reached = False
        try:
            try:
                await ws.send(setup_frame, text=True)
                await self._await_setup_complete(ws)
            except ConnectionClosed as closed:
                self._judge_close(closed, during_setup=True)
                raise
            reached = True
            try:
                await self._read_loop(ws)
            except _Final:
                final = True
                raise
        finally:
            self._ws = None
            if reached:
                policy.connection_ended(self._now(), final=final)
            else:
                policy.ready = False
            self._flush()
            with contextlib.suppress(Exception):
                await ws.close(1000, "reconnecting")

    async def _open(self, headers: dict[str, str]) -> ClientConnection:
        try:
            return await asyncio.wait_for(
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
                hinted = self._policy.with_refusal_hint(reason) if status in (401, 403) else reason
                raise _Final(hinted) from None
            raise ConnectError(f"HTTP {status} at handshake {body}".strip()) from None
        except InvalidURI as error:
            raise _Final(f"invalid server URL: {error}") from None
        except TimeoutError:
            raise ConnectError(
                f"no connection within {self.settings.connect_timeout:g} s"
            ) from None

    async def _await_setup_complete(self, ws: ClientConnection) -> None:
        try:
            async with asyncio.timeout(self.settings.setup_timeout):
                while True:
                    done = self._policy.on_events(self._decode(await ws.recv()), self._now())
                    self._flush()
                    if done:
                        return
        except TimeoutError:
            raise ConnectError(
                f"no setupComplete within {self.settings.setup_timeout:g} s"
            ) from None

    async def _read_loop(self, ws: ClientConnection) -> None:
        """Read until the connection ends (closed, GoAway, or a reconnect asked for)."""
        policy = self._policy
        try:
            while policy.end_reason(self._now()) is None:
                deadline = policy.deadline()
                timeout = None if deadline is None else max(0.0, (deadline - self._now()) / 1000)
                try:
                    async with asyncio.timeout(timeout):
                        frame = await ws.recv()
                except TimeoutError:
                    continue
                policy.on_events(self._decode(frame), self._now())
                self._flush()
        except ConnectionClosed as closed:
            self._judge_close(closed, during_setup=False)
            policy.on_close(_close_reason(closed))

    def _judge_close(self, closed: ConnectionClosed, *, during_setup: bool) -> None:
        code = closed.rcvd.code if closed.rcvd else None
        reason = _close_reason(closed)
        verdict = self._policy.classify_close(code, reason, during_setup=during_setup)
        if verdict == "stale_handle":
            raise _StaleHandle(reason)
        if verdict == "final":
            raise _Final(self._policy.with_refusal_hint(reason) if code == 1008 else reason)

    def _decode(self, frame: str | bytes) -> list[Event]:
        try:
            return list(decode_frame(frame))
        except ProtocolError as error:
            self._policy.stats.protocol_errors += 1
            log.warning("%s", error)
            return [SessionError(str(error))]


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
