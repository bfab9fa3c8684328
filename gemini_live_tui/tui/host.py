"""What a feature may ask of the app (`Host`) and what the app asks of a feature (`Feature`).

Voice, screen sharing and tool calls are features: each is a class built
with the host, declaring its slash commands, the session events and reducer
effects it wants, and what it adds to the status bar. The app builds them in
one place (`features.build_features`) and routes to them; a feature never
reaches into the app beyond this protocol, and the app never learns a
feature's state from what the screen shows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from ..live import events as ev
from . import state as st
from .commands import Command
from .lines import Line
from .setup_draft import SetupDraft

if TYPE_CHECKING:
    from ..live.messages import Setup
    from ..live.session import LiveSession
    from ..profile_store import ProfileStore


class Repeating(Protocol):
    """A repeating timer (`Host.every`)."""

    def stop(self) -> None: ...


class Host(Protocol):
    """The app as its features see it."""

    @property
    def session(self) -> LiveSession | None:
        """The session once it exists (None before, or when offline)."""
        ...

    @property
    def profile_store(self) -> ProfileStore:
        """The profile every feature reads and changes (one lock, written through)."""
        ...

    @property
    def setup_in_force(self) -> tuple[Setup, SetupDraft]:
        """The setup the session uses and the draft it was applied from."""
        ...

    def post_line(self, line: Line) -> None:
        """Show a finished line in the conversation (and keep it for /save)."""
        ...

    def patch_status(self, **fields: Any) -> None:
        """Set some `StatusFields` of the status bar (the others stay)."""
        ...

    def spawn(self, work: Awaitable[None], group: str) -> None:
        """Run `work` in a worker of `group`; a failure is logged, the app goes on."""
        ...

    def every(self, seconds: float, callback: Callable[[], None]) -> Repeating:
        """Call `callback` on the event loop every `seconds` until stopped."""
        ...

    async def confirm(
        self,
        argv: list[str],
        *,
        tool: str = "run_command",
        title: str | None = None,
        where: str | None = None,
    ) -> str | None:
        """Ask the user about `argv` in a dialog: "once", "always", "deny" or None.

        `tool` asks, `title` and `where` replace the dialog's default texts.
        """
        ...


class Feature:
    """A part of the app built on the host; the defaults want nothing."""

    events: tuple[type[ev.Event], ...] = ()
    """The session events `on_event` gets (after the reducer has seen them)."""
    effects: tuple[type[st.Effect], ...] = ()
    """The reducer effects `on_effect` carries out."""

    def commands(self) -> tuple[Command, ...]:
        """Slash commands this feature adds to the table."""
        return ()

    def on_event(self, event: ev.Event) -> None:
        """One of `events`, on the event loop."""

    def on_effect(self, effect: st.Effect) -> None:
        """One of `effects`, on the event loop."""

    def status(self) -> dict[str, Any]:
        """`StatusFields` values this feature shows (called on the status interval)."""
        return {}

    async def aclose(self) -> None:
        """Release devices and tasks: the app is quitting."""
