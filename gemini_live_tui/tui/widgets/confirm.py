"""The confirmation dialog for a tool: the user sees the exact command and decides.

(The file tools ask through it too, with their own `title` and `where` line,
before reading a hidden path.)

The model may only run a program after the user allowed that exact argv:
once, always for this session, or not at all. The dialog names the tool,
shows the command the way a shell would need it typed (`shlex.join`), the
program and each argument on its own, so quoting can never hide one.

A call can arrive while the user is typing, so the dialog takes no decision
from typing: for `GRACE_S` after it appears, and again after any key that is
not one of its own, its buttons are disabled and every key goes back to the
prompt (nothing typed is lost; Enter sends the message as it would have).
Once it has been quiet that long, Ctrl-Y allows once, Esc denies, and
Tab/arrows then Enter choose a button; Deny has the focus, so a stray Enter
never runs anything. No letter decides anything.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Sequence

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

#: What `ConfirmCommand` dismisses with (the tools layer's `Decision`).
DECISIONS = ("once", "deny", "always")
#: Quiet time, after the dialog appears or after a typed key, before it takes a decision.
GRACE_S = 0.8
#: The dialog's own keys once it is armed; any other key goes back to the prompt.
NEXT_KEYS = ("tab", "right", "down")
PREVIOUS_KEYS = ("shift+tab", "left", "up")
KEYS_HELP = "Ctrl-Y allow once · Esc deny · Tab/arrows then Enter to choose"
WAIT_HELP = "keys go to your message until the dialog has been quiet for a moment"

KeyForward = Callable[[events.Key], object]


class ConfirmCommand(ModalScreen[str]):
    """Asks whether the model may run `argv` in `folder`; dismisses with a decision."""

    AUTO_FOCUS = None  # nothing has the focus (so no key reaches a button) until armed

    DEFAULT_CSS = """
    ConfirmCommand { align: center middle; background: $background 60%; }
    ConfirmCommand > Vertical {
        width: 90%; max-width: 110; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmCommand #confirm-title { text-style: bold; color: $warning; }
    ConfirmCommand #confirm-command { margin: 1 0 0 0; text-style: bold; }
    ConfirmCommand #confirm-argv, ConfirmCommand #confirm-where { color: $text-muted; }
    ConfirmCommand #confirm-keys { margin: 1 0 0 0; color: $text-muted; }
    ConfirmCommand Horizontal { height: auto; margin: 1 0 0 0; align-horizontal: center; }
    ConfirmCommand Button { margin: 0 1; }
    """

    def __init__(
        self,
        argv: Sequence[str],
        folder: str,
        *,
        tool: str = "run_command",
        title: str | None = None,
        where: str | None = None,
        forward: KeyForward | None = None,
        grace: float = GRACE_S,
    ) -> None:
        super().__init__()
        self.argv = tuple(argv)
        self.folder = folder
        self.tool = tool
        self.title_text = title or f"The model wants to run a command (tool {tool})"
        self.where = where or f"in {folder} · no shell · stopped after its timeout"
        self.forward = forward
        self.grace = grace
        self.armed = False
        self._quiet_since = time.monotonic()

    def compose(self) -> ComposeResult:
        program, *arguments = self.argv or ("",)
        listed = ", ".join(repr(a) for a in arguments) if arguments else "none"
        with Vertical():
            yield Static(Text(self.title_text), id="confirm-title")
            yield Static(Text(shlex.join(self.argv)), id="confirm-command")
            yield Static(
                Text(f"program: {program!r}\narguments ({len(arguments)}): {listed}"),
                id="confirm-argv",
            )
            yield Static(Text(self.where), id="confirm-where")
            yield Static(WAIT_HELP, id="confirm-keys")
            with Horizontal():
                yield Button("Allow once (Ctrl-Y)", id="once", variant="primary", disabled=True)
                yield Button("Deny (Esc)", id="deny", variant="error", disabled=True)
                yield Button("Always allow this command", id="always", disabled=True)

    def on_mount(self) -> None:
        self._quiet_since = time.monotonic()
        self.set_interval(0.05, self._arm_when_quiet)

    # ----- arming ---------------------------------------------------------------

    def _arm_when_quiet(self) -> None:
        if not self.armed and time.monotonic() - self._quiet_since >= self.grace:
            self._set_armed(True)

    def _set_armed(self, armed: bool) -> None:
        self.armed = armed
        for button in self.query(Button):
            button.disabled = not armed
        self.query_one("#confirm-keys", Static).update(KEYS_HELP if armed else WAIT_HELP)
        if armed:
            self.query_one("#deny", Button).focus()
        else:
            self.set_focus(None)

    # ----- keys: all of them are handled here, in the order they were typed -----

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if self.armed:
            if event.key == "ctrl+y":
                self.action_choose("once")
                return
            if event.key == "escape":
                self.action_choose("deny")
                return
            if event.key == "enter":
                focused = self.focused
                if isinstance(focused, Button) and focused.id:
                    self.action_choose(focused.id)
                return
            if event.key in NEXT_KEYS:
                self.focus_next(Button)
                return
            if event.key in PREVIOUS_KEYS:
                self.focus_previous(Button)
                return
        # typing, not deciding: give the key back and wait for quiet again
        self._quiet_since = time.monotonic()
        if self.armed:
            self._set_armed(False)
        if self.forward is not None:
            self.forward(events.Key(event.key, event.character))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.armed:
            self.action_choose(event.button.id or "deny")

    def action_choose(self, decision: str) -> None:
        self.dismiss(decision if decision in DECISIONS else "deny")
