"""Desktop tools: the same paths as the slash commands, or a clear "not available"."""

from __future__ import annotations

from typing import Any

from gemini_live_tui.media.errors import DeviceError
from gemini_live_tui.tools import DesktopControl, builtin_registry

DESKTOP_TOOLS = {
    "desktop_get_state": {},
    "desktop_set_microphone": {"on": True},
    "desktop_set_speaker": {"on": False},
    "desktop_list_screen_targets": {},
    "desktop_set_screen_share": {"on": True},
}


class Desk:
    """A small desktop with state, like the TUI's; the speaker is not wired yet."""

    def __init__(self) -> None:
        self.mic = False
        self.device: str | None = None
        self.share: tuple[str | None, float | None] | None = None

    async def get_state(self) -> dict[str, Any]:
        return {"microphone": self.mic, "device": self.device, "screen_share": self.share}

    async def set_microphone(self, on: bool, device: str | None = None) -> dict[str, Any]:
        if device == "gone":
            raise DeviceError("input device 'gone' is not connected; /mic devices lists them")
        self.mic, self.device = on, device
        return await self.get_state()

    async def set_speaker(self, on: bool, device: str | None = None) -> dict[str, Any]:
        raise NotImplementedError

    async def list_screen_targets(self) -> list[dict[str, Any]]:
        return [{"id": "1", "name": "monitor 1 (1920×1080)"}]

    async def set_screen_share(
        self, on: bool, target: str | None = None, interval_seconds: float | None = None
    ) -> dict[str, Any]:
        self.share = (target, interval_seconds) if on else None
        return await self.get_state()


async def test_without_a_desktop_every_desktop_tool_says_not_available(make_harness) -> None:
    harness = make_harness()
    for name, args in DESKTOP_TOOLS.items():
        response = await harness.result(name, **args)
        assert response["ok"] is False
        assert response["error"]["message"].startswith(f"{name} is not available")


async def test_desktop_tools_drive_the_desktop(make_harness, workspace) -> None:
    desk = Desk()
    assert isinstance(desk, DesktopControl)
    harness = make_harness(registry=builtin_registry(workspace, desk))
    state = await harness.result("desktop_set_microphone", on=True, device="2")
    assert state == {
        "ok": True,
        "result": {"microphone": True, "device": "2", "screen_share": None},
    }
    targets = await harness.result("desktop_list_screen_targets")
    assert targets["result"]["targets"][0]["id"] == "1"
    shared = await harness.result(
        "desktop_set_screen_share", on=True, target="1", interval_seconds=2
    )
    assert shared["ok"] is True
    assert desk.share == ("1", 2.0)
    assert (await harness.result("desktop_get_state"))["result"]["microphone"] is True


async def test_desktop_refusals_reach_the_model(make_harness, workspace) -> None:
    harness = make_harness(registry=builtin_registry(workspace, Desk()))
    speaker = await harness.result("desktop_set_speaker", on=True)
    assert "not available yet" in speaker["error"]["message"]
    gone = await harness.result("desktop_set_microphone", on=True, device="gone")
    assert "/mic devices" in gone["error"]["message"]
    no_on = await harness.result("desktop_set_microphone")
    assert "'on' is required" in no_on["error"]["message"]
    fast = await harness.result("desktop_set_screen_share", on=True, interval_seconds=0.01)
    assert "at least 0.2" in fast["error"]["message"]


def test_desktop_tools_are_off_by_default(workspace) -> None:
    registry = builtin_registry(workspace)
    assert not registry.default_enabled() & set(DESKTOP_TOOLS)
    assert set(DESKTOP_TOOLS) <= set(registry.names())
