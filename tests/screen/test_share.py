"""Sharing a real X display through ScreenShare, as the session would receive it."""

from __future__ import annotations

import asyncio
import base64
import io
import signal
import time
from dataclasses import dataclass, field

import pytest
from expect import start_connected
from PIL import Image, ImageStat
from polling import eventually
from xvfb_support import desktop_like_image, open_window

from gemini_live_tui.media.screen.errors import (
    CaptureError,
    IntervalError,
    NoDisplayError,
    TargetGoneError,
    UnknownTargetError,
)
from gemini_live_tui.media.screen.share import ScreenShare
from gemini_live_tui.media.screen.targets import list_targets
from gemini_live_tui.simulator import LiveSimulator


@dataclass
class Recorder:
    """Stands in for the session's video queue on a fast link: keeps what it got and when."""

    frames: list[tuple[float, Image.Image]] = field(default_factory=list)

    def send_video(self, data: bytes, mime_type: str = "image/jpeg") -> None:
        assert mime_type == "image/jpeg"
        received = time.monotonic()
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        self.frames.append((received, image.convert("RGB")))

    def colours(self) -> list[tuple[int, ...]]:
        return [tuple(round(c) for c in ImageStat.Stat(img).mean) for _, img in self.frames]


def close_to(actual, expected, tolerance=6) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


async def find_window(display: str, title: str):
    for _ in range(100):
        targets = await asyncio.to_thread(list_targets, display)
        for target in targets:
            if target.name == title:
                return target
        await asyncio.sleep(0.05)
    raise TimeoutError(f"window {title!r} never appeared")


async def test_sharing_every_half_second_delivers_painted_frames_at_that_rate(xvfb, painter):
    painter.solid((220, 40, 40))
    recorder = Recorder()
    share = ScreenShare(recorder.send_video, display=xvfb.name, skip_unchanged=False)
    target = await share.start("m1", 0.5)
    assert target.id == "m1" and share.active
    await asyncio.sleep(4.1)
    stats = share.stats()
    await share.stop()

    times = [t for t, _ in recorder.frames]
    assert 8 <= len(times) <= 10, len(times)
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert 2.0 * 0.8 <= rate <= 2.0 * 1.2, rate
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert all(0.3 < gap < 0.7 for gap in gaps), gaps
    assert all(close_to(c, (220, 40, 40)) for c in recorder.colours())
    assert all(img.size == (1280, 720) for _, img in recorder.frames)
    assert stats.active and stats.target.id == "m1" and stats.interval == 0.5
    assert stats.frames_sent == len(times) or stats.frames_sent == len(times) - 1
    assert 1.5 <= stats.fps <= 2.5, stats.fps


async def test_stop_stops_frames_and_reports_idle(xvfb, painter):
    recorder = Recorder()
    share = ScreenShare(recorder.send_video, display=xvfb.name, skip_unchanged=False)
    await share.start("m1", 0.2)
    await eventually(lambda: len(recorder.frames) >= 3)
    await share.stop()
    count = len(recorder.frames)
    await asyncio.sleep(0.8)
    assert len(recorder.frames) == count
    stats = share.stats()
    assert not share.active and not stats.active
    assert stats.frames_sent == count
    await share.stop()  # stopping twice is harmless


async def test_screen_changes_show_up_in_the_next_frame(xvfb, painter):
    painter.solid((0, 0, 0))
    recorder = Recorder()
    share = ScreenShare(recorder.send_video, display=xvfb.name)
    await share.start("m1", 0.2)
    await eventually(lambda: len(recorder.frames) >= 1)
    painter.solid((255, 255, 0))
    await eventually(lambda: close_to(recorder.colours()[-1], (255, 255, 0)), timeout=1.0)
    await share.stop()


