"""Fixtures for /share-screen through the real app, a real Xvfb display and the simulator.

- `xvfb`, `painter`, `windows`: the shared Xvfb fixtures (tests/xvfb_support.py).
- `display`: `DISPLAY` points at the Xvfb server for the test.
- `share_app(**options)`: the app (root `make_app`) whose screen sharing sends
  every tick (`skip_unchanged=False`), so frame rates can be measured on a
  still screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from xvfb_support import XvfbServer, painter, windows, xvfb

from gemini_live_tui.config import load_profile
from gemini_live_tui.tui.app import GeminiLiveApp

__all__ = ["display", "painter", "share_app", "windows", "xvfb"]


@pytest.fixture
def display(xvfb: XvfbServer, monkeypatch: pytest.MonkeyPatch) -> XvfbServer:
    monkeypatch.setenv("DISPLAY", xvfb.name)
    return xvfb


@pytest.fixture
def share_app(make_app: Callable[..., GeminiLiveApp]) -> Callable[..., GeminiLiveApp]:
    def make(**options: Any) -> GeminiLiveApp:
        # the profile as the launch loaded it (cli.build_options passes it)
        options.setdefault("saved_profile", load_profile())
        app = make_app(**options)
        app.feature_set.screen.skip_unchanged = False
        return app

    return make
