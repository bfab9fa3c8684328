"""X11 windows as screen-sharing targets, found through python-xlib.

mss grabs rectangles of the screen but cannot name windows, so on X11 we
ask the server ourselves. With a window manager the managed windows are
in the root window's ``_NET_CLIENT_LIST`` (EWMH); with none (a bare Xvfb,
a kiosk) we fall back to the root's mapped, titled top-level children.
A window is shared as the rectangle it covers on screen: whatever overlaps
it is captured too, which is what the user sees.

One ``X11Windows`` holds one connection and is used from one thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from Xlib import X, Xatom
from Xlib import display as xdisplay
from Xlib import error as xerror

from gemini_live_tui.media.screen.errors import NoDisplayError, TargetGoneError


@dataclass(frozen=True, slots=True)
class X11Window:
    """A top-level window and the rectangle it covers, in root coordinates."""

    xid: int
    title: str
    left: int
    top: int
    width: int
    height: int


class X11Windows:
    """A connection to one X display that lists and locates windows."""

    def __init__(self, display_name: str) -> None:
        try:
            self._display = xdisplay.Display(display_name)
        except (xerror.DisplayError, OSError) as exc:
            raise NoDisplayError(
                f"Cannot reach X display {display_name!r} ({exc}). Is the X server running, "
                "and may this user connect to it (XAUTHORITY, xhost)?"
            ) from exc
        self._root = self._display.screen().root
        self._client_list = self._display.intern_atom("_NET_CLIENT_LIST")
        self._net_wm_name = self._display.intern_atom("_NET_WM_NAME")
        self._utf8 = self._display.intern_atom("UTF8_STRING")

    def close(self) -> None:
        self._display.close()

    def __enter__(self) -> X11Windows:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def list_windows(self) -> list[X11Window]:
        """Visible windows with a title, in stacking order (bottom first)."""
        managed = self._managed_ids()
        candidates = managed if managed is not None else self._unmanaged_ids()
        windows = []
        for xid in candidates:
            try:
                window = self.locate(xid)
            except TargetGoneError:
                continue  # closed between the listing and the query
            if window is not None and window.title and window.width > 1 and window.height > 1:
                windows.append(window)
        return windows

    def locate(self, xid: int) -> X11Window | None:
        """Where window ``xid`` is now; None while it is not viewable (minimised).

        Raises ``TargetGoneError`` when the window no longer exists.
        """
        window = self._display.create_resource_object("window", xid)
        try:
            if window.get_attributes().map_state != X.IsViewable:
                return None
            geometry = window.get_geometry()
            origin = self._root.translate_coords(window, 0, 0)
            title = self._title(window)
        except (xerror.BadWindow, xerror.BadDrawable) as exc:
            raise TargetGoneError(f"Window {xid:#x} was closed.") from exc
        except xerror.ConnectionClosedError as exc:
            raise TargetGoneError(f"Lost the X display while sharing a window ({exc}).") from exc
        return X11Window(xid, title, origin.x, origin.y, geometry.width, geometry.height)

    def _managed_ids(self) -> list[int] | None:
        prop = self._root.get_full_property(self._client_list, Xatom.WINDOW)
        if prop is None or not len(prop.value):
            return None
        return [int(xid) for xid in prop.value]

    def _unmanaged_ids(self) -> list[int]:
        ids = []
        for child in self._root.query_tree().children:
            try:
                if child.get_attributes().override_redirect:
                    continue  # menus, tooltips, popups
            except xerror.BadWindow:
                continue
            ids.append(child.id)
        return ids

    def _title(self, window: object) -> str:
        prop = window.get_full_property(self._net_wm_name, self._utf8)  # type: ignore[attr-defined]
        if prop is not None and prop.value:
            return _decode(prop.value, "utf-8")
        prop = window.get_full_property(Xatom.WM_NAME, X.AnyPropertyType)  # type: ignore[attr-defined]
        if prop is not None and prop.value:
            # STRING is Latin-1 by the book, but many clients put UTF-8 in it.
            try:
                return _decode(prop.value, "utf-8", errors="strict")
            except UnicodeDecodeError:
                return _decode(prop.value, "latin-1")
        return ""


def _decode(value: bytes | str, encoding: str, errors: str = "replace") -> str:
    text = value.decode(encoding, errors=errors) if isinstance(value, bytes) else str(value)
    return " ".join(text.split())