async def test_unchanged_screen_is_skipped_but_resent_every_keepalive(xvfb, painter):
    painter.solid((90, 90, 200))
    recorder = Recorder()
    share = ScreenShare(recorder.send_video, display=xvfb.name, keepalive=1.0)
    await share.start("m1", 0.2)
    await asyncio.sleep(2.7)
    stats = share.stats()
    await share.stop()
    times = [t for t, _ in recorder.frames]
    gaps = [round(b - a, 2) for a, b in zip(times, times[1:], strict=False)]
    # Without the keepalive there would be one frame; without skipping, 14.
    assert 3 <= len(times) <= 4, gaps
    assert all(0.7 <= gap <= 1.2 for gap in gaps), gaps
    assert stats.frames_unchanged >= 8
    assert stats.frames_sent == len(times)


async def test_switching_target_sends_the_new_one(xvfb, painter, windows):
    painter.solid((250, 250, 250))
    windows.append(open_window(xvfb.name, "green pane", (0, 160, 0), 400, 300, 300, 200))
    window = await find_window(xvfb.name, "green pane")
    recorder = Recorder()
    share = ScreenShare(recorder.send_video, display=xvfb.name, skip_unchanged=False)
    await share.start("m1", 0.2)
    await eventually(lambda: len(recorder.frames) >= 2)
    await share.switch(window.id, 0.2)
    assert share.target == window
    switched_at = time.monotonic()
    await eventually(lambda: sum(t > switched_at for t, _ in recorder.frames) >= 3)
    await share.stop()
    after = [img for t, img in recorder.frames if t > switched_at + 0.1]
    assert after and all(img.size == (400, 300) for img in after)
    assert close_to(tuple(ImageStat.Stat(after[-1]).mean), (0, 160, 0))
    assert share.stats().target == window


async def test_closed_window_stops_sharing_and_says_so(xvfb, painter, windows):
    process = open_window(xvfb.name, "doomed", (200, 0, 200), 200, 150, 20, 20)
    windows.append(process)
    window = await find_window(xvfb.name, "doomed")
    stopped: list[Exception] = []
    recorder = Recorder()
    share = ScreenShare(
        recorder.send_video, display=xvfb.name, on_stopped=stopped.append, skip_unchanged=False
    )
    await share.start(window, 0.2)
    await eventually(lambda: len(recorder.frames) >= 2)
    process.terminate()
    process.wait()
    await eventually(lambda: bool(stopped), timeout=3)
    assert isinstance(stopped[0], TargetGoneError) and "closed" in str(stopped[0])
    assert not share.active
    stats = share.stats()
    assert not stats.active and stats.last_error == str(stopped[0])
    count = len(recorder.frames)
    await asyncio.sleep(0.5)
    assert len(recorder.frames) == count


async def test_display_lost_while_sharing_stops_and_says_so(short_lived_xvfb):
    stopped: list[Exception] = []
    recorder = Recorder()
    share = ScreenShare(
        recorder.send_video,
        display=short_lived_xvfb.name,
        on_stopped=stopped.append,
        skip_unchanged=False,
    )
    await share.start("m1", 0.2)
    await eventually(lambda: len(recorder.frames) >= 2)
    short_lived_xvfb.stop()
    await eventually(lambda: bool(stopped), timeout=3)
    assert isinstance(stopped[0], CaptureError)
    assert "could not be captured" in str(stopped[0])
    assert not share.active
    assert share.stats().fps == 0.0
    await share.stop()


async def test_stop_returns_even_if_the_x_server_hangs(short_lived_xvfb):
    recorder = Recorder()
    share = ScreenShare(recorder.send_video, display=short_lived_xvfb.name, skip_unchanged=False)
    await share.start("m1", 0.2)
    await eventually(lambda: len(recorder.frames) >= 2)
    short_lived_xvfb.process.send_signal(signal.SIGSTOP)
    try:
        await asyncio.sleep(0.5)  # a capture is now stuck waiting for the server
        started = time.monotonic()
        await asyncio.wait_for(share.stop(), 10)
        assert time.monotonic() - started < 4
        assert not share.active
    finally:
        short_lived_xvfb.process.send_signal(signal.SIGCONT)


