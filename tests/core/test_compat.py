"""The undocumented framework APIs in `compat.py` still exist in the pinned releases.

Each test names one private API; it fails when a Textual, Rich, websockets or
sounddevice release inside the pins renames or removes it, before a user meets the
slower path or a crash.
"""

from __future__ import annotations

import contextlib
import ctypes
import inspect
import logging
import logging.handlers
import os
import stat
import sys

from rich.cells import cell_len
from system_packages import require_portaudio
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver
from textual.message_pump import MessagePump
from textual.widget import Widget
from textual.widgets import TextArea

from gemini_live_tui import compat


def test_rich_divide_line_breaks_by_cells():
    text = "日本語のテキスト " * 4 + "a" * 30
    breaks = compat.divide_line(text, 10)
    rows = [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True)]
    assert all(cell_len(row.rstrip()) <= 10 for row in rows)
    assert "".join(rows) == text


def test_textual_scroll_update_exists():
    assert callable(getattr(Widget, "_scroll_update", None))
    assert list(inspect.signature(Widget._scroll_update).parameters) == ["self", "virtual_size"]


def test_textual_crash_hooks_exist():
    assert callable(getattr(App, "_handle_exception", None))
    assert callable(getattr(App, "_fatal_error", None))
    assert callable(getattr(MessagePump, "_close_messages_no_wait", None))


def test_textual_text_area_key_hook_exists():
    assert inspect.iscoroutinefunction(getattr(TextArea, "_on_key", None))


def test_textual_driver_draws_on_dunder_stderr():
    assert "sys.__stderr__" in inspect.getsource(LinuxDriver.__init__)


def test_textual_output_can_be_swapped_and_restored():
    saved = sys.__stderr__
    try:
        compat.set_textual_output(sys.stdout)
        assert sys.__stderr__ is sys.stdout
    finally:
        compat.set_textual_output(saved)
    assert sys.__stderr__ is saved


def test_filehandler_open_hook_exists():
    assert callable(getattr(logging.FileHandler, "_open", None))
    assert "self._open()" in inspect.getsource(logging.FileHandler)


def test_sounddevice_restart_rescans_devices():
    sd = require_portaudio()
    assert callable(getattr(sd, "_terminate", None))
    assert callable(getattr(sd, "_initialize", None))
    before = len(sd.query_devices())
    compat.restart_portaudio(sd)
    assert len(sd.query_devices()) == before  # PortAudio is running again, same devices


def test_sounddevice_library_name_loads_the_same_portaudio():
    sd = require_portaudio()
    lib = ctypes.CDLL(compat.portaudio_library_name(sd))
    lib.Pa_GetVersion.restype = ctypes.c_int
    assert lib.Pa_GetVersion() == sd.get_portaudio_version()[0]


async def test_crash_hooks_hand_the_error_over_and_close_the_app():
    seen: list[BaseException] = []

    class Failing(compat.CrashHooks, App[None]):
        def crashed(self, error: BaseException) -> None:
            seen.append(error)

        def on_mount(self) -> None:
            raise RuntimeError("boom")

    app = Failing()
    with contextlib.suppress(RuntimeError):
        async with app.run_test():
            pass
    assert [str(e) for e in seen] == ["boom"]
    assert app.return_code == 1


def test_owner_only_file_open_makes_every_log_file_private(tmp_path):
    class Handler(compat.OwnerOnlyFileOpen, logging.handlers.RotatingFileHandler):
        pass

    folder = tmp_path / "logs"
    folder.mkdir()
    old = os.umask(0o022)
    try:
        handler = Handler(folder / "app.log", maxBytes=10, backupCount=1)
        handler.emit(logging.makeLogRecord({"msg": "x" * 20}))
        handler.emit(logging.makeLogRecord({"msg": "y" * 20}))  # rolls over
        handler.close()
    finally:
        os.umask(old)
    files = sorted(folder.iterdir())
    assert [f.name for f in files] == ["app.log", "app.log.1"]
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}


async def test_bindings_before_typing_runs_the_widgets_binding_in_key_order():
    sent: list[str] = []

    class Box(compat.BindingsBeforeTyping, TextArea):
        BINDINGS = [("enter", "send", "send")]

        def action_send(self) -> None:
            sent.append(self.text)
            self.load_text("")

    class Host(App[None]):
        def compose(self):  # noqa: ANN202
            yield Box()

    async with Host().run_test() as pilot:
        await pilot.press("a", "enter", "b", "enter")
        await pilot.pause()
    assert sent == ["a", "b"]
