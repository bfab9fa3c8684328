"""/share-screen in the app: the command, the status field, the profile, autostart.

`media.screen.share.ScreenShare` does the capturing; this feature connects
it to the app through the `Host`. Every operation runs in a worker, one at a time and in the order
typed, so a slow X server never holds up the input line; results and errors
come back as conversation lines and the app keeps running. The desktop
tools call the same `start` / `stop` / `list_targets` as the command.

- The status bar's `screen` field shows the target, the effective frame
  rate and the frames sent, refreshed every second while sharing.
- A successful start saves the target id and interval in the profile (the
  host's `ProfileStore`, under the sharing lock, so the profile names the
  target shared last); with
  `[screen] autostart = true` (or `/share-screen autostart on`) sharing
  restarts on the first connection after launch. A saved target that no
  longer exists is reported, never swapped for another one.
- The media modules (mss, Pillow, python-xlib) are imported on first use,
  so they cost nothing at start-up unless sharing is used.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ...config import ConfigError, ScreenSettings
from ...live import events as ev
from ...media.errors import MediaError
from ..commands import Command, CommandContext, Outcome, error
from ..host import Feature, Host, Repeating
from ..lines import Line

if TYPE_CHECKING:
    from ...media.screen.share import ScreenShare
    from ...media.screen.targets import ScreenTarget

log = logging.getLogger(__name__)

USAGE = "/share-screen [list | ID [SECONDS] | stop | autostart on|off]"
HELP = "share a screen or window (bare /share-screen stops)"
DEFAULT_TARGET = "m1"


class ScreenSharing(Feature):
    """Screen sharing for one app: /share-screen and the desktop tools' screen calls."""

    events = (ev.SetupComplete,)

    def __init__(self, host: Host) -> None:
        self.host = host
        self.display: str | None = None
        """X display to capture (None: `$DISPLAY` at the time of each start)."""
        self.skip_unchanged = True
        """Skip frames identical to the last one (a keepalive still goes out every 5 s)."""
        self._share: ScreenShare | None = None
        self._lock = asyncio.Lock()
        self._known_ids: tuple[str, ...] = ()
        self._timer: Repeating | None = None
        self._autostart_checked = False

    def commands(self) -> tuple[Command, ...]:
        return (
            Command(
                "share-screen",
                USAGE,
                HELP,
                self.command,
                subcommands=("list", "stop", "autostart"),
                choices=lambda ctx: self.known_ids,
            ),
        )

    # ----- the command -------------------------------------------------------

    @property
    def known_ids(self) -> tuple[str, ...]:
        """Target ids seen by the last listing or start (for completion)."""
        return self._known_ids

    def command(self, ctx: CommandContext, args: tuple[str, ...]) -> Outcome:
        """/share-screen: starts a worker for the operation and returns at once."""
        sub = args[0].lower() if args else "stop"
        if sub in ("list", "stop", "off") and len(args) > 1:
            return error(f"usage: {USAGE}")
        if sub == "list":
            self._spawn(self._list_command())
        elif sub in ("stop", "off"):
            self._spawn(self._stop_command())
        elif sub == "autostart":
            if len(args) != 2 or args[1].lower() not in ("on", "off"):
                return error("usage: /share-screen autostart on|off")
            self._spawn(self._autostart_command(args[1].lower() == "on"))
        elif len(args) <= 2:
            self._spawn(self._start_command(args[0], args[1] if len(args) == 2 else None))
        else:
            return error(f"usage: {USAGE}")
        return Outcome()

    def _spawn(self, work: Awaitable[None]) -> None:
        self.host.spawn(work, "share-screen")

    def _say(self, text: str, role: str = "system") -> None:
        self.host.post_line(Line(role, text))

    async def _list_command(self) -> None:
        from ...media.screen.targets import window_support_note

        try:
            targets = await self.list_targets()
        except MediaError as exc:
            self._say(str(exc), "error")
            return
        for target in targets:
            self._say(target.describe(), "info")
        if not targets:
            self._say("nothing to share: no monitor or window was found")
        if note := window_support_note():
            self._say(note)

    async def _start_command(self, target: str, interval: str | None) -> None:
        try:
            await self.start(target, interval)
        except MediaError as exc:
            self._say(str(exc), "error")

    async def _stop_command(self) -> None:
        if not await self.stop():
            self._say("screen sharing is off")

    async def _autostart_command(self, on: bool) -> None:
        def update(settings: ScreenSettings) -> None:
            settings.autostart = on

        settings = await self._save(update)
        if settings is None:
            return
        if not on:
            self._say("screen sharing will not restart at launch")
        elif settings.target:
            self._say(
                f"screen sharing will restart at launch: {settings.target} "
                f"every {settings.interval:g} s"
            )
        else:
            self._say("screen sharing will restart at launch once a target has been shared")

    # ----- operations (the command and the desktop tools) ---------------------

    async def list_targets(self) -> list[ScreenTarget]:
        """Every monitor and window that can be shared now (raises `MediaError`)."""
        from ...media.screen.targets import list_targets

        targets = await asyncio.to_thread(list_targets, self.display)
        self._known_ids = tuple(t.id for t in targets)
        return targets

    async def start(
        self, target: str | None = None, interval: float | str | None = None
    ) -> ScreenTarget:
        """Share `target` every `interval` seconds, switching if something is shared.

        `target` None: the current target, else the profile's, else the first
        monitor; `interval` None: the current interval, else 1 s. Raises
        `MediaError` (unknown id, no display, bad interval) and leaves the
        current sharing as it was.
        """
        from ...media.screen.share import DEFAULT_INTERVAL, parse_interval

        seconds = parse_interval(interval) if interval is not None else None
        async with self._lock:
            share = await self._engine()
            current = share.target if share.active else None
            if target is None:
                target = current.id if current else (await self._load_settings()).target
            if seconds is None:
                seconds = share.stats().interval if current else DEFAULT_INTERVAL
            shared = await share.start(target or DEFAULT_TARGET, seconds)
            if shared.id not in self._known_ids:
                self._known_ids += (shared.id,)
            verb = "switched to" if current and current.id != shared.id else "sharing"
            self._say(
                f"{verb} {shared.id} ({shared.kind} {shared.name}, {shared.width}×{shared.height}) "
                f"every {seconds:g} s"
            )
            self._watch_status(True)

            def remember(settings: ScreenSettings) -> None:
                settings.target, settings.interval = shared.id, seconds

            await self._save(remember)  # under the lock: the profile names the last share
        return shared

    async def stop(self) -> bool:
        """Stop sharing; False when nothing was shared."""
        async with self._lock:
            share = self._share
            if share is None or not share.active:
                return False
            await share.stop()
            stats = share.stats()
        self._watch_status(False)
        target = stats.target.id if stats.target else "the screen"
        self._say(f"stopped sharing {target} ({stats.frames_sent} frames sent)")
        return True

    def state(self) -> dict[str, Any]:
        """Sharing state as JSON for `desktop_get_state`."""
        share = self._share
        if share is None or not share.active:
            return {"sharing": False}
        stats = share.stats()
        target = stats.target
        assert target is not None
        return {
            "sharing": True,
            "target": target.id,
            "kind": target.kind,
            "name": target.name,
            "interval_seconds": stats.interval,
            "frames_per_second": round(stats.fps, 2),
            "frames_sent": stats.frames_sent,
        }

    def status_text(self) -> str:
        """The status bar's screen field: "off" or "m1 1.0 fps 12 sent"."""
        share = self._share
        if share is None or not share.active:
            return "off"
        stats = share.stats()
        target = stats.target.id if stats.target else "?"
        return f"{target} {stats.fps:.1f} fps {stats.frames_sent} sent"

    # ----- what the app routes here -------------------------------------------

    def on_event(self, event: ev.Event) -> None:
        """On the first connection, restart the profile's sharing if asked to."""
        if isinstance(event, ev.SetupComplete) and not self._autostart_checked:
            self._autostart_checked = True
            self._spawn(self._autostart())

    async def aclose(self) -> None:
        if self._share is not None:
            await self._share.stop()

    async def _autostart(self) -> None:
        settings = await self._load_settings()
        if not (settings.autostart and settings.target):
            return
        try:
            await self.start(settings.target, settings.interval)
        except MediaError as exc:
            self._say(
                f"could not restart sharing {settings.target!r} saved in the profile: {exc}",
                "error",
            )

    # ----- inside -------------------------------------------------------------

    async def _engine(self) -> ScreenShare:
        if self._share is None:
            from ...media.screen.share import ScreenShare

            settings = await self._load_settings()
            self._share = ScreenShare(
                self._send_frame,
                display=self.display,
                quality=settings.jpeg_quality,
                skip_unchanged=self.skip_unchanged,
                on_stopped=self._stopped,
            )
        return self._share

    def _send_frame(self, data: bytes, mime_type: str) -> bool:
        """Queue a frame on the session's video policy (the newest waiting frame
        wins); True when it took the place of a frame that had not gone out."""
        session = self.host.session
        if session is None:
            raise MediaError("not connected: the frame was not sent")
        return session.send_video_nowait(data, mime_type)

    def _stopped(self, exc: MediaError) -> None:
        """Sharing ended by itself (window closed, display lost)."""
        self._watch_status(False)
        self._say(str(exc), "error")

    def _watch_status(self, on: bool) -> None:
        if on and self._timer is None:
            self._timer = self.host.every(1.0, self._refresh_status)
        elif not on and self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._refresh_status()

    def _refresh_status(self) -> None:
        self.host.patch_status(screen=self.status_text())

    async def _load_settings(self) -> ScreenSettings:
        try:
            profile = await asyncio.to_thread(self.host.profile_store.read)
        except ConfigError as exc:
            log.warning("screen settings not read: %s", exc)
            return ScreenSettings()
        return profile.screen

    async def _save(self, change: Callable[[ScreenSettings], None]) -> ScreenSettings | None:
        """Apply `change(settings)` to the profile; None and an error line if it fails."""
        store = self.host.profile_store
        try:
            profile = await asyncio.to_thread(store.change, lambda profile: change(profile.screen))
        except (ConfigError, OSError) as exc:
            self._say(f"could not save the screen settings in the profile: {exc}", "error")
            return None
        return profile.screen
