"""Every undocumented framework API the app relies on, in one place.

Textual, Rich and websockets are pinned to the majors these were checked
against (pyproject.toml); each use is a small function here saying which
public behaviour it stands for, and tests/core/test_compat.py fails when a
pinned release renames one. Textual and Rich are imported inside the
functions, so `live/` can use this module without loading the TUI stack.

Two private hooks are overridden rather than called, so their names stay in
the subclasses; the test checks that the framework still defines them:
`textual.app.App._handle_exception` and `App._fatal_error` (crash.py: the
crash report without locals), `logging.FileHandler._open` (logs.py: every
log file 0600), and `textual.widgets.TextArea._on_key` (tui/widgets/prompt.py:
keys taken before the text area's own handling).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from textual.app import App
    from textual.geometry import Size
    from textual.scroll_view import ScrollView


def divide_line(text: str, width: int) -> list[int]:
    """Offsets where `text` breaks to fit `width` terminal cells, long words folded.

    Stands for the wrapping of `rich.text.Text.wrap` (cell widths, so wide
    characters and emoji count twice) without building Text objects: Rich's
    `rich._wrap.divide_line(text, width, fold=True)` (checked against Rich 15.0).
    """
    from rich._wrap import divide_line as rich_divide_line

    return rich_divide_line(text, width, fold=True)


def update_scrollbars(view: ScrollView, virtual_size: Size) -> None:
    """Refresh `view`'s scrollbars for `virtual_size` without a layout pass.

    Stands for what assigning `ScrollView.virtual_size` does to the
    scrollbars, minus re-arranging the screen: `Widget._scroll_update`
    (checked against Textual 8.2).
    """
    view._scroll_update(virtual_size)


def close_app_now(app: App[Any]) -> None:
    """Stop `app`'s message loop at once, as Textual does after a crash.

    Stands for the end of `App._fatal_error` without its report:
    `MessagePump._close_messages_no_wait` (checked against Textual 8.2).
    """
    app._close_messages_no_wait()


def set_textual_output(stream: TextIO | None) -> None:
    """Give Textual's terminal driver `stream` to draw on.

    Textual's Linux driver writes the screen to `sys.__stderr__` (checked
    against Textual 8.2: `LinuxDriver.__init__`); there is no public option
    to name another stream.
    """
    setattr(sys, "__stderr__", stream)  # noqa: B010  # typeshed marks it Final
