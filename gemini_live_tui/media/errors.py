"""Errors of the media layer: files, audio devices and screen capture.

The TUI shows ``str(error)`` to the user, so every message says what went
wrong and what to do about it; tracebacks go to the log file only.
"""


class MediaError(Exception):
    """A media operation failed; the message is meant for the user."""


class DeviceError(MediaError):
    """An audio device or a display is missing, busy or went away."""
