"""Grabbing a real X display and encoding what a user would see as JPEG."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops, ImageStat
from polling import wait_until
from xvfb_support import desktop_like_image, open_window

from gemini_live_tui.media.errors import MediaError
from gemini_live_tui.media.screen.capture import (
    EncodedFrame,
    FrameGrabber,
    Skip,
    encode_frame,
    fit_within,
)
from gemini_live_tui.media.screen.errors import TargetGoneError
from gemini_live_tui.media.screen.targets import find_target, list_targets


def decode(frame: EncodedFrame) -> Image.Image:
    image = Image.open(io.BytesIO(frame.jpeg))
    assert image.format == "JPEG"
    return image.convert("RGB")


def mean_colour(image: Image.Image) -> tuple[float, ...]:
    return tuple(ImageStat.Stat(image).mean)


def close_to(actual, expected, tolerance=6) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1920, 1080), (1280, 720)),
        ((1080, 1920), (720, 1280)),
        ((800, 600), (800, 600)),
        ((2560, 2560), (1280, 1280)),
        ((5000, 10), (1280, 3)),
    ],
)
def test_fit_within_keeps_aspect_and_never_upscales(size, expected):
    assert fit_within(*size, 1280) == expected


def test_monitor_frame_shows_the_painted_colour_at_fitting_size(xvfb, painter):
    painter.solid((200, 30, 60))
    with FrameGrabber(find_target("m1", xvfb.name), display=xvfb.name) as grabber:
        frame = grabber.capture()
    assert isinstance(frame, EncodedFrame)
    assert (frame.width, frame.height) == (1280, 720)
    image = decode(frame)
    assert image.size == (1280, 720)
    assert close_to(mean_colour(image), (200, 30, 60))


def test_frame_matches_a_painted_image(xvfb, painter):
    picture = desktop_like_image(1920, 1080)
    painter.image(picture)
    with FrameGrabber(find_target("m1", xvfb.name), display=xvfb.name, quality=90) as grabber:
        frame = grabber.capture()
    expected = picture.resize((1280, 720), Image.Resampling.BOX)
    difference = ImageStat.Stat(ImageChops.difference(decode(frame), expected)).mean
    assert max(difference) < 4, difference


def test_unchanged_screen_is_not_encoded_again_unless_forced(xvfb, painter):
    painter.solid((10, 120, 10))
    with FrameGrabber(find_target("m1", xvfb.name), display=xvfb.name) as grabber:
        assert isinstance(grabber.capture(), EncodedFrame)
        assert grabber.capture() is Skip.UNCHANGED
        assert isinstance(grabber.capture(force=True), EncodedFrame)
        painter.solid((10, 10, 120))
        frame = grabber.capture()
    assert isinstance(frame, EncodedFrame)
    assert close_to(mean_colour(decode(frame)), (10, 10, 120))


def test_window_frame_is_the_window_only_and_follows_it(xvfb, painter, windows):
    painter.solid((255, 255, 255))
    windows.append(open_window(xvfb.name, "blue box", (0, 0, 255), 320, 200, 100, 150))
    target = wait_until(
        lambda: next((t for t in list_targets(xvfb.name) if t.name == "blue box"), None)
    )
    with FrameGrabber(target, display=xvfb.name) as grabber:
        frame = grabber.capture()
        assert (frame.width, frame.height) == (320, 200)
        assert close_to(mean_colour(decode(frame)), (0, 0, 255))
        # Half off the right edge: only the visible part is captured.
        from Xlib import display as xdisplay

        d = xdisplay.Display(xvfb.name)
        d.create_resource_object("window", target.xid).configure(x=1920 - 120, y=0)
        d.sync()
        d.close()
        frame = wait_until(lambda: (f := grabber.capture(force=True)) and f.width == 120 and f)
        assert (frame.width, frame.height) == (120, 200)
        assert close_to(mean_colour(decode(frame)), (0, 0, 255))


def test_closed_window_raises_target_gone(xvfb, windows):
    process = open_window(xvfb.name, "closing", (0, 200, 0), 200, 100, 50, 50)
    windows.append(process)
    target = wait_until(
        lambda: next((t for t in list_targets(xvfb.name) if t.name == "closing"), None)
    )
    with FrameGrabber(target, display=xvfb.name) as grabber:
        assert isinstance(grabber.capture(), EncodedFrame)
        process.terminate()
        process.wait()
        with pytest.raises(TargetGoneError) as err:
            wait_until(lambda: grabber.capture(force=True) and False, timeout=3)
    assert "closed" in str(err.value)


def test_encode_budget_for_a_typical_desktop():
    picture = desktop_like_image(1920, 1080)
    frame = encode_frame(picture.tobytes("raw", "BGRX"), picture.size)
    assert (frame.width, frame.height) == (1280, 720)
    assert len(frame.jpeg) < 200_000


def test_bad_quality_is_refused(xvfb):
    with pytest.raises(MediaError, match="between 1 and 95"):
        FrameGrabber(find_target("m1", xvfb.name), display=xvfb.name, quality=0)
