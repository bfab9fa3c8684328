"""Screen sharing: capture a target every N seconds and hand JPEGs to the session.

``ScreenShare`` is the UI-agnostic engine behind ``/share-screen``. It takes
a plain ``send_frame(data, mime_type)`` callable that hands a frame to the
session's outbound queue without waiting (``LiveSession.send_nowait`` with a
``RealtimeVideo``), so it runs the same against the real session, the
simulator or a test recorder, and it keeps handing frames over across
reconnects (the session decides what to do with realtime media while it is
reconnecting).

Guarantees:

- Capture and JPEG encoding run on one dedicated worker thread, never on
  the event loop; captures never overlap, and a capture slower than the
  interval delays the next tick instead of queueing ticks.
- Capture never waits for the network. The session keeps at most one
  frame waiting: a newer frame takes the place of the waiting one. When
  ``send_frame`` answers True it replaced a frame that had not gone out yet,
  which is counted as dropped: the link gets fresh frames, never a backlog.
- A frame identical to the last one is skipped (counted), but one still
  goes out at least every ``keepalive`` seconds so the model keeps seeing
  the screen.
- When the shared window closes or the display fails, sharing stops by
  itself and ``on_stopped`` receives the ``MediaError`` to show.
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from gemini_live_tui.media.errors import MediaError
from gemini_live_tui.media.screen.capture import (
    DEFAULT_MAX_SIDE,
    EncodedFrame,
    FrameGrabber,
    Skip,
)
from gemini_live_tui.media.screen.errors import CaptureError
from gemini_live_tui.media.screen.limits import (  # parse_interval: /share-screen's own
    DEFAULT_INTERVAL,
    DEFAULT_QUALITY,
    check_quality,
    parse_interval,
)
from gemini_live_tui.media.screen.targets import ScreenTarget, find_target

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 5.0
FPS_WINDOW_SECONDS = 10.0
CLOSE_TIMEOUT_SECONDS = 2.0

SendFrame = Callable[[bytes, str], bool | None]
"""Hands one frame to the session; True when it replaced a frame still waiting."""
OnStopped = Callable[[MediaError], Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ShareStats:
    """A snapshot for the status bar and for tests."""

    target: ScreenTarget | None
    interval: float
    active: bool
    fps: float
    """Frames sent per second over the last ten seconds."""
    frames_sent: int
    """Frames handed to the session and not replaced by a newer one while waiting."""
    frames_unchanged: int
    """Captures skipped because the screen had not changed."""
    frames_dropped: int
    """Frames the session replaced by a newer one while they waited for a slow link."""
    frames_hidden: int
    """Ticks skipped because the window was minimised or off screen."""
    send_failures: int
    """Frames the session refused (not connected, closed)."""
    last_error: str | None


IDLE_STATS = ShareStats(None, 0.0, False, 0.0, 0, 0, 0, 0, 0, None)


@dataclass(eq=False)
class _Run:
    """One sharing of one target: its grabber, tasks and counters."""

    target: ScreenTarget
    interval: float
    grabber: FrameGrabber
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    queued_at: float = 0.0
    sent: int = 0
    unchanged: int = 0
    dropped: int = 0
    hidden: int = 0
    send_failures: int = 0
    last_error: str | None = None
    sent_times: collections.deque[float] = field(default_factory=collections.deque)

    def stats(self, now: float, active: bool) -> ShareStats:
        while self.sent_times and self.sent_times[0] < now - FPS_WINDOW_SECONDS:
            self.sent_times.popleft()
        n = len(self.sent_times)
        fps = 0.0
        if n >= 2 and active:
            # the rate between frames sent; once frames stop coming, it decays
            last = self.sent_times[-1]
            span = last - self.sent_times[0]
            if now - last > 2 * self.interval:
                span = now - self.sent_times[0]
            fps = (n - 1) / span if span > 0 else 0.0
        return ShareStats(
            target=self.target,
            interval=self.interval,
            active=active,
            fps=fps,
            frames_sent=self.sent,
            frames_unchanged=self.unchanged,
            frames_dropped=self.dropped,
            frames_hidden=self.hidden,
            send_failures=self.send_failures,
            last_error=self.last_error,
        )


class ScreenShare:
    """Shares one target at a time through ``send_frame``; see the module doc."""

    def __init__(
        self,
        send_frame: SendFrame,
        *,
        display: str | None = None,
        quality: int = DEFAULT_QUALITY,
        max_side: int = DEFAULT_MAX_SIDE,
        skip_unchanged: bool = True,
        keepalive: float = KEEPALIVE_SECONDS,
        on_stopped: OnStopped | None = None,
    ) -> None:
        self._send_frame = send_frame
        self._display = display
        self._quality = check_quality(quality)
        self._max_side = max_side
        self._skip_unchanged = skip_unchanged
        self._keepalive = keepalive
        self._on_stopped = on_stopped
        self._executor: ThreadPoolExecutor | None = None
        self._run: _Run | None = None
        self._last_stats = IDLE_STATS
        self._lock = asyncio.Lock()
        self._stoppers: set[asyncio.Task[None]] = set()

    @property
    def active(self) -> bool:
        return self._run is not None

    @property
    def target(self) -> ScreenTarget | None:
        return self._run.target if self._run else None

    def stats(self) -> ShareStats:
        if self._run is None:
            return self._last_stats
        return self._run.stats(time.monotonic(), active=True)

    async def start(
        self, target: ScreenTarget | str, interval: float | str | None = DEFAULT_INTERVAL
    ) -> ScreenTarget:
        """Share ``target`` (a ScreenTarget or its id) every ``interval`` seconds.

        If something is already shared, this switches to the new target; if
        the new target fails (unknown id, no display, window gone) the error
        is raised and the current sharing goes on untouched. The first frame
        is captured before this returns.
        """
        seconds = parse_interval(interval)
        async with self._lock:
            if isinstance(target, str):
                target = await self._in_thread(find_target, target, self._display)
            grabber = await self._in_thread(
                partial(
                    FrameGrabber,
                    target,
                    display=self._display,
                    max_side=self._max_side,
                    quality=self._quality,
                )
            )
            try:
                first = await self._in_thread(partial(grabber.capture, force=True))
            except BaseException:
                await self._in_thread(grabber.close)
                raise
            await self._halt()
            run = _Run(target, seconds, grabber)
            self._run = run
            if isinstance(first, EncodedFrame):
                self._hand_over(run, first)
            run.tasks = [asyncio.create_task(self._capture_loop(run), name="screen-capture")]
            log.info("sharing %s every %.2f s", target.id, seconds)
            return target

    switch = start

    async def stop(self) -> None:
        """Stop sharing (no-op when idle) and release the display connection."""
        async with self._lock:
            await self._halt()
            if self._executor is not None:
                self._executor.shutdown(wait=False)
                self._executor = None

    async def _halt(self) -> None:
        run, self._run = self._run, None
        if run is None:
            return
        for task in run.tasks:
            task.cancel()
        await asyncio.gather(*run.tasks, return_exceptions=True)
        self._last_stats = run.stats(time.monotonic(), active=False)
        # Queued behind any capture still running on the worker thread; if
        # that capture hangs (an X server that stopped answering), give up on
        # the thread rather than hang the caller.
        try:
            await asyncio.wait_for(self._in_thread(run.grabber.close), CLOSE_TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("screen capture thread did not finish; abandoning it")
            if self._executor is not None:
                self._executor.shutdown(wait=False)
                self._executor = None
        log.info("stopped sharing %s", run.target.id)

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="screen-capture")
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    def _hand_over(self, run: _Run, frame: EncodedFrame) -> None:
        """Give ``frame`` to the session: it counts as sent, or as taking the
        place of a frame that was still waiting (which counts as dropped)."""
        run.queued_at = now = time.monotonic()
        try:
            replaced = self._send_frame(frame.jpeg, frame.mime_type)
        except Exception as exc:  # the session says why; keep sharing
            run.send_failures += 1
            run.last_error = str(exc) or type(exc).__name__
            log.warning("sending a screen frame failed: %s", run.last_error)
            return
        if replaced and run.sent:
            run.dropped += 1
            if run.sent_times:
                run.sent_times[-1] = now
        else:
            run.sent += 1
            run.sent_times.append(now)

    async def _capture_loop(self, run: _Run) -> None:
        loop = asyncio.get_running_loop()
        next_tick = loop.time()
        try:
            while True:
                next_tick += run.interval
                delay = next_tick - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                else:
                    next_tick = loop.time()  # capture overran the interval: no burst
                # Force a frame when waiting for the next tick would leave
                # more than `keepalive` seconds without one.
                since = time.monotonic() - run.queued_at
                force = not self._skip_unchanged or since + run.interval > self._keepalive
                result = await self._in_thread(partial(run.grabber.capture, force=force))
                if isinstance(result, EncodedFrame):
                    self._hand_over(run, result)
                elif result is Skip.UNCHANGED:
                    run.unchanged += 1
                else:
                    run.hidden += 1
        except Exception as exc:
            if not isinstance(exc, MediaError):
                log.exception("screen capture failed")
                exc = CaptureError(f"Stopped sharing {run.target.name!r}: capture failed ({exc}).")
            log.warning("screen sharing of %s stopped: %s", run.target.id, exc)
            run.last_error = str(exc)
            stopper = asyncio.create_task(self._stop_after_error(run, exc), name="screen-stop")
            self._stoppers.add(stopper)
            stopper.add_done_callback(self._stoppers.discard)

    async def _stop_after_error(self, run: _Run, error: MediaError) -> None:
        async with self._lock:
            if self._run is not run:
                return  # already stopped or switched meanwhile
            await self._halt()
        if self._on_stopped is not None:
            try:
                result = self._on_stopped(error)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("on_stopped callback failed")
