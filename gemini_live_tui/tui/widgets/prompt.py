"""The input box: multi-line, history on Up/Down, Tab completion in a popup above it.

`PromptInput` is a Textual `TextArea` (a plain `Input` keeps only the first
line of a paste and has no way to type a second line) that also knows the
`InputHistory` and asks a completer (a callable around
`completion.complete`) what fits at the cursor. Enter sends; Ctrl-J (what
every terminal sends for it), Shift-Enter and Alt-Enter (where the terminal
tells them apart from Enter) add a newline; a paste keeps every line. With
one candidate Tab inserts it; with several a `CompletionPopup` opens: Tab
accepts, Shift-Tab/Up/Down move, Esc closes. While the popup is closed, Up
on the first line and Down on the last walk the history.

Every key the prompt knows is handled in the prompt's own message queue, in
the order it was typed. Textual runs a widget's non-priority bindings only
after the key has bubbled up to the app, by which time the prompt may
already have taken the next keys: Enter then read `alpha` + `beta` for
`alpha⏎beta⏎` (and sent it twice), and Backspace deleted a later character.
Here (`compat.BindingsBeforeTyping`) Enter takes the text at that key and
empties the box before the next key is looked at. (Reported upstream as Textualize/textual#6605; the fix
proposed there runs the widget's bindings inline the same way.)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from textual import events
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, TextArea
from textual.widgets.option_list import Option
from textual.widgets.text_area import Document

from ...compat import BindingsBeforeTyping
from ..completion import Completion
from ..history import InputHistory

Completer = Callable[[str, int], Completion | None]

#: Keys that add a newline instead of sending (Ctrl-J is a bare line feed).
NEWLINE_KEYS = "ctrl+j,shift+enter,alt+enter"


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


class PromptInput(BindingsBeforeTyping, TextArea):
    """The always-active input box."""

    BINDINGS = [
        Binding("enter", "submit", "Send", show=False),
        Binding(NEWLINE_KEYS, "newline", "New line", show=False),
        Binding("tab", "complete", "Complete", show=False),
        Binding("shift+tab", "move(-1)", "Previous candidate", show=False),
        Binding("up", "up", "History back", show=False),
        Binding("down", "down", "History forward", show=False),
        Binding("escape", "close_popup", "Close", show=False),
        # the conversation scrolls by page, not the few lines of the box
        Binding("pageup", "app.page(-1)", "Page up", show=False),
        Binding("pagedown", "app.page(1)", "Page down", show=False),
    ]

    class Submitted(Message):
        """The user pressed Enter: `value` is the text at that key (the box is empty now)."""

        def __init__(self, prompt: PromptInput, value: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.value = value

        @property
        def control(self) -> PromptInput:
            return self.prompt

    def __init__(
        self,
        history: InputHistory,
        completer: Completer,
        popup: CompletionPopup,
        *,
        placeholder: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(
            placeholder=placeholder,
            id=id,
            compact=True,
            highlight_cursor_line=False,
            tab_behavior="focus",
        )
        self.input_history = history
        self.completer = completer
        self.popup = popup

    # ----- the text as one string, the cursor as an index into it ------------

    @property
    def value(self) -> str:
        return self.text

    @value.setter
    def value(self, value: str) -> None:
        self._set(value)

    @property
    def cursor_position(self) -> int:
        return cast(Document, self.document).get_index_from_location(self.cursor_location)

    @cursor_position.setter
    def cursor_position(self, index: int) -> None:
        index = max(0, min(index, len(self.text)))
        self.move_cursor(cast(Document, self.document).get_location_from_index(index))

    def _set(self, value: str, cursor: int | None = None) -> None:
        self.load_text(value)
        self.cursor_position = len(value) if cursor is None else cursor

    # ----- keys run in the order they were typed (BindingsBeforeTyping) -------

    def on_paste(self, event: events.Paste) -> None:
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")
        event.stop()
        event.prevent_default()  # TextArea's own paste would insert it again
        if text:
            self._type(text)

    def _type(self, text: str) -> None:
        """Put `text` in place of the selection, as typing does (one undo step)."""
        if not self.read_only:
            self.replace(text, *self.selection, maintain_selection_offset=False)

    def action_submit(self) -> None:
        self.popup.hide()
        value = self.text
        self.load_text("")
        self.post_message(self.Submitted(self, value))

    def action_newline(self) -> None:
        self._type("\n")

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
        elif self.cursor_location[0] > 0:
            self.action_cursor_up()
        elif (entry := self.input_history.previous(self.value)) is not None:
            self._set(entry)

    def action_down(self) -> None:
        if self.popup.is_open:
            self.popup.move(1)
        elif self.cursor_location[0] < self.document.line_count - 1:
            self.action_cursor_down()
        elif (entry := self.input_history.next()) is not None:
            self._set(entry)

    def action_close_popup(self) -> None:
        self.popup.hide()

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        if self.popup.is_open:  # keep the popup in step with typing
            completion = self.completer(self.value, self.cursor_position)
            if completion is None or not completion.candidates:
                self.popup.hide()
            else:
                self.popup.show(completion)


class PromptArea(Vertical):
    """The popup and the input, docked at the bottom together."""

    DEFAULT_CSS = """
    PromptArea { height: auto; dock: bottom; }
    PromptArea > PromptInput { border: none; height: auto; max-height: 8; padding: 0 1; }
    """
