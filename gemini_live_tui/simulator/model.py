"""The scripted model behind the simulator: what it answers, and how it speaks.

The protocol server (`server.py`) decides what the service does with a
message; this decides what the model says back. It echoes a text with the
turn number, describes the last screen frame, streams text word by word or
speech-shaped audio (`voice.py`) paced like the service, and calls tools.

Words in the user's text script faults for the demo and the tests:
`goaway`, `drop`, `interrupt`, `long`, `error 1011`, `tool NAME {json args}`,
`poison` (the reply is cut by a drop every time), `blocked` (the turn ends
with a `turnCompleteReason`). A keyword fault fires once per text: the
client replays an unanswered text after a drop, and the replay must get a
normal answer.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
from typing import TYPE_CHECKING, Any

from .connection import SimConnection
from .voice import RATE as OUTPUT_RATE
from .voice import synthesize_words

if TYPE_CHECKING:
    from .server import LiveSimulator

CHUNK_BYTES = 9600  # 200 ms of 24 kHz 16-bit audio per message


class ScriptedModel:
    """Answers turns on a connection, through the server that owns it."""

    def __init__(self, server: LiveSimulator, *, word_delay: float, audio_speed: float) -> None:
        self.server = server
        self.word_delay = word_delay  # seconds between text fragments
        self.audio_speed = audio_speed  # how much faster than real time audio is sent
        self._call_ids = itertools.count(1)

    def new_call_id(self) -> str:
        return f"call-{next(self._call_ids)}"

    async def reply(self, connection: SimConnection, text: str, spoken: bool) -> None:
        """Answer one user turn (already in the session's history)."""
        session = connection.session
        assert session is not None
        lowered = "" if text in session.faulted else text.lower()
        session.faulted.add(text)
        try:
            if match := re.search(r"\btool\s+(\w+)\s*(\{.*\})?", text if lowered else ""):
                args = json.loads(match.group(2)) if match.group(2) else {}
                await self.tool_turn(connection, self.new_call_id(), match.group(1), args)
                return
        except json.JSONDecodeError:
            await connection.send(
                {
                    "serverContent": {
                        "modelTurn": {"parts": [{"text": "(tool args were not JSON)"}]},
                        "turnComplete": True,
                    }
                }
            )
            return
        if re.search(r"\berror 1011\b", lowered):
            await connection.ws.close(1011, "Internal error encountered.")
            return
        if "blocked" in lowered:  # unverified: the reason a blocked prompt's turn ends with
            reason = {"turnCompleteReason": "PROHIBITED_INPUT_CONTENT"}
            await connection.send({"serverContent": {"turnComplete": True, **reason}})
            return
        words = self.words_for(connection, text, spoken)
        if "long" in lowered or "interrupt" in lowered:
            words = words + ("and here is a much longer answer " * 12).split()
        await self.speak(
            connection,
            words,
            # `poison`: cut by a drop every time, replays included
            drop_after=6 if "drop" in lowered else 3 if "poison" in text.lower() else None,
            interrupt_after=8 if "interrupt" in lowered else None,
        )
        if "goaway" in lowered:
            await self.server.go_away(connection, 5)

    def words_for(self, connection: SimConnection, text: str, spoken: bool) -> list[str]:
        """The answer's words: an echo with the turn number, or what it saw on screen."""
        session = connection.session
        assert session is not None
        if spoken:
            return f"I {text.strip('[]')}.".split()
        lowered = text.lower()
        if any(w in lowered for w in ("see", "screen", "image", "picture", "frame")):
            if connection.last_video:
                size = _image_size(connection.last_video)
                return (
                    f"I have received {connection.video_frames} image frame(s); "
                    f"the last one is {size}."
                ).split()
            return ["I", "have", "not", "received", "any", "image", "yet."]
        turns = sum(1 for role, _ in session.history if role == "user")
        system = connection.setup.get("systemInstruction", {}).get("parts", [{}])[0].get("text")
        reply = f'You said: "{text}". This is the gemini-live simulator (turn {turns}).'
        if system and "system" in lowered:
            reply += f" My instruction is: {system}"
        return reply.split()

    async def speak(
        self,
        connection: SimConnection,
        words: list[str],
        *,
        drop_after: int | None = None,
        interrupt_after: int | None = None,
    ) -> None:
        """Stream `words` as text or as audio with transcriptions, then end the turn."""
        said = []
        # Audio is paced against one deadline per turn (t0 + samples sent / rate / speed),
        # one 200 ms chunk ahead of it, as a server sends ahead; not by sleeping after
        # each chunk, which adds the synthesis and send time every chunk and drifts
        # slower than real time (a client at audio_speed=1.0 then underruns).
        paced_from: float | None = None
        samples_sent = 0
        for index, word in enumerate(words):
            if drop_after is not None and index == drop_after:
                connection.abort()
                return
            if interrupt_after is not None and index == interrupt_after:
                await connection.send({"serverContent": {"interrupted": True}})
                return
            chunk = word if index == 0 else " " + word
            said.append(word)
            if connection.modality == "TEXT":
                await connection.send(
                    {"serverContent": {"modelTurn": {"parts": [{"text": chunk}]}}}
                )
                await asyncio.sleep(self.word_delay)
                continue
            pcm = synthesize_words([word], seed=index)
            await connection.send({"serverContent": {"outputTranscription": {"text": chunk}}})
            for start in range(0, len(pcm), CHUNK_BYTES):
                piece = pcm[start : start + CHUNK_BYTES]
                await connection.send(_audio_message(piece))
                loop = asyncio.get_running_loop()
                if paced_from is None:
                    paced_from = loop.time()
                samples_sent += len(piece) // 2
                ahead = samples_sent - CHUNK_BYTES // 2  # one chunk in hand at the client
                deadline = paced_from + max(0, ahead) / OUTPUT_RATE / self.audio_speed
                await asyncio.sleep(max(0.0, deadline - loop.time()))
        await self.server.finish_turn(connection, said)

    async def tool_turn(
        self, connection: SimConnection, call_id: str, name: str, args: dict[str, Any]
    ) -> None:
        """Call a declared tool, wait for its result, then say what it returned."""
        session = connection.session
        assert session is not None
        if name not in connection.declared_tools and name != "google_search":
            await self.speak(connection, f"I cannot call {name}: it is not declared.".split())
            return
        result = await self.server.issue_call(connection, call_id, name, args)
        summary = json.dumps(result, sort_keys=True)[:200]
        if call_id in self.server.silent_calls:  # SILENT: into the context, no reply
            session.history.append(("tool", summary))
            return
        # The answer may arrive on a newer connection after a resume: continue there.
        target = session.connection or connection
        await self.speak(target, f"The tool {name} returned {summary}".split())


def _audio_message(pcm: bytes) -> dict[str, Any]:
    inline = {"mimeType": f"audio/pcm;rate={OUTPUT_RATE}", "data": base64.b64encode(pcm).decode()}
    return {"serverContent": {"modelTurn": {"parts": [{"inlineData": inline}]}}}


def _image_size(data: bytes) -> str:
    try:
        from io import BytesIO

        from PIL import Image

        with Image.open(BytesIO(data)) as image:
            return f"{image.width}x{image.height} {image.format}"
    except Exception:
        return "not an image I can read"
