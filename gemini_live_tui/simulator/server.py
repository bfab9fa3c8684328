"""The Live API protocol server on loopback, for `--demo` and for every test.

It plays Google's service, not a client: it checks the endpoint path and
credential, validates and answers the setup, hears realtime audio (through
`hearing.py`'s energy detector, so the client's microphone path and
barge-in can be tested), counts video frames, frames the model's turns,
sends function calls and takes their responses, issues resumption handles
and resumes from them. What the model says is `model.py` (`ScriptedModel`);
what tests read back is `recorder.py` (`Recorder`, which this server is);
per-connection and per-session state is `connection.py`.

Faults on demand, through the methods of `LiveSimulator` (tests), the
`drop_next_setups` / `close_next_setups` / `goaway_next_setups` counters (a
fault instead of setupComplete), or words in the user's text (the demo; see
`model.py`).

With a `persona` (`personas.py`) it also refuses what Google's service refuses
for that model and backend, closing with the service's code and reason.

Session semantics follow Google's pages (URLs beside the code): a handle
stands for the session as it was when issued, so a resume loses what came
after it, including calls still pending; updates say `resumable: false`
while calls run; a connection that outstays its GoAway is closed with 1008
"The operation was aborted.".
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import logging
import re
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .connection import HandleState, SimConnection, SimSession
from .hearing import Heard
from .model import ScriptedModel
from .personas import Persona, Refusal
from .recorder import Recorder

log = logging.getLogger(__name__)

_PATH = re.compile(
    r"^/ws/(google\.ai\.generativelanguage\.v\w+\.GenerativeService\.BidiGenerateContent(Constrained)?"
    r"|google\.cloud\.aiplatform\.v\w+\.LlmBidiService/BidiGenerateContent)$"
)
BAD_KEY_REASON = "API key not valid. Please pass a valid API key."
STALE_HANDLE_REASON = "Session not found: the resumption handle is unknown or has expired."
ABORTED_REASON = "The operation was aborted."
USED_TOKEN_REASON = "The ephemeral token has already been used to start a session, or has expired."
UNKNOWN_CALL_REASON = "Request contains an invalid argument."


class LiveSimulator(Recorder):
    """The server. `async with LiveSimulator() as sim:` then connect to `sim.base_url`."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        word_delay: float = 0.01,
        audio_speed: float = 4.0,
        binary_frames: bool = True,
        record: bool = True,
        persona: Persona | None = None,
    ) -> None:
        # Tests read every message back; the demo runs for hours, so without
        # `record` realtime media is only counted, and its memory stays flat.
        super().__init__(record=record)
        self.model = ScriptedModel(self, word_delay=word_delay, audio_speed=audio_speed)
        self.api_key = api_key
        self.persona = persona
        self.refusals: list[Refusal] = []  # what the persona closed connections for
        self.silent_calls: set[str] = set()  # answered with scheduling SILENT
        self.host = host
        self.port = port
        self.binary_frames = binary_frames
        self.connections: list[SimConnection] = []
        self.sessions: dict[str, HandleState] = {}
        self.http_reject_status: int | None = None
        self.close_next_setups: list[tuple[int, str]] = []
        self.drop_next_setups = 0  # abort the TCP connection on this many setups
        # send goAway (and then close 1000) instead of setupComplete on this many setups
        self.goaway_next_setups = 0
        self.goaway_grace = 0.0  # extra seconds before closing a connection past its GoAway
        # An ephemeral token starts one session ("uses" defaults to 1:
        # https://ai.google.dev/gemini-api/docs/ephemeral-tokens); resuming is
        # not starting. The close code and words for a used token are a guess.
        self.one_use_tokens = False
        self.tokens_used: set[str] = set()
        self.calls_issued: set[str] = set()  # every function call id any session issued
        self._setups_open = asyncio.Event()  # cleared: setups wait (a slow service)
        self._setups_open.set()
        self.stalled = False
        self._unstalled = asyncio.Event()
        self._unstalled.set()
        self._server: Server | None = None
        self._numbers = itertools.count(1)
        self._session_ids = itertools.count(1)

    # ----- lifecycle ---------------------------------------------------

    async def start(self) -> LiveSimulator:
        self._server = await serve(
            self._handle,
            self.host,
            self.port,
            process_request=self._process_request,
            max_size=64 * 1024 * 1024,
            ping_interval=None,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 3)
        for connection in self.connections:
            if connection.reply_task:
                connection.reply_task.cancel()
            for task in connection.tasks:
                task.cancel()

    async def __aenter__(self) -> LiveSimulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def word_delay(self) -> float:
        """Seconds between the scripted model's text fragments."""
        return self.model.word_delay

    @word_delay.setter
    def word_delay(self, seconds: float) -> None:
        self.model.word_delay = seconds

    @property
    def audio_speed(self) -> float:
        """How much faster than real time the scripted model's audio is sent."""
        return self.model.audio_speed

    @audio_speed.setter
    def audio_speed(self, speed: float) -> None:
        self.model.audio_speed = speed

    @property
    def current(self) -> SimConnection | None:
        """The newest connection that is still open."""
        for connection in reversed(self.connections):
            if not connection.closed:
                return connection
        return None

    # ----- faults and scripted behaviour ---------------------------------

    async def send_goaway(self, seconds: float = 10.0) -> None:
        if connection := self.current:
            await self.go_away(connection, seconds)

    async def go_away(self, connection: SimConnection, seconds: float) -> None:
        """GoAway, then close the connection if the client is still there at the deadline.

        The service ends the connection when `timeLeft` runs out; a client
        still on it gets 1008 "The operation was aborted." (seen from the
        service; the GoAway message: https://ai.google.dev/api/live#goaway).
        """
        await connection.send({"goAway": {"timeLeft": f"{seconds:g}s"}})

        async def deadline() -> None:
            await asyncio.sleep(seconds + self.goaway_grace)
            if not connection.closed:
                with contextlib.suppress(Exception):
                    await connection.ws.close(1008, ABORTED_REASON)

        connection.tasks.append(asyncio.create_task(deadline()))

    async def issue_handle(self) -> None:
        """Send a resumption update now (as the service does at any time)."""
        if connection := self.current:
            await self._issue_handle(connection)

    async def drop(self) -> None:
        """Drop the TCP connection without a close frame."""
        if connection := self.current:
            connection.abort()

    async def close_with(self, code: int, reason: str) -> None:
        if connection := self.current:
            await connection.ws.close(code, reason)

    async def send_raw(self, frame: str | bytes) -> None:
        if connection := self.current:
            await connection.ws.send(frame)

    async def send_message(self, message: dict[str, Any]) -> None:
        if connection := self.current:
            await connection.send(message)

    async def call_tool(self, name: str, args: dict[str, Any] | None = None) -> str:
        """Start a model turn that calls a tool and waits for its response."""
        connection = self.current
        assert connection is not None, "no client connected"
        call_id = self.model.new_call_id()
        connection.reply_task = asyncio.create_task(
            self.model.tool_turn(connection, call_id, name, args or {})
        )
        return call_id

    async def cancel_tool(self, call_id: str) -> None:
        if connection := self.current:
            await connection.send({"toolCallCancellation": {"ids": [call_id]}})

    def stall(self, stalled: bool = True) -> None:
        """Stop sending anything (or start again)."""
        self.stalled = stalled
        if stalled:
            self._unstalled.clear()
        else:
            self._unstalled.set()

    def hold_setups(self, held: bool = True) -> None:
        """Make setups wait for `hold_setups(False)`: the client stays reconnecting."""
        if held:
            self._setups_open.clear()
        else:
            self._setups_open.set()

    def forget_handles(self) -> None:
        """Make every issued handle stale (as after the service's expiry)."""
        self.sessions.clear()

    # ----- connection handling -------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        if self.http_reject_status is not None:
            status = self.http_reject_status
            return connection.respond(status, f"rejected with HTTP {status}\n")
        if not _PATH.match(request.path.split("?")[0]):
            return connection.respond(404, f"no such endpoint: {request.path}\n")
        return None

    def _credential_ok(self, path: str, headers: Headers) -> bool:
        if "Constrained" in path:
            value = headers.get("Authorization", "")
            return value.startswith("Token ") and self._key_matches(value[6:])
        if "aiplatform" in path:
            value = headers.get("Authorization", "")
            return value.startswith("Bearer ") and self._key_matches(value[7:])
        return self._key_matches(headers.get("x-goog-api-key", ""))

    def _key_matches(self, secret: str) -> bool:
        return bool(secret) and (self.api_key is None or secret == self.api_key)

    async def _handle(self, ws: ServerConnection) -> None:
        connection = SimConnection(self, ws, next(self._numbers))
        self.connections.append(connection)
        try:
            request = ws.request
            assert request is not None  # set by the opening handshake
            if not self._credential_ok(request.path, request.headers):
                await ws.close(1008, BAD_KEY_REASON)
                return
            async for frame in ws:
                try:
                    message = json.loads(frame)
                except json.JSONDecodeError:
                    await ws.close(1007, "Invalid JSON payload received.")
                    return
                self.note_received(connection.number, message)
                await self._on_message(connection, message)
                await self.notify()
        except ConnectionClosed:
            pass
        finally:
            connection.closed = True
            await self.notify()

    async def _on_message(self, connection: SimConnection, message: dict[str, Any]) -> None:
        if "setup" in message:
            await self._on_setup(connection, message["setup"])
            return
        if connection.session is None:
            await connection.ws.close(
                1007, "Request contains an invalid argument: setup must come first."
            )
            return
        if connection.judge is not None:
            model_turns = sum(1 for role, _ in connection.session.history if role == "model")
            if refusal := connection.judge.check(message, model_turns):
                await self._refuse(connection, refusal)
                return
        if "realtimeInput" in message:
            await self._on_realtime(connection, message["realtimeInput"])
        elif "clientContent" in message:
            content = message["clientContent"]
            texts = [
                part.get("text", "")
                for turn in content.get("turns", [])
                for part in turn.get("parts", [])
            ]
            if content.get("turnComplete", True) and texts:
                self._start_reply(connection, " ".join(texts))
        elif "toolResponse" in message:
            session = connection.session
            for response in message["toolResponse"].get("functionResponses", []):
                call_id = response.get("id")
                if call_id in self.calls_issued and call_id not in session.issued_calls:
                    # A response for a call this session's state never saw (made on
                    # a connection after the handle it resumed from). No page says
                    # what the service does; closing with 1007 is a guess.
                    await connection.ws.close(1007, UNKNOWN_CALL_REASON)
                    return
                judge = connection.judge
                # a blocking model takes the first response as the result, interim or not
                in_background = judge is None or judge.non_blocking(response.get("name", ""))
                if response.get("willContinue") and in_background:
                    continue  # an interim answer: the call is still pending
                if judge and in_background and response.get("scheduling") == "SILENT":
                    self.silent_calls.add(response.get("id"))
                future = session.pending_tools.pop(response.get("id"), None)
                if future is not None and not future.done():
                    future.set_result(response.get("response", {}))

    async def _on_setup(self, connection: SimConnection, setup: dict[str, Any]) -> None:
        await self._setups_open.wait()
        if self.drop_next_setups > 0:
            self.drop_next_setups -= 1
            connection.abort()
            return
        if self.close_next_setups:
            code, reason = self.close_next_setups.pop(0)
            await connection.ws.close(code, reason)
            return
        if self.goaway_next_setups > 0:
            # The service going away while a connection is still being set up:
            # goAway arrives where setupComplete should, then the connection ends.
            self.goaway_next_setups -= 1
            await connection.send({"goAway": {"timeLeft": "0s"}})
            await connection.ws.close(1000, "server going away")
            return
        if not str(setup.get("model", "")).strip():
            await connection.ws.close(
                1007, "Request contains an invalid argument: model is required."
            )
            return
        if self.persona is not None:
            version = re.search(r"\.(v\w+)\.", connection.request.path)
            judged = self.persona.open(setup, version.group(1) if version else "v1beta")
            if isinstance(judged, Refusal):
                await self._refuse(connection, judged)
                return
            connection.judge = judged
        connection.setup = setup
        handle = setup.get("sessionResumption", {}).get("handle")
        if handle:
            state = self.sessions.get(handle)
            if state is None:
                await connection.ws.close(1008, STALE_HANDLE_REASON)
                return
            session = self._restore(state)
        else:
            token = connection.request.headers.get("Authorization", "")
            if self.one_use_tokens and token.startswith("Token "):
                if token in self.tokens_used:
                    await connection.ws.close(1008, USED_TOKEN_REASON)
                    return
                self.tokens_used.add(token)
            session = SimSession(next(self._session_ids))
        connection.session = session
        session.connection = connection
        await connection.send({"setupComplete": {}})
        if "sessionResumption" in setup:
            await self._issue_handle(connection)

    def _restore(self, state: HandleState) -> SimSession:
        """The session as the handle left it: later turns and pending calls are gone.

        "Resuming session (using previous session token) in such state will
        result in some data loss" (LiveServerSessionResumptionUpdate,
        https://googleapis.github.io/js-genai/release_docs/interfaces/types.LiveServerSessionResumptionUpdate.html).
        """
        session = state.session
        del session.history[state.history_len :]
        session.issued_calls = set(state.issued_calls)
        for call_id, future in list(session.pending_tools.items()):
            if call_id not in state.issued_calls:
                future.cancel()  # the resumed session never saw this call
                del session.pending_tools[call_id]
        if session.connection is not None and session.connection.reply_task is not None:
            session.connection.reply_task.cancel()
        return session

    async def _refuse(self, connection: SimConnection, refusal: Refusal) -> None:
        self.refusals.append(refusal)
        # A close reason holds at most 123 bytes (RFC 6455 5.5); longer ones are cut.
        reason = refusal.reason.encode()[:123].decode("utf-8", "ignore")
        await connection.ws.close(refusal.code, reason)

    async def _issue_handle(self, connection: SimConnection) -> None:
        session = connection.session
        assert session is not None
        if any(not future.done() for future in session.pending_tools.values()):
            # "It might be not possible to resume session at some points. In that
            # case we send update empty new_handle and resumable=false. Example of
            # such case could be model executing function calls" (same page).
            await connection.send({"sessionResumptionUpdate": {"resumable": False}})
            return
        session.handles_issued += 1
        handle = f"sim-{session.id}-{session.handles_issued}"
        self.sessions[handle] = HandleState(
            session, len(session.history), frozenset(session.issued_calls)
        )
        await connection.send({"sessionResumptionUpdate": {"newHandle": handle, "resumable": True}})

    async def _on_realtime(self, connection: SimConnection, body: dict[str, Any]) -> None:
        if "text" in body:
            self._start_reply(connection, str(body["text"]))
        if "audio" in body:
            audio = body["audio"]
            match = re.search(r"rate=(\d+)", audio.get("mimeType", ""))
            rate = int(match.group(1)) if match else 16000
            pcm = base64.b64decode(audio.get("data", ""))
            heard = connection.hearing.hear(pcm, rate, connection.vad_enabled)
            if heard is Heard.SPEECH_STARTED:
                await self._barge_in(connection)
            elif heard is Heard.SPEECH_ENDED:
                await self._end_of_speech(connection)
        if "video" in body:
            connection.video_frames += 1
            connection.last_video = base64.b64decode(body["video"].get("data", ""))
        if "activityStart" in body:
            connection.hearing.activity_start()
            await self._barge_in(connection)
        ends_turn = "activityEnd" in body or body.get("audioStreamEnd")
        if ends_turn and connection.hearing.turn_over("activityEnd" in body):
            await self._end_of_speech(connection)

    async def _barge_in(self, connection: SimConnection) -> None:
        handling = connection.setup.get("realtimeInputConfig", {}).get("activityHandling")
        task = connection.reply_task
        if task and not task.done() and handling != "NO_INTERRUPTION":
            task.cancel()
            await connection.send({"serverContent": {"interrupted": True}})

    async def _end_of_speech(self, connection: SimConnection) -> None:
        heard = connection.hearing.finish()
        await connection.send(
            {"serverContent": {"inputTranscription": {"text": heard, "finished": True}}}
        )
        self._start_reply(connection, heard, spoken=True)

    # ----- turns (the scripted model answers; the service frames them) ----

    def _start_reply(self, connection: SimConnection, text: str, spoken: bool = False) -> None:
        # Like the service: a new turn during a reply cuts it, says `interrupted`, then answers.
        cut = False
        if (task := connection.reply_task) is not None and not task.done():
            task.cancel()
            cut = True
        connection.reply_task = asyncio.create_task(self._answer(connection, text, spoken, cut))

    async def _answer(self, connection: SimConnection, text: str, spoken: bool, cut: bool) -> None:
        session = connection.session
        assert session is not None
        if cut:
            with contextlib.suppress(ConnectionClosed):
                await connection.send({"serverContent": {"interrupted": True}})
        session.history.append(("user", text))
        with contextlib.suppress(ConnectionClosed):
            await self.model.reply(connection, text, spoken)

    async def finish_turn(self, connection: SimConnection, said: list[str]) -> None:
        """End the model's turn: completion, usage, and a fresh resumption handle."""
        session = connection.session
        assert session is not None
        session.history.append(("model", " ".join(said)))
        await connection.send({"serverContent": {"generationComplete": True}})
        judge = connection.judge
        extra = judge.turn_complete_fields() if judge else {}
        await connection.send({"serverContent": {"turnComplete": True, **extra}})
        prompt = sum(len(t.split()) for _, t in session.history)
        usage = {
            "promptTokenCount": prompt,
            "responseTokenCount": len(said),
            "totalTokenCount": prompt + len(said),
        }
        await connection.send({"usageMetadata": judge.usage(prompt, len(said)) if judge else usage})
        await self._issue_handle(connection)

    async def issue_call(
        self, connection: SimConnection, call_id: str, name: str, args: dict[str, Any]
    ) -> dict[str, Any]:
        """Send a function call and wait for the client's result (on any later connection)."""
        session = connection.session
        assert session is not None
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        session.pending_tools[call_id] = future
        session.issued_calls.add(call_id)
        self.calls_issued.add(call_id)
        await connection.send(
            {"toolCall": {"functionCalls": [{"id": call_id, "name": name, "args": args}]}}
        )
        await self._issue_handle(connection)  # resumable: false while the call runs
        return await future
