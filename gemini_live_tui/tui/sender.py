"""Sends typed messages in order: each attachment first, then the text.

One task drains a FIFO of parsed messages, so lines go out in the order they
were typed and the text of a line reaches the session only after its media
was handed over (the session's outbox keeps that order on the wire — no
sleep involved). Files are decoded in a worker thread, never on the event
loop. A bad file gives one error line and is skipped; the rest of the line
still goes — also when the failure is not a `MediaError` (a bug, an odd
path): that one's traceback goes to the log file. Audio streams in real time, so the user can keep typing; the
progress goes to the status bar.

A message with files waits for the connection before its first file goes
(the session drops realtime media that waits more than a second, so an
image typed while disconnected would be lost and its text sent alone): the
user is told once, by file name, and the files and the text go together
when the session is back; if the session closed for good, each file is named
as not sent. Messages typed meanwhile say what they are waiting behind, and
the message in progress — loading, waiting or streaming — can be stopped
(`cancel_current`, the app's Esc and `/cancel`): the rest of it is not sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..live.errors import ConnectError, SessionClosed
from ..live.events import Phase, PhaseChanged
from ..media.errors import MediaError
from .commands import describe
from .input_parser import Message
from .lines import Line

if TYPE_CHECKING:
    from ..media.files.attachments import Attachment

log = logging.getLogger(__name__)


class MessageSink(Protocol):
    """The part of `LiveSession` the sender uses."""

    async def send_text(self, text: str) -> None: ...
    async def send_audio(self, pcm: bytes, rate: int = 16000) -> None: ...
    async def send_audio_stream_end(self) -> None: ...
    async def send_video(self, data: bytes, mime_type: str = "image/jpeg") -> None: ...
    async def wait_connected(self, timeout: float | None = None) -> None: ...
    @property
    def phase(self) -> PhaseChanged: ...


class MessageSender:
    """Queue of messages to send; `run` drains it until cancelled.

    `sink()` returns the session to send to; it may wait until the session
    exists (a line typed while the app is still starting is sent, not lost)
    and returns None only when there will be no session (no credential).
    """

    def __init__(
        self,
        sink: Callable[[], Awaitable[MessageSink | None]],
        report: Callable[[Line], None],
        progress: Callable[[str | None], None],
        load: Callable[[Path], Attachment] | None = None,
    ) -> None:
        self._sink = sink
        self._report = report
        self._progress = progress
        self.load = load  # None: `media.files.attachments.load_attachment`
        self._queue: asyncio.Queue[Message] = asyncio.Queue()
        self.busy = False
        self._current: asyncio.Task[None] | None = None  # sending the message in progress
        self._doing: str | None = None  # its files, while they load, wait or stream
        self._long = False  # it waits for the connection or streams audio: say so to later ones

    def submit(self, message: Message) -> None:
        """Send `message` after everything submitted before it."""
        if self.busy and self._doing is not None and self._long:
            self._report(Line("system", f"waiting behind {self._doing} — Esc or /cancel stops it"))
        self._queue.put_nowait(message)

    def cancel_current(self) -> str | None:
        """Stop the message with files being sent; what was stopped, None if nothing."""
        task, doing = self._current, self._doing
        if task is None or task.done() or doing is None:
            return None
        task.cancel()
        return doing

    async def run(self) -> None:
        while True:
            message = await self._queue.get()
            self.busy = True
            self._current = asyncio.create_task(self.send(message), name="send-message")
            try:
                await self._current
            except asyncio.CancelledError:
                me = asyncio.current_task()
                if me is not None and me.cancelling():  # the app is closing
                    self._current.cancel()
                    raise
                self._report(
                    Line("system", f"stopped: {self._doing}; the rest of that message was not sent")
                )
            except Exception as error:  # keep the loop alive; the user sees why
                log.exception("sending a message failed")
                self._report(Line("error", f"could not send: {error}"))
            finally:
                self.busy = False
                self._current = None
                self._doing = None
                self._long = False
                self._progress(None)

    async def idle(self) -> None:
        """Wait until everything queued has been handed to the session."""
        while self.busy or not self._queue.empty():
            await asyncio.sleep(0.01)

    async def _connected(self, sink: MessageSink, names: str) -> bool:
        """Wait until the session is connected; False (and said) if it closed for good."""
        if sink.phase.phase is Phase.CONNECTED:
            return True
        self._doing = f"{names} (waiting for the connection)"
        self._long = True
        self._report(
            Line("system", f"not connected — {names} will go with the text once connected")
        )
        self._progress(f"{names} waiting for the connection")
        try:
            await sink.wait_connected()
        except ConnectError as error:
            self._report(Line("error", f"not connected — {names} not sent: {error}"))
            return False
        return True

    async def send(self, message: Message) -> None:
        """Attachments in order (bad ones reported and skipped), then the text."""
        if message.attachments:
            # numpy, Pillow, soundfile and soxr load on first use, not at start-up
            from ..media.files.attachments import load_attachment, send_attachment
        loaded = []
        for ref in message.attachments:
            self._doing = ref.path.name
            try:
                attachment = await asyncio.to_thread(self.load or load_attachment, ref.path)
            except MediaError as error:
                self._report(Line("error", str(error)))
                continue
            except Exception as error:  # e.g. ValueError for a NUL in the path
                log.exception("loading %r failed", str(ref.path))
                why = error.strerror if isinstance(error, OSError) and error.strerror else None
                self._report(
                    Line("error", f"{ref.path.name}: cannot read it ({why or describe(error)})")
                )
                continue
            loaded.append(attachment)
        if loaded:
            names = ", ".join(a.path.name for a in loaded)
            sink = await self._sink()
            if sink is None:
                self._report(Line("error", f"not connected — {names} not sent"))
                loaded = []
            elif not await self._connected(sink, names):
                loaded = []
        for attachment in loaded:
            sink = await self._sink()
            assert sink is not None
            self._report(Line("info", attachment.info_line))
            name = attachment.path.name
            self._doing = name

            def progress(done: float, total: float, name: str = name) -> None:
                self._doing = f"{name} ({done:.1f} of {total:.1f} s sent)"
                self._long = True
                self._progress(f"{name} {done:.1f}/{total:.1f} s")

            dropped = _media_dropped(sink)
            try:
                await send_attachment(
                    attachment,
                    send_video=sink.send_video,
                    send_audio=sink.send_audio,
                    send_audio_stream_end=sink.send_audio_stream_end,
                    progress=progress,
                )
                lost = _media_dropped(sink) - dropped
                if attachment.kind == "audio" and lost > 0:
                    self._report(
                        Line(
                            "error",
                            f"{name}: part of it was not sent — {lost} audio chunks were "
                            "dropped while the connection was down",
                        )
                    )
            except SessionClosed as error:
                self._report(Line("error", f"{name} was not sent: {error}"))
            except Exception as error:  # one file's failure does not hold back the rest
                log.exception("sending %r failed", name)
                self._report(Line("error", f"{name} was not sent: {describe(error)}"))
            finally:
                self._progress(None)
        self._doing = None
        if message.text:
            sink = await self._sink()
            if sink is None:
                self._report(Line("error", "not connected — the text was not sent"))
                return
            try:
                await sink.send_text(message.text)
            except SessionClosed as error:
                self._report(Line("error", f"not sent: {error}"))


def _media_dropped(sink: MessageSink) -> int:
    """The session's count of realtime media it dropped (0 for a sink without one)."""
    stats = getattr(sink, "stats", None)
    return int(getattr(stats, "media_dropped", 0))


async def cancel(task: asyncio.Task[None] | None) -> None:
    """Cancel a task and wait for it to finish."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
