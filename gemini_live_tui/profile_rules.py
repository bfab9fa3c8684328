"""The profile's tool names, refused where `/tools enable` refuses them.

`config.py` checks every other value when the profile is loaded (types,
choices, ranges); the tools the profile may name depend on the workspace
the launch chose, so this check runs once the tool registry exists. The
launch stops with one line naming the file, the key and the tools there
are (exit status 2).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .config import ConfigError, Profile


def check_profile(profile: Profile, path: Path | str, tools: Iterable[str]) -> None:
    """Raise `ConfigError` for a tool name the registry does not know."""
    known = list(tools)
    unknown = [name for name in profile.tools or () if name not in known]
    if unknown:
        raise ConfigError(
            f"{path}: tools: unknown tool {unknown[0]!r}: the tools are {', '.join(known)}"
        )
