"""The app's `DesktopControl`: the desktop tools go through the slash commands' code.

The model's `desktop_*` tools must do exactly what /share-screen, /mic and
/speak do, so this adapter only forwards: screen calls to the
`ScreenSharing` feature, microphone and speaker calls to the `Voice`
feature, both given when the app builds its features.
"""

from __future__ import annotations

from typing import Any

from .screen import ScreenSharing
from .voice import Voice


class AppDesktop:
    """`tools.DesktopControl` over the app's voice and screen-sharing features."""

    def __init__(self, voice: Voice, screen: ScreenSharing) -> None:
        self.voice = voice
        self.screen = screen

    async def get_state(self) -> dict[str, Any]:
        state = await self.voice.get_state()
        state["screen"] = self.screen.state()
        return state

    async def set_microphone(self, on: bool, device: str | None = None) -> dict[str, Any]:
        return await self.voice.set_microphone(on, device)

    async def set_speaker(self, on: bool, device: str | None = None) -> dict[str, Any]:
        return await self.voice.set_speaker(on, device)

    async def list_screen_targets(self) -> list[dict[str, Any]]:
        targets = await self.screen.list_targets()
        return [
            {"id": t.id, "kind": t.kind, "name": t.name, "width": t.width, "height": t.height}
            for t in targets
        ]

    async def set_screen_share(
        self, on: bool, target: str | None = None, interval_seconds: float | None = None
    ) -> dict[str, Any]:
        if on:
            await self.screen.start(target, interval_seconds)
        else:
            await self.screen.stop()
        return self.screen.state()
