"""The app's features, built in one place: voice, screen sharing, tool calls.

Each feature takes the `Host` (host.py) and declares its slash commands,
the session events and reducer effects it wants and its status fields;
the app adds the commands to its table and routes events and effects by
what each declares. The desktop tools reach voice and screen sharing
through `AppDesktop`, given both features here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...config import AudioSettings
from ...tools import ToolRegistry
from ..host import Feature, Host
from .desktop import AppDesktop
from .screen import ScreenSharing
from .tools import ToolCalls
from .voice import Voice

__all__ = ["AppDesktop", "Features", "ScreenSharing", "ToolCalls", "Voice", "build_features"]


@dataclass(frozen=True)
class Features:
    """The features of one app."""

    voice: Voice
    screen: ScreenSharing
    tools: ToolCalls | None  # None: no tool registry (each call is answered with an error)

    def all(self) -> tuple[Feature, ...]:
        """Every feature, in the order their commands appear in /help."""
        return tuple(f for f in (self.voice, self.screen, self.tools) if f is not None)


def build_features(host: Host, audio: AudioSettings, registry: Any) -> Features:
    """Voice with the launch's `[audio]` settings, screen sharing, and tool calls for `registry`."""
    voice = Voice(host, audio)
    screen = ScreenSharing(host)
    tools = None
    if isinstance(registry, ToolRegistry):
        tools = ToolCalls(host, registry, AppDesktop(voice, screen))
    return Features(voice, screen, tools)
