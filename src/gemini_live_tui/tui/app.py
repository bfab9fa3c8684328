"""The Textual app: conversation above, status and input below.

The app talks to the session only through its public surface: it sends with
`session.send_*` and consumes events from one subscription in a worker. No
network, decoding or file I/O happens on the event loop's critical path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, RichLog, Static

from ..live import events as ev
from ..live.session import LiveSession

SessionFactory = Callable[[], Awaitable[LiveSession]]


class GeminiLiveApp(App[None]):
    """A chat with a Live model."""

    CSS_PATH = "app.tcss"
    TITLE = "gemini-live"
    BINDINGS = [
        Binding("ctrl+c", "quit", "Quit", priority=True),
        Binding("ctrl+d", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self, session_factory: SessionFactory | None, *, label: str, notice: str | None = None
    ) -> None:
        super().__init__()
        self._session_factory = session_factory
        self._label = label
        self._notice = notice
        self.session: LiveSession | None = None
        self._reply = ""

    def compose(self) -> ComposeResult:
        yield Static(self._label, id="header")
        yield RichLog(id="conversation", wrap=True, markup=False)
        yield Static("", id="streaming")
        yield Static("", id="status")
        yield Input(placeholder="type a message, /quit to leave", id="input")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.log_line("system", self._notice or "ready — type and press Enter")
        if self._session_factory is not None:
            self.run_session()

    def log_line(self, role: str, text: str) -> None:
        self.query_one("#conversation", RichLog).write(f"{role:<6} {text}")

    @work(exclusive=True, group="session")
    async def run_session(self) -> None:
        assert self._session_factory is not None
        self.session = await self._session_factory()
        events = self.session.subscribe()
        await self.session.start()
        async for event in events:
            self.on_live_event(event)

    def on_live_event(self, event: ev.Event) -> None:
        if isinstance(event, ev.ModelText | ev.OutputTranscription):
            self._reply += event.text
            self.query_one("#streaming", Static).update(f"model  {self._reply}")
        elif isinstance(event, ev.TurnComplete | ev.GenerationComplete | ev.Interrupted):
            if self._reply:
                suffix = " [interrupted]" if isinstance(event, ev.Interrupted) else ""
                self.log_line("model", self._reply + suffix)
                self._reply = ""
                self.query_one("#streaming", Static).update("")
        elif isinstance(event, ev.PhaseChanged):
            reason = f" — {event.reason}" if event.reason else ""
            self.query_one("#status", Static).update(f"{event.phase.value}{reason}")
            self.query_one("#header", Static).update(f"{self._label} · {event.phase.value}")
        elif isinstance(event, ev.SessionError | ev.ContextLost):
            self.log_line("error", getattr(event, "message", None) or getattr(event, "reason", ""))

    async def on_input_submitted(self, message: Input.Submitted) -> None:
        text = message.value.strip()
        message.input.value = ""
        if not text:
            return
        if text in ("/quit", "/exit"):
            self.exit()
            return
        self.log_line("you", text)
        if self.session is None:
            self.log_line("error", "not connected")
            return
        await self.session.send_text(text)

    async def on_unmount(self) -> None:
        if self.session is not None:
            await asyncio.wait_for(self.session.close(), 3)


def stylesheet_path() -> Path:
    return Path(__file__).with_name("app.tcss")
