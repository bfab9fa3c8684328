"""The input line: history on Up/Down, Tab completion in a popup above it.

`PromptInput` is a Textual `Input` that also knows the `InputHistory` and
asks a completer (a callable around `completion.complete`) what fits at the
cursor. With one candidate Tab inserts it; with several a `CompletionPopup`
opens: Tab accepts, Shift-Tab/Up/Down move, Esc closes. While the popup is
closed, Up/Down walk the history.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from ..completion import Completion
from ..history import InputHistory

Completer = Callable[[str, int], Completion | None]


class CompletionPopup(OptionList, can_focus=False):
    """Candidates for the word at the cursor; shown above the input."""

    DEFAULT_CSS = """
    CompletionPopup { display: none; max-height: 8; height: auto; border: none;
                      background: $boost; padding: 0 1; }
    CompletionPopup.-open { display: block; }
    """

    completion: Completion | None = None

    def show(self, completion: Completion) -> None:
        self.completion = completion
        self.clear_options()
        self.add_options(
            Option(f"{c.label}  {c.help}".rstrip() if c.help else c.label)
            for c in completion.candidates
        )
        self.highlighted = 0
        self.add_class("-open")

    def hide(self) -> None:
        self.completion = None
        self.remove_class("-open")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def move(self, step: int) -> None:
        count = self.option_count
        if count:
            self.highlighted = ((self.highlighted or 0) + step) % count


class PromptInput(Input):
    """The always-active input line."""

    BINDINGS = [
        Binding("tab", "complete", "Complete", show=False),
        Binding("shift+tab", "move(-1)", "Previous candidate", show=False),
        Binding("up", "up", "History back", show=False),
        Binding("down", "down", "History forward", show=False),
        Binding("escape", "close_popup", "Close", show=False),
    ]

    def __init__(
        self,
        history: InputHistory,
        completer: Completer,
        popup: CompletionPopup,
        *,
        placeholder: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self.history = history
        self.completer = completer
        self.popup = popup

    def _set(self, value: str, cursor: int | None = None) -> None:
        self.value = value
        self.cursor_position = len(value) if cursor is None else cursor

    def action_complete(self) -> None:
        if self.popup.is_open:
            self._accept()
            return
        completion = self.completer(self.value, self.cursor_position)
        if completion is None or not completion.candidates:
            self.app.bell()
            return
        if len(completion.candidates) == 1:
            self._set(*completion.apply(self.value, 0))
            return
        self.popup.show(completion)

    def _accept(self) -> None:
        completion = self.popup.completion
        index = self.popup.highlighted or 0
        self.popup.hide()
        if completion is not None and completion.candidates:
            self._set(*completion.apply(self.value, index))

    def action_move(self, step: int) -> None:
        if self.popup.is_open:
            self.popup.move(step)

    def action_up(self) -> None:
        if self.popup.is_open:
            self.popup.move(-1)
            return
        entry = self.history.previous(self.value)
        if entry is not None:
            self._set(entry)

    def action_down(self) -> None:
        if self.popup.is_open:
            self.popup.move(1)
            return
        entry = self.history.next()
        if entry is not None:
            self._set(entry)

    def action_close_popup(self) -> None:
        self.popup.hide()

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.popup.is_open:  # keep the popup in step with typing
            completion = self.completer(self.value, self.cursor_position)
            if completion is None or not completion.candidates:
                self.popup.hide()
            else:
                self.popup.show(completion)

    async def action_submit(self) -> None:
        self.popup.hide()
        await super().action_submit()


class PromptArea(Vertical):
    """The popup and the input, docked at the bottom together."""

    DEFAULT_CSS = """
    PromptArea { height: auto; dock: bottom; }
    PromptArea > PromptInput { border: none; height: 1; padding: 0 1; }
    """