def video_frames(sim: LiveSimulator) -> list[Image.Image]:
    """The frames the simulator received, in arrival order."""
    frames = []
    for received in sim.received:
        video = received.message.get("realtimeInput", {}).get("video")
        if video:
            frames.append(Image.open(io.BytesIO(base64.b64decode(video["data"]))).convert("RGB"))
    return frames


async def test_slow_link_gets_the_newest_frame_not_a_backlog(
    xvfb, painter, sim: LiveSimulator, make_session
):
    """The socket pushes back for 3 s while the screen changes every 0.2 s:
    the session's queue keeps only the newest frame, which goes out when the
    link drains."""
    session = make_session()
    await start_connected(session)
    palette = [(i * 12, 255 - i * 12, 128) for i in range(20)]
    share = ScreenShare(session.send_video_nowait, display=xvfb.name, skip_unchanged=False)
    painter.solid(palette[0])
    await share.start("m1", 0.2)
    await sim.wait_for(lambda: len(video_frames(sim)) >= 2)
    before = share.stats()
    session._ws.pause_writing()  # as the transport does when its buffer passes the high-water mark
    for colour in palette[1:]:
        painter.solid(colour)
        await asyncio.sleep(0.2)
    await share.stop()
    stats = share.stats()
    arrived_while_slow = len(video_frames(sim))
    session._ws.resume_writing()
    await sim.wait_for(lambda: len(video_frames(sim)) > arrived_while_slow)
    await asyncio.sleep(0.2)
    frames = video_frames(sim)

    # One frame was on the wire when the link stalled and one waited: no backlog.
    assert len(frames) <= arrived_while_slow + 1, (len(frames), arrived_while_slow)
    assert stats.frames_sent - before.frames_sent <= 2, stats
    assert stats.frames_dropped >= 12, stats
    assert session.stats.video_replaced == stats.frames_dropped
    # What arrives last is the screen as it was when sharing stopped.
    assert close_to(tuple(ImageStat.Stat(frames[-1]).mean), palette[-1], tolerance=10)


async def test_event_loop_stays_responsive_while_sharing(xvfb, painter):
    painter.image(desktop_like_image())
    recorder = Recorder()
    share = ScreenShare(recorder.send_video, display=xvfb.name, skip_unchanged=False)
    await share.start("m1", 0.2)
    lags = []
    end = time.monotonic() + 3.0
    while time.monotonic() < end:
        before = time.monotonic()
        await asyncio.sleep(0.005)
        lags.append(time.monotonic() - before - 0.005)
    await share.stop()
    lags.sort()
    assert len(recorder.frames) >= 12
    assert lags[int(len(lags) * 0.99)] < 0.050, lags[-5:]


async def test_failed_switch_keeps_the_current_share(xvfb, painter):
    recorder = Recorder()
    share = ScreenShare(recorder.send_video, display=xvfb.name, skip_unchanged=False)
    await share.start("m1", 0.2)
    with pytest.raises(UnknownTargetError):
        await share.switch("w123456", 0.2)
    with pytest.raises(IntervalError):
        await share.switch("m1", "0")
    assert share.active and share.target.id == "m1"
    count = len(recorder.frames)
    await eventually(lambda: len(recorder.frames) >= count + 2)
    await share.stop()


async def test_send_failures_are_counted_and_sharing_goes_on(xvfb, painter):
    calls = 0

    def flaky(data: bytes, mime_type: str) -> None:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise ConnectionError("reconnecting")

    share = ScreenShare(flaky, display=xvfb.name, skip_unchanged=False)
    await share.start("m1", 0.2)
    await eventually(lambda: calls >= 4)
    stats = share.stats()
    await share.stop()
    assert stats.send_failures == 2 and stats.frames_sent >= 2
    assert stats.last_error == "reconnecting"


async def test_no_display_fails_start_with_a_clear_error(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    share = ScreenShare(Recorder().send_video)
    with pytest.raises(NoDisplayError, match="DISPLAY is not set"):
        await share.start("m1", 1.0)
    assert not share.active
    await share.stop()
