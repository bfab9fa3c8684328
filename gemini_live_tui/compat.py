"""Every undocumented framework API the app relies on, in one place.

Textual, Rich, websockets and sounddevice are pinned to the releases these
were checked against (pyproject.toml); each use is a small function here
saying which public behaviour it stands for, and tests/core/test_compat.py
fails when a pinned release renames one. Textual and Rich are imported
inside the functions, so `live/` can use this module without loading the TUI
stack; sounddevice is passed in by the caller, which loads it lazily
(media/audio/devices.py), so the app starts without PortAudio.

Private hooks that are overridden rather than called live here as mixins,
each put before the framework class it changes: `CrashHooks`
(`App._handle_exception`, `App._fatal_error`; used by crash.py),
`OwnerOnlyFileOpen` (`logging.FileHandler._open`; logs.py) and
`BindingsBeforeTyping` (`TextArea._on_key`, `Widget._bindings`;
tui/widgets/prompt.py). The classes that use them keep only their policy.
"""

from __future__ import annotations

import io
import os
import sys
from types import ModuleType
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


def restart_portaudio(sd: ModuleType) -> None:
    """Terminate and re-initialise PortAudio, so its device list is scanned again.

    Stands for what sounddevice does when it is imported and at exit:
    `sounddevice._terminate()` then `sounddevice._initialize()` (checked
    against sounddevice 0.5); there is no public call to rescan devices.
    Only call this while no stream is open.
    """
    try:
        sd._terminate()
    finally:
        sd._initialize()


def portaudio_library_name(sd: ModuleType) -> str:
    """The file name of the PortAudio library `sd` loaded, for `ctypes.CDLL`.

    Stands for sounddevice's private `_libname` (checked against
    sounddevice 0.5): the library already in the process, so an extra
    PortAudio function it exports can be called through ctypes.
    """
    return str(sd._libname)


class CrashHooks:
    """Mixed in before a Textual `App`: an unhandled error goes to `crashed`, and no report.

    Overrides two private hooks of `textual.app.App` (checked against
    Textual 8.2), for which Textual has no public equivalent:
    `_handle_exception`, which every unhandled error in a handler or worker
    passes through (the base then sets return code 1 and closes the app), and
    `_fatal_error`, which renders a Rich traceback with every frame's locals
    for stderr before stopping the message loop; here the app only rings the
    bell and stops.
    """

    def crashed(self, error: BaseException) -> None:
        """Called with each unhandled error, before the app closes."""

    def _handle_exception(self, error: Exception) -> None:
        self.crashed(error)
        super()._handle_exception(error)  # type: ignore[misc]  # return code 1, close the app

    def _fatal_error(self) -> None:
        self.bell()  # type: ignore[attr-defined]  # a mixin of App
        close_app_now(self)  # type: ignore[arg-type]


class OwnerOnlyFileOpen:
    """Mixed in before `logging.FileHandler` (or a subclass): every file it opens is 0600.

    Overrides `logging.FileHandler._open`, the hook through which the handler
    opens its file, the first time and after each rotation (checked against
    Python 3.11-3.14). The standard handler calls `open()`, which has no mode,
    so the umask decides (0644 as a rule).
    """

    baseFilename: str
    encoding: str | None
    errors: str | None

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # a file made by an older version may be wider
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


class BindingsBeforeTyping:
    """Mixed in before `textual.widgets.TextArea`: the widget's bindings run inline, in key order.

    Textual runs a widget's non-priority bindings only after the key has
    bubbled up to the app, while the text area may already have taken the
    next keys. Overrides `TextArea._on_key` and reads `Widget._bindings`
    (checked against Textual 8.2): a key bound on the widget runs its action
    at once and goes no further; any other key is the text area's.
    """

    async def _on_key(self, event: Any) -> None:
        bindings = self._bindings.key_to_bindings.get(event.key, ())  # type: ignore[attr-defined]
        for binding in bindings:
            if not binding.priority and await self.app.run_action(binding.action, self):  # type: ignore[attr-defined]
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)  # type: ignore[misc]
