"""The confirmation modal for `run_command`: the user sees the exact argv and decides.

The model may only run a program after the user allowed that exact argv:
once, always for this session, or not at all. The modal shows the command
the way a shell would need it typed (`shlex.join`) and the argv list itself,
so quoting can never hide an argument. Deny has the focus, and Esc denies:
an accidental Enter never runs anything.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

#: What `ConfirmCommand` dismisses with (the tools layer's `Decision`).
DECISIONS = ("once", "deny", "always")


class ConfirmCommand(ModalScreen[str]):
    """Asks whether the model may run `argv` in `folder`; dismisses with a decision."""

    DEFAULT_CSS = """
    ConfirmCommand { align: center middle; background: $background 60%; }
    ConfirmCommand > Vertical {
        width: 90%; max-width: 110; height: auto;
        border: thick $warning; background: $surface; padding: 1 2;
    }
    ConfirmCommand #confirm-title { text-style: bold; color: $warning; }
    ConfirmCommand #confirm-command { margin: 1 0 0 0; text-style: bold; }
    ConfirmCommand #confirm-argv, ConfirmCommand #confirm-where { color: $text-muted; }
    ConfirmCommand Horizontal { height: auto; margin: 1 0 0 0; align-horizontal: center; }
    ConfirmCommand Button { margin: 0 1; }
    """

    BINDINGS = [
        Binding("o", "choose('once')", "Allow once"),
        Binding("d", "choose('deny')", "Deny"),
        Binding("escape", "choose('deny')", "Deny"),
        Binding("a", "choose('always')", "Always allow"),
    ]

    def __init__(
        self,
        argv: Sequence[str],
        folder: str,
        title: str = "The model wants to run a command",
        where: str | None = None,
    ) -> None:
        super().__init__()
        self.argv = tuple(argv)
        self.folder = folder
        self.title_text = title
        self.where = where or f"in {folder} · no shell · stopped after its timeout"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text, id="confirm-title")
            yield Static(Text(shlex.join(self.argv)), id="confirm-command")
            yield Static(Text(f"argv: {list(self.argv)!r}"), id="confirm-argv")
            yield Static(Text(self.where), id="confirm-where")
            with Horizontal():
                yield Button("Allow once [o]", id="once", variant="primary")
                yield Button("Deny [d/Esc]", id="deny", variant="error")
                yield Button("Always allow this command [a]", id="always")

    def on_mount(self) -> None:
        self.query_one("#deny", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id or "deny")

    def action_choose(self, decision: str) -> None:
        self.dismiss(decision if decision in DECISIONS else "deny")
