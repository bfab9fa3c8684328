"""The Debian packages some tests need: without one, those tests skip and say what to install.

A test that needs PulseAudio, PortAudio, Xvfb or an X program calls
``missing_package(reason)`` when the piece is absent: the test is skipped with
the reason (which names the Debian package), so `uv run pytest` passes on a
machine with only Python and pip. Where the packages must be there (CI sets
``GEMINI_LIVE_REQUIRE_DEVICES=1``) the same call fails the test instead, so a
broken install cannot hide behind skips. ``scripts/bare_machine_check.sh``
runs the suite with packages hidden to check that every such test does this.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

REQUIRE_DEVICES_ENV = "GEMINI_LIVE_REQUIRE_DEVICES"


def devices_required() -> bool:
    return os.environ.get(REQUIRE_DEVICES_ENV) == "1"


def missing_package(reason: str) -> NoReturn:
    """Skip the test for ``reason`` ("xlogo is not installed (Debian package x11-apps)")."""
    if devices_required():
        pytest.fail(f"{reason}; {REQUIRE_DEVICES_ENV}=1 requires it", pytrace=False)
    pytest.skip(reason)


def require_portaudio():  # noqa: ANN201 - the sounddevice module
    """The loaded ``sounddevice`` module, or skip: PortAudio (libportaudio2) is missing."""
    from gemini_live_tui.media.audio.devices import portaudio
    from gemini_live_tui.media.errors import DeviceError

    try:
        return portaudio()
    except DeviceError as error:
        if "could not start" in str(error):  # installed, but no sound server or ALSA plugin
            missing_package(
                "PortAudio could not start (Debian: pulseaudio pulseaudio-utils libasound2-plugins)"
            )
        missing_package("PortAudio not installed (Debian: libportaudio2)")


def require_portaudio_library() -> None:
    """Skip unless libportaudio is installed (whether or not it can start here)."""
    import ctypes.util

    name = ctypes.util.find_library("portaudio")
    try:
        ctypes.CDLL(name or "libportaudio.so.2")  # loading does not start it
    except OSError:
        missing_package("PortAudio not installed (Debian: libportaudio2)")
