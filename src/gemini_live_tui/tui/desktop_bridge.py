"""The app's `DesktopControl`: the desktop tools go through the slash commands' code.

The model's `desktop_*` tools must do exactly what /share-screen, /mic and
/speak do, so this adapter only forwards: screen calls to the app's
`screen_bridge`, microphone and speaker calls to the app's `voice`
controller (set by the voice feature; see `VoiceControl`). While a part is
missing, its methods raise `NotImplementedError`, which the tools layer
answers with a clear "not available" error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from .app import GeminiLiveApp
    from .screen_bridge import ScreenBridge


@runtime_checkable
class VoiceControl(Protocol):
    """What the voice feature offers at `app.voice` for the desktop tools.

    Each method does what /mic or /speak does (same checks, same conversation
    lines) and returns a small JSON-able dict of the new state; errors are
    `MediaError`/`DeviceError` with a message for the user.
    """

    async def get_state(self) -> dict[str, Any]:
        """`{"microphone": {...}, "speaker": {...}}`: on/off and device of each."""
        ...

    async def set_microphone(self, on: bool, device: str | None = None) -> dict[str, Any]: ...

    async def set_speaker(self, on: bool, device: str | None = None) -> dict[str, Any]: ...


NOT_WIRED = "not available in this version of the app"


class AppDesktop:
    """`tools.DesktopControl` for a `GeminiLiveApp`."""

    def __init__(self, app: GeminiLiveApp) -> None:
        self.app = app

    def _voice(self) -> VoiceControl:
        voice = getattr(self.app, "voice", None)
        if voice is None:
            raise NotImplementedError("the microphone and speaker are not wired")
        return voice

    def _screen(self) -> ScreenBridge:
        screen = getattr(self.app, "screen_bridge", None)
        if screen is None:
            raise NotImplementedError("screen sharing is not wired")
        return screen

    async def get_state(self) -> dict[str, Any]:
        state: dict[str, Any] = {}
        voice = getattr(self.app, "voice", None)
        if voice is None:
            state["microphone"] = state["speaker"] = NOT_WIRED
        else:
            state.update(await voice.get_state())
        screen = getattr(self.app, "screen_bridge", None)
        state["screen"] = NOT_WIRED if screen is None else screen.state()
        return state

    async def set_microphone(self, on: bool, device: str | None = None) -> dict[str, Any]:
        return await self._voice().set_microphone(on, device)

    async def set_speaker(self, on: bool, device: str | None = None) -> dict[str, Any]:
        return await self._voice().set_speaker(on, device)

    async def list_screen_targets(self) -> list[dict[str, Any]]:
        targets = await self._screen().list_targets()
        return [
            {"id": t.id, "kind": t.kind, "name": t.name, "width": t.width, "height": t.height}
            for t in targets
        ]

    async def set_screen_share(
        self, on: bool, target: str | None = None, interval_seconds: float | None = None
    ) -> dict[str, Any]:
        screen = self._screen()
        if on:
            await screen.start(target, interval_seconds)
        else:
            await screen.stop()
        return screen.state()
