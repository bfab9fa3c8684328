"""What can be shared: monitors (from mss) and, on X11, titled windows.

Ids are short and stable while the thing exists: ``m1``, ``m2``… follow
mss's monitor order (``m0`` is all monitors together, listed only when
there are several), and ``w`` plus the X window id in hex (``w2a00007``)
names a window for as long as it stays open. A saved id that no longer
matches anything is an error, never silently swapped for another target.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import mss

from gemini_live_tui.media.screen.errors import NoDisplayError, UnknownTargetError

TargetKind = Literal["monitor", "window"]


@dataclass(frozen=True, slots=True)
class ScreenTarget:
    """A monitor or window the user can share, as it was when listed."""

    id: str
    kind: TargetKind
    name: str
    width: int
    height: int
    left: int = 0
    top: int = 0
    xid: int | None = None
    """X11 window id, for windows."""

    def describe(self) -> str:
        """One line for a listing: id, kind, name and size."""
        return f"{self.id:<10} {self.kind:<7} {self.name}  {self.width}×{self.height}"


def uses_x11() -> bool:
    """True where screens are reached through an X display (Linux, BSDs)."""
    return not sys.platform.startswith(("win", "darwin"))


def resolve_display(display: str | None = None) -> str | None:
    """The X display to use: ``display``, else ``$DISPLAY``; None off X11.

    Raises ``NoDisplayError`` when X11 is needed and no display is named.
    """
    if not uses_x11():
        return None
    name = display or os.environ.get("DISPLAY", "")
    if not name:
        raise NoDisplayError(
            "No screen to share: DISPLAY is not set. Run gemini-live inside a graphical "
            "session (X11 or XWayland), or set DISPLAY, for example DISPLAY=:0."
        )
    return name


def open_mss(display: str | None = None) -> mss.MSS:
    """An mss grabber for ``display``; ``NoDisplayError`` when it cannot be reached."""
    name = resolve_display(display)
    try:
        return mss.MSS(display=name) if name is not None else mss.MSS()
    except mss.ScreenShotError as exc:
        where = f"X display {name!r}" if name else "the screen"
        raise NoDisplayError(
            f"Cannot reach {where} ({exc}). Is the X server running, and may this user "
            "connect to it (XAUTHORITY, xhost)?"
        ) from exc


def window_support_note() -> str | None:
    """None where windows are listed; else one sentence saying what works instead."""
    if not uses_x11():
        return "Window sharing is not supported on this platform: share a monitor instead."
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("XDG_SESSION_TYPE") == "wayland":
        return (
            "On Wayland only X11 (XWayland) windows are listed, and native Wayland "
            "windows may capture as black."
        )
    return None


def monitor_targets(monitors: Sequence[Mapping[str, Any]]) -> list[ScreenTarget]:
    """Targets for mss's monitor list (entry 0 is the union of all monitors)."""
    targets = []
    for index, monitor in enumerate(monitors[1:], start=1):
        name = str(monitor.get("output") or monitor.get("name") or f"monitor {index}")
        if monitor.get("is_primary"):
            name += " (primary)"
        targets.append(_monitor(f"m{index}", name, monitor))
    if len(monitors) > 2:
        targets.insert(0, _monitor("m0", "all monitors", monitors[0]))
    return targets


def _monitor(target_id: str, name: str, monitor: Mapping[str, Any]) -> ScreenTarget:
    return ScreenTarget(
        id=target_id,
        kind="monitor",
        name=name,
        width=int(monitor["width"]),
        height=int(monitor["height"]),
        left=int(monitor["left"]),
        top=int(monitor["top"]),
    )


def window_target_id(xid: int) -> str:
    return f"w{xid:x}"


def list_targets(display: str | None = None) -> list[ScreenTarget]:
    """Every monitor, then every titled window where windows can be listed.

    Blocking (X round trips): call it from a thread, not the event loop.
    """
    with open_mss(display) as grabber:
        targets = monitor_targets(grabber.monitors)
    if uses_x11():
        from gemini_live_tui.media.screen.x11 import X11Windows

        with X11Windows(resolve_display(display) or "") as windows:
            targets += [
                ScreenTarget(
                    id=window_target_id(w.xid),
                    kind="window",
                    name=w.title,
                    width=w.width,
                    height=w.height,
                    left=w.left,
                    top=w.top,
                    xid=w.xid,
                )
                for w in windows.list_windows()
            ]
    return targets


def find_target(target_id: str, display: str | None = None) -> ScreenTarget:
    """The target whose id is ``target_id`` now; ``UnknownTargetError`` if none is."""
    targets = list_targets(display)
    wanted = target_id.strip().lower()
    for target in targets:
        if target.id == wanted:
            return target
    available = ", ".join(t.id for t in targets) or "none"
    raise UnknownTargetError(
        f"No screen or window with id {target_id!r} (it may have closed). "
        f"Available now: {available}."
    )
