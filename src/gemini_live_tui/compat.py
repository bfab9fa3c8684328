"""Every undocumented framework API the app relies on, in one place.

Textual, Rich, websockets and sounddevice are pinned to the releases these
were checked against (pyproject.toml); each use is a small function here
saying which public behaviour it stands for, and tests/core/test_compat.py
fails when a pinned release renames one. Textual and Rich are imported
inside the functions, so `live/` can use this module without loading the TUI
stack; sounddevice is passed in by the caller, which loads it lazily
(media/audio_devices.py), so the app starts without PortAudio.

Two private hooks are overridden rather than called, so their names stay in
the subclasses; the test checks that the framework still defines them:
`textual.app.App._handle_exception` and `App._fatal_error` (crash.py: the
crash report without locals), `logging.FileHandler._open` (logs.py: every
log file 0600), and `textual.widgets.TextArea._on_key` (tui/widgets/prompt.py:
keys taken before the text area's own handling).
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

from websockets.asyncio.connection import Connection
from websockets.protocol import State

if TYPE_CHECKING:
    from textual.app import App
    from textual.geometry import Size
    from textual.scroll_view import ScrollView

# websockets 17.4: the connection method the direct write calls. False on a
# release without it, and the session then always awaits `ws.send`.
DIRECT_WRITE = callable(getattr(Connection, "send_data", None))


def ws_writable_now(ws: Connection) -> bool:
    """Whether `await ws.send(...)` would neither wait nor fail right now.

    Stands for the checks at the start of `Connection.send`: the protocol is
    OPEN, no fragmented send is in progress, the transport is not paused by
    backpressure and not closing. Reads `protocol`, `send_in_progress`,
    `paused` and `transport` of websockets' asyncio `Connection`
    (undocumented; checked against websockets 17.4). A release that moves
    them answers False: the caller uses `ws.send`.
    """
    try:
        return not (
            ws.protocol.state is not State.OPEN
            or ws.send_in_progress is not None
            or ws.paused
            or ws.transport.is_closing()
        )
    except AttributeError:
        return False


def ws_write_text(ws: Connection, frame: bytes) -> None:
    """Frame `frame` as one text message and hand it to the transport, without awaiting.

    Stands for the body of `Connection.send` for a text message: the public
    Sans-I/O `protocol.send_text`, then the connection's `send_data`
    (undocumented; websockets 17.4). A transport write error aborts the
    connection, as `send` does, and propagates.
    """
    ws.protocol.send_text(frame)
    try:
        ws.send_data()
    except Exception:
        ws.transport.abort()
        raise


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
