"""Errors of screen sharing, each with a message the user can act on.

They are ``MediaError`` subclasses so the TUI can show ``str(error)`` as
one line and keep running; a missing display is a ``DeviceError`` like a
missing microphone.
"""

from gemini_live_tui.media.errors import DeviceError, MediaError


class NoDisplayError(DeviceError):
    """There is no screen to capture: DISPLAY unset or the server unreachable."""


class UnknownTargetError(MediaError):
    """The requested id names no monitor or window (any more)."""


class TargetGoneError(MediaError):
    """The shared window closed (or the display went away) while it was shared."""


class IntervalError(MediaError):
    """The capture interval is not a number of seconds we can honour."""


class CaptureError(MediaError):
    """Grabbing or encoding a frame failed for another reason."""
