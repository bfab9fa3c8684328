"""Listing what can be shared, and the errors a user can run into doing it."""

from __future__ import annotations

import pytest
from polling import wait_until
from xvfb_support import open_window

from gemini_live_tui.media.errors import DeviceError, MediaError
from gemini_live_tui.media.screen.errors import IntervalError, NoDisplayError, UnknownTargetError
from gemini_live_tui.media.screen.share import parse_interval
from gemini_live_tui.media.screen.targets import (
    find_target,
    list_targets,
    monitor_targets,
    window_support_note,
)


def test_list_shows_the_monitor_with_its_size(xvfb):
    targets = list_targets(xvfb.name)
    monitors = [t for t in targets if t.kind == "monitor"]
    assert [(t.id, t.width, t.height) for t in monitors] == [("m1", 1920, 1080)]
    line = monitors[0].describe()
    assert line.startswith("m1") and "monitor" in line and "1920×1080" in line


def test_list_uses_display_from_environment(xvfb, monkeypatch):
    monkeypatch.setenv("DISPLAY", xvfb.name)
    assert [t.id for t in list_targets()][:1] == ["m1"]


def test_window_with_title_is_listed_and_found_by_id(xvfb, windows):
    windows.append(open_window(xvfb.name, "Notes — draft", (0, 0, 255), 320, 200, 100, 150))
    target = wait_until(
        lambda: next((t for t in list_targets(xvfb.name) if t.name == "Notes — draft"), None)
    )
    assert target.kind == "window"
    assert (target.left, target.top, target.width, target.height) == (100, 150, 320, 200)
    assert target.id.startswith("w") and len(target.id) <= 9
    assert find_target(target.id.upper(), xvfb.name) == target
    assert window_support_note() is None


def test_closed_window_disappears_from_the_list(xvfb, windows):
    process = open_window(xvfb.name, "short-lived", (0, 255, 0), 200, 100, 10, 10)
    windows.append(process)
    target = wait_until(
        lambda: next((t for t in list_targets(xvfb.name) if t.name == "short-lived"), None)
    )
    process.terminate()
    process.wait()
    wait_until(lambda: target.id not in [t.id for t in list_targets(xvfb.name)])
    with pytest.raises(UnknownTargetError) as err:
        find_target(target.id, xvfb.name)
    assert target.id in str(err.value) and "m1" in str(err.value)


def test_unknown_id_says_which_ids_exist(xvfb):
    with pytest.raises(UnknownTargetError) as err:
        find_target("m9", xvfb.name)
    message = str(err.value)
    assert "'m9'" in message and "Available now: m1" in message
    assert isinstance(err.value, MediaError)


def test_no_display_set_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(NoDisplayError) as err:
        list_targets()
    assert "DISPLAY is not set" in str(err.value)
    assert isinstance(err.value, DeviceError)


def test_unreachable_display_is_a_clear_error(xvfb):
    dead = ":" + str(int(xvfb.name[1:]) + 4000)
    with pytest.raises(NoDisplayError) as err:
        list_targets(dead)
    assert f"Cannot reach X display {dead!r}" in str(err.value)


def test_several_monitors_get_ids_in_order_and_a_union():
    monitors = [
        {"left": 0, "top": 0, "width": 3840, "height": 1080},
        {"left": 0, "top": 0, "width": 1920, "height": 1080, "output": "DP-1"},
        {
            "left": 1920,
            "top": 0,
            "width": 1920,
            "height": 1080,
            "output": "HDMI-1",
            "is_primary": True,
        },
    ]
    targets = monitor_targets(monitors)
    assert [(t.id, t.name, t.left, t.width) for t in targets] == [
        ("m0", "all monitors", 0, 3840),
        ("m1", "DP-1", 0, 1920),
        ("m2", "HDMI-1 (primary)", 1920, 1920),
    ]


@pytest.mark.parametrize("text", ["abc", "-1", "0", "nan", "inf", "0.1", "-0.5"])
def test_bad_interval_is_refused_with_a_reason(text):
    with pytest.raises(IntervalError) as err:
        parse_interval(text)
    assert text in str(err.value) or "minimum is 0.2" in str(err.value)


@pytest.mark.parametrize(
    ("text", "seconds"), [(None, 1.0), ("", 1.0), ("0.2", 0.2), ("2", 2.0), (0.5, 0.5)]
)
def test_good_interval_is_accepted(text, seconds):
    assert parse_interval(text) == seconds
