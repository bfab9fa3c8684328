"""The limits of screen sharing that the user chooses: interval and JPEG quality.

One home for the checks, so `/share-screen ID SECONDS` and the profile's
`[screen]` table refuse the same values with the same words. No Pillow or
mss here: the launch checks the profile without loading them.
"""

from __future__ import annotations

import math

from gemini_live_tui.media.errors import MediaError
from gemini_live_tui.media.screen.errors import IntervalError

DEFAULT_INTERVAL = 1.0
MIN_INTERVAL = 0.2
DEFAULT_QUALITY = 75


def parse_interval(value: str | float | None) -> float:
    """Seconds between captures from user input; ``IntervalError`` if unusable."""
    if value is None or value == "":
        return DEFAULT_INTERVAL
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise IntervalError(
            f"The interval must be a number of seconds, like 1 or 0.5, not {value!r}."
        ) from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise IntervalError(f"The interval must be a positive number of seconds, not {value!r}.")
    if seconds < MIN_INTERVAL:
        raise IntervalError(
            f"An interval of {seconds:g} s is too short: the minimum is {MIN_INTERVAL:g} s."
        )
    return seconds


def check_quality(quality: int) -> int:
    """`quality` if Pillow's JPEG encoder takes it well (1–95); else a `MediaError`."""
    if not 1 <= quality <= 95:
        raise MediaError(f"JPEG quality must be between 1 and 95, not {quality}.")
    return quality
