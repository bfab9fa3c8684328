"""The Textual app: conversation above, status and input below.

The app talks to the session only through its public surface: it sends with
`session.send_*` and consumes events from one subscription in a worker. The
conversation logic is the pure reducer in `state.py` and the slash commands
are the table in `commands.py`; both return effects that `apply` carries out
here, in one place. No network, decoding or file I/O happens on the event
loop: connecting runs in a worker, files decode in threads.

Voice, screen sharing and tool calls are features (features/): the app is
their `Host` (host.py), builds them in one place (`build_features`), adds
their commands to the table and routes to each the events and effects it
declares. They share one `ProfileStore`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual import work
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches

from ..backend import NO_CREDENTIAL_HELP
from ..config import AudioSettings, Profile, normalize_model
from ..live import events as ev
from ..live.messages import FunctionResponse, Setup
from ..live.models import short_name
from ..logs import mask
from ..profile_store import ProfileStore
from ..tools.registry import supports_non_blocking
from . import commands as cmd
from . import state as st
from .completion import Completion, complete
from .features import build_features
from .history import InputHistory
from .input_parser import InputError, Message, SlashCommand, parse_input_line
from .lines import Line
from .sender import MessageSender, cancel
from .setup_draft import SetupDraft, build_setup, draft_from_setup, with_thinking_for_model
from .status import StatusFields
from .transcript import SaveRefused, default_transcript_path, save_transcript
from .typeahead import early_lines, held_typeahead
from .widgets.confirm import ConfirmCommand
from .widgets.conversation import Conversation
from .widgets.header import HeaderBar
from .widgets.prompt import CompletionPopup, PromptArea, PromptInput
from .widgets.status_bar import StatusBar

if TYPE_CHECKING:  # websockets loads with the session, after the first frame
    from ..live.session import LiveSession
    from .host import Repeating

log = logging.getLogger(__name__)

SessionFactory = Callable[[Setup], Awaitable["LiveSession"]]
READY_TEXT = "ready — type, @file to attach, /mic /speak for voice, /help for commands"


class ToolRegistryLike(Protocol):
    """What the app needs of `tools.ToolRegistry`."""

    def names(self) -> list[str]: ...
    def get(self, name: str) -> Any: ...
    def declarations(
        self, enabled: Sequence[str], *, non_blocking: bool = False
    ) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class AppOptions:
    """Everything the command line decides for the app."""

    label: str
    setup: Setup
    session_factory: SessionFactory | None = None
    notice: str | None = None
    profile: str = "default"
    greeting: str | None = None
    tools: frozenset[str] = frozenset()
    registry: ToolRegistryLike | None = None
    model_name: Callable[[str], str] = normalize_model
    cwd: Path = field(default_factory=Path.cwd)
    home: Path = field(default_factory=Path.home)
    persist_history: bool = True
    audio: AudioSettings = field(default_factory=AudioSettings)  # the profile's [audio]
    saved_profile: Profile | None = None  # as loaded (None: read when a feature first needs it)
    first_paint_file: str | None = None  # GEMINI_LIVE_FIRST_PAINT_FILE: write the time, quit
    notices: tuple[str, ...] = ()  # system lines at start (unknown keys or model, file tools off)


class GeminiLiveApp(App[None]):
    """A chat with a Live model."""

    CSS_PATH = "app.tcss"
    TITLE = "gemini-live"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+c", "quit", "Quit", priority=True, show=False),
        Binding("ctrl+d", "quit", "Quit", priority=True, show=False),
        Binding("ctrl+l", "clear_view", "Clear", priority=True, show=False),
        Binding("ctrl+t", "talk", "Push to talk", priority=True, show=False),
        # first look (priority); passed on when there is nothing to stop
        Binding("escape", "cancel_sending", "Stop sending", priority=True, show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
    ]

    def __init__(self, options: AppOptions) -> None:
        super().__init__()
        self.options = options
        self.base_setup = with_thinking_for_model(options.setup)
        self.session: LiveSession | None = None
        self.chat = st.ChatState(greeting=options.greeting)
        self.status = StatusFields(offline=options.session_factory is None)
        self.transcript: list[Line] = []
        self.applied: SetupDraft = draft_from_setup(options.setup, options.tools)
        self.staged: SetupDraft = self.applied
        self.commands = cmd.builtin_commands()
        self.history = (
            InputHistory.load(options.profile) if options.persist_history else InputHistory()
        )
        self.sender = MessageSender(self._session_for_sending, self.post_line, self._set_upload)
        self._session_created = asyncio.Event()
        self._profile_store = ProfileStore(options.profile, options.saved_profile)
        self.feature_set = build_features(self, options.audio, options.registry)
        for feature in self.feature_set.all():
            for command in feature.commands():
                self.commands.add(command)
        self._sender_task: asyncio.Task[None] | None = None
        self._conversation: Conversation | None = None
        self._typeahead = ""  # typed before the app had the terminal

    # ----- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield HeaderBar(self.options.label, self._phase_text(), id="header")
        yield Conversation(id="conversation")
        popup = CompletionPopup(id="popup")
        with PromptArea(id="prompt-area"):
            yield StatusBar(id="status")
            yield popup
            yield PromptInput(
                self.history,
                self._complete,
                popup,
                placeholder="type a message, @file to attach, /help",
                id="input",
            )

    @property
    def conversation(self) -> Conversation:
        if self._conversation is None or not self._conversation.is_attached:
            self._conversation = self.query_one(Conversation)
        return self._conversation

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run in the terminal; what was typed while the app started is kept (typeahead.py)."""
        if kwargs.get("headless"):
            return super().run(*args, **kwargs)
        with held_typeahead() as typed:
            self._typeahead = typed
            return super().run(*args, **kwargs)

    def on_mount(self) -> None:
        lines, draft = early_lines(self._typeahead)
        for line in lines:  # sent in order, as if typed into the prompt
            self.post_message(PromptInput.Submitted(self.prompt, line))
        self.prompt.value = draft
        self.prompt.focus()
        self.set_status(self.status)
        if self.options.notice:
            self.post_line(Line("error", self.options.notice))
        for notice in self.options.notices:
            self.post_line(Line("system", notice))
        if self.options.session_factory is None and NO_CREDENTIAL_HELP not in (
            self.options.notice,
            *self.options.notices,
        ):
            self.post_line(Line("system", NO_CREDENTIAL_HELP))
        self.post_line(Line("system", READY_TEXT))
        self._sender_task = asyncio.create_task(self.sender.run(), name="message-sender")
        self.chat, effects = st.on_start(self.chat)
        for effect in effects:
            self.apply(effect)
        self.set_interval(0.5, self._poll_session_stats)
        if marker := self.options.first_paint_file:
            self.call_after_refresh(self._mark_first_paint, marker)
        # Startup objects (Textual, the CSS, imports) live for the whole run: keep them
        # out of the collector so full collections during a stream stay short.
        self.call_after_refresh(gc.freeze)
        if self.options.session_factory is not None:
            self.call_after_refresh(self.run_session)  # paint first, then connect

    def _mark_first_paint(self, marker: str) -> None:
        Path(marker).write_text(f"{time.monotonic()}\n", encoding="utf-8")
        self.exit()

    def _phase_text(self) -> str:
        if self.options.session_factory is None:
            return "offline"
        return self.chat.phase.value

    # ----- session -------------------------------------------------------------

    @work(exclusive=True, group="session", exit_on_error=False)
    async def run_session(self) -> None:
        factory = self.options.session_factory
        assert factory is not None
        try:
            self.session = await factory(self.base_setup)
        except Exception as error:  # a refresh of credentials, the simulator…
            log.exception("could not create the session")
            self.post_line(Line("error", f"could not start the session: {error}"))
            return
        finally:
            self._session_created.set()  # senders waiting for it go on (or give up)
        events = self.session.subscribe()
        await self.session.start()
        async for event in events:
            try:
                self.on_live_event(event)
            except Exception:  # a bug in one event must not end the app
                log.exception("handling %r failed", type(event).__name__)

    def on_live_event(self, event: ev.Event) -> None:
        """Feed one session event through the reducer and apply its effects."""
        self.chat, effects = st.on_event(self.chat, event)
        for effect in effects:
            self.apply(effect)
        for feature in self.feature_set.all():
            if isinstance(event, feature.events):
                feature.on_event(event)
        if isinstance(event, ev.PhaseChanged | ev.ResumptionUpdate | ev.Usage):
            self._refresh_status()

    def _poll_session_stats(self) -> None:
        self._refresh_status()

    def _refresh_status(self) -> None:
        session = self.session
        fields = replace(
            self.status,
            phase=self.chat.phase,
            attempt=self.chat.attempt,
            resumable=self.chat.resumable,
            tokens=self.chat.total_tokens,
            staged=len(self.staged.changes(self.applied)),
        )
        if session is not None:
            fields = replace(
                fields,
                lagged=session.lagged,
                send_errors=session.stats.send_errors,
                dropped_audio=session.stats.media_dropped,
            )
        for feature in self.feature_set.all():
            fields = replace(fields, **feature.status())
        self.set_status(fields)

    def set_status(self, fields: StatusFields) -> None:
        """Replace the status bar fields."""
        self.status = fields
        with contextlib.suppress(NoMatches):  # shutting down: the widgets are gone
            self.query_one(StatusBar).fields = fields
            self.query_one(HeaderBar).phase = self._phase_text()

    async def _session_for_sending(self) -> LiveSession | None:
        """The session, once it exists; None when there is none to wait for."""
        if self.session is None and self.options.session_factory is not None:
            await self._session_created.wait()
        return self.session

    def _set_upload(self, text: str | None) -> None:
        self.patch_status(upload=text)

    # ----- the host of the features (host.py) -----------------------------------

    @property
    def profile_store(self) -> ProfileStore:
        return self._profile_store

    @property
    def setup_in_force(self) -> tuple[Setup, SetupDraft]:
        return self.base_setup, self.applied

    def patch_status(self, **fields: Any) -> None:
        """Set some status bar fields; the others stay."""
        patched = replace(self.status, **fields)
        if patched != self.status:
            self.set_status(patched)

    def spawn(self, work: Awaitable[None], group: str) -> None:
        self.run_worker(work, group=group, exit_on_error=False)

    def every(self, seconds: float, callback: Callable[[], None]) -> Repeating:
        return self.set_interval(seconds, callback)

    async def confirm(
        self,
        argv: list[str],
        *,
        tool: str = "run_command",
        title: str | None = None,
        where: str | None = None,
    ) -> str | None:
        """Show the `ConfirmCommand` dialog for `argv` and wait for the user's answer.

        Cancelled meanwhile (the server withdrew the call), the dialog closes
        itself and the cancellation goes on.
        """
        answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

        def decided(decision: str | None) -> None:
            if not answer.done():
                answer.set_result(decision)

        modal = ConfirmCommand(
            argv,
            str(self.options.cwd),
            tool=tool,
            title=title,
            where=where,
            forward=self.prompt.post_message,
        )
        self.push_screen(modal, callback=decided)
        try:
            return await answer
        except asyncio.CancelledError:
            if modal.is_current:
                with contextlib.suppress(Exception):  # the app may be shutting down
                    modal.dismiss(None)
            raise

    # ----- effects: the one place where things happen -------------------------

    def post_line(self, line: Line) -> None:
        """Show a finished line and keep it for /save (known secrets masked)."""
        if line.role in ("error", "system", "info", "tool"):
            masked = mask(line.text)  # an error message may quote a credential
            if masked != line.text:
                line = replace(line, text=masked)
        self.transcript.append(line)
        with contextlib.suppress(NoMatches):  # shutting down: the view is gone
            self.conversation.append(line)

    def apply(self, effect: st.Effect | cmd.CommandEffect) -> None:
        """Carry out one effect of the reducer or of a command."""
        match effect:
            case st.Post(line=line):
                self.post_line(line)
            case st.ShowLive(slot=slot, line=line):
                self.conversation.show_live(slot, line)
            case st.Settle(slot=slot, line=line):
                self.conversation.settle(slot, line)
                self.transcript.append(line)
            case st.SendText(text=text):
                self.post_line(Line("you", text))
                self.sender.submit(Message(text, (), text))
            case st.PlayAudio() | st.FlushPlayback() | st.CancelTools():
                self._to_features(effect)
            case st.RunTools(calls=calls):
                if not self._to_features(effect):
                    self._refuse_tools(calls)
            case cmd.Quit():
                self.exit()
            case cmd.ClearView():
                self.conversation.clear()
            case cmd.Reconnect(fresh=fresh):
                self._reconnect(fresh)
            case cmd.ApplySetup(fresh=fresh):
                self._apply_setup(fresh)
            case cmd.SaveTranscript(path=path, force=force):
                self._save(path, force)
            case cmd.CancelSending():
                if self.sender.cancel_current() is None:
                    self.post_line(Line("system", "nothing is being sent"))

    def _to_features(self, effect: st.Effect) -> bool:
        """Hand `effect` to the features that declared it; False when none did."""
        taken = False
        for feature in self.feature_set.all():
            if isinstance(effect, feature.effects):
                feature.on_effect(effect)
                taken = True
        return taken

    def _refuse_tools(self, calls: tuple[ev.FunctionCall, ...]) -> None:
        responses = [
            FunctionResponse(
                c.id, c.name, {"error": "tool execution is not available in this client yet"}
            )
            for c in calls
        ]
        for c in calls:
            self.post_line(Line("tool", f"{c.name} → not available yet"))
        if self.session is not None:
            self.run_worker(self.session.send_tool_response(responses), exit_on_error=False)

    def _reconnect(self, fresh: bool) -> None:
        if self.session is not None:
            self.run_worker(self.session.reconnect(fresh=fresh), exit_on_error=False)
        elif self.options.session_factory is not None:
            self.run_session()
        else:
            self.post_line(Line("error", NO_CREDENTIAL_HELP))

    def _apply_setup(self, fresh: bool) -> None:
        registry = self.options.registry
        declarations = None
        if registry is not None:  # NON_BLOCKING only where the staged model supports it
            non_blocking = supports_non_blocking(self.options.model_name(self.staged.model))
            declarations = partial(registry.declarations, non_blocking=non_blocking)
        previous = self.base_setup.model
        self.base_setup = build_setup(
            self.base_setup, self.staged, declarations, self.options.model_name
        )
        self.applied = self.staged
        self._show_model(previous, self.base_setup.model)
        self._refresh_status()
        if self.session is None:
            self.post_line(Line("system", "applied; it takes effect when the session connects"))
            return
        self.session.update_setup(self.base_setup)
        self.run_worker(self.session.reconnect(fresh=fresh), exit_on_error=False)

    def _show_model(self, previous: str, model: str) -> None:
        """The header names the model in force (after `/model apply`)."""
        old, new = short_name(previous), short_name(model)
        with contextlib.suppress(NoMatches):
            header = self.query_one(HeaderBar)
            if old != new and old in header.label:
                header.label = header.label.replace(old, new)
                header.refresh()

    def _save(self, path: str | None, force: bool = False) -> None:
        target = (
            default_transcript_path(folder=self.options.cwd)
            if path is None
            else _expand(path, self.options.cwd, self.options.home)
        )
        lines = list(self.transcript) + self._live_lines()

        async def write() -> None:
            try:
                written = await asyncio.to_thread(save_transcript, lines, target, force)
            except SaveRefused as error:
                self.post_line(Line("error", str(error)))
                return
            except OSError as error:
                self.post_line(Line("error", f"cannot save to {target}: {error.strerror or error}"))
                return
            self.post_line(Line("system", f"saved {len(lines)} lines to {written}"))

        self.run_worker(write(), exit_on_error=False)

    def _live_lines(self) -> list[Line]:
        out = []
        for slot, role in (("heard", "you"), ("thought", "thought"), ("reply", "model")):
            text = getattr(self.chat, st.slot_field(slot))
            if text:
                out.append(Line(role, text, live=True))
        return out

    # ----- input ---------------------------------------------------------------

    def command_context(self) -> cmd.CommandContext:
        registry = self.options.registry
        tools: tuple[tuple[str, str], ...] = ()
        if registry is not None:
            tools = tuple((n, registry.get(n).summary) for n in registry.names())
        return cmd.CommandContext(
            applied=self.applied,
            staged=self.staged,
            tools=tools,
            has_handle=bool(self.session and self.session.resumption_handle),
            model_name=self.options.model_name,
        )

    def _complete(self, line: str, cursor: int) -> Completion | None:
        specs = self.commands.specs(self.command_context())
        return complete(line, cursor, cwd=self.options.cwd, home=self.options.home, commands=specs)

    async def on_prompt_input_submitted(self, message: PromptInput.Submitted) -> None:
        raw = message.value  # taken at the Enter key; the box was emptied there
        if not raw.strip():
            return
        self.history.add(raw)
        self.post_line(Line("you", raw.strip()))
        try:
            parsed = parse_input_line(raw, self.options.cwd, self.options.home)
        except InputError as error:
            self.post_line(Line("error", str(error)))
            return
        if isinstance(parsed, SlashCommand):
            await self.run_command(parsed.name, parsed.args)
        else:
            self.sender.submit(parsed)

    async def run_command(self, name: str, args: tuple[str, ...]) -> None:
        """Run a slash command and apply what it returns.

        Whatever goes wrong on the way (the handler is guarded by the table; an
        effect may still fail) is one error line, never the end of the app.
        """
        try:
            outcome = await self.commands.run(self.command_context(), name, args)
            for line in outcome.lines:
                self.post_line(line)
            if outcome.staged is not None:
                self.staged = outcome.staged
                self._refresh_status()
            for effect in outcome.effects:
                self.apply(effect)
        except Exception as failure:
            log.exception("/%s failed", name)
            self.post_line(
                Line("error", f"/{name} failed: {cmd.describe(failure)} (details in the log file)")
            )

    # ----- actions -------------------------------------------------------------

    def action_cancel_sending(self) -> None:
        """Esc: stop the file being sent, unless a dialog or the popup wants the key."""
        if self.screen is not self.screen_stack[0] or self.query_one(CompletionPopup).is_open:
            raise SkipAction()
        if self.sender.cancel_current() is None:
            raise SkipAction()

    def action_clear_view(self) -> None:
        self.conversation.clear()

    def action_talk(self) -> None:
        """Push-to-talk: take or give back the floor (see features/voice.py)."""
        self.spawn(self.feature_set.voice.toggle_talking(), "voice")

    def action_page(self, direction: int) -> None:
        if direction < 0:
            self.conversation.scroll_page_up(animate=False)
        else:
            self.conversation.scroll_page_down(animate=False)

    async def on_unmount(self) -> None:
        await cancel(self._sender_task)
        if not await asyncio.to_thread(self.history.flush, 3):
            log.warning("the input history was still being written at exit")
        for feature in reversed(self.feature_set.all()):  # running tool calls first, devices last
            try:
                await asyncio.wait_for(feature.aclose(), 3)
            except Exception:
                log.exception("closing %s failed", type(feature).__name__)
        if self.session is not None:
            try:
                await asyncio.wait_for(self.session.close(), 3)
            except Exception:
                log.exception("closing the session failed")


def _expand(path: str, cwd: Path, home: Path) -> Path:
    if path == "~" or path.startswith("~/"):
        return home / path[2:]
    return cwd / path
