"""Fixtures for screen-sharing tests: a real Xvfb display and a painter.

The display is started once per session on a free display number. Tests
that need it skip when Xvfb is not installed, unless
GEMINI_LIVE_REQUIRE_DEVICES=1 (CI), where a missing Xvfb is a failure.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest

from .xvfb import Painter, XvfbServer, XvfbUnavailable

REQUIRE_DEVICES = os.environ.get("GEMINI_LIVE_REQUIRE_DEVICES") == "1"


@pytest.fixture(scope="session")
def xvfb() -> Iterator[XvfbServer]:
    """A 1920×1080×24 Xvfb server, shared by the session's tests."""
    try:
        server = XvfbServer.start(1920, 1080)
    except XvfbUnavailable as exc:
        if REQUIRE_DEVICES:
            pytest.fail(f"{exc}; GEMINI_LIVE_REQUIRE_DEVICES=1 requires it")
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture
def short_lived_xvfb(xvfb: XvfbServer) -> Iterator[XvfbServer]:
    """A small second display that a test may kill (``stop()``)."""
    server = XvfbServer.start(640, 480)
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def painter(xvfb: XvfbServer) -> Iterator[Painter]:
    """Paints the display's root; the screen is black again afterwards."""
    p = Painter(xvfb.name)
    yield p
    p.solid((0, 0, 0))
    p.close()


@pytest.fixture
def windows(xvfb: XvfbServer) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes of windows a test opens; closed when the test ends."""
    opened: list[subprocess.Popen[bytes]] = []
    yield opened
    for process in opened:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=5)
