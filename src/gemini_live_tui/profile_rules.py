"""The profile's values, refused where the slash commands refuse them.

`config.py` checks each value's type; this module checks what the value
means, with the very validators the commands use — the thinking levels of
`/thinking`, the interval of `/share-screen ID SECONDS`, the JPEG quality
of the screen capture, the tool names of `/tools enable`, the voice
activity settings of the setup — so a value typed into the file is refused
as it would be typed after a slash. The launch stops with one line naming
the file, the key and what is allowed (exit status 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .config import ConfigError, Profile
from .media.errors import MediaError
from .media.screen_limits import check_quality, parse_interval
from .tui.setup_draft import THINKING_LEVELS
from .tui.voice_setup import voice_activity_config


def check_profile(profile: Profile, path: Path | str, tools: Iterable[str]) -> None:
    """Raise `ConfigError` for the first value the commands would refuse."""
    level = profile.thinking_level
    if level is not None and level.lower() not in THINKING_LEVELS:
        raise ConfigError(
            f"{path}: thinking_level = {level!r}: use one of {', '.join(THINKING_LEVELS)}"
        )
    known = list(tools)
    unknown = [name for name in profile.tools or () if name not in known]
    if unknown:
        raise ConfigError(
            f"{path}: tools: unknown tool {unknown[0]!r}: the tools are {', '.join(known)}"
        )
    screen = profile.screen
    for key, check in (
        ("interval", lambda: parse_interval(screen.interval)),
        ("jpeg_quality", lambda: check_quality(screen.jpeg_quality)),
    ):
        try:
            check()
        except MediaError as error:
            raise ConfigError(
                f"{path}: [screen] {key} = {getattr(screen, key)!r}: {error}"
            ) from None
    try:
        voice_activity_config(profile.audio)
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None
