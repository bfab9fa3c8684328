"""Desktop tools: the model can query and switch mic, speaker and screen sharing.

They go through the same code paths as the slash commands: the TUI
implements `DesktopControl` with the functions behind /mic, /speak and
/share-screen and hands it to `desktop_specs`. Until it does (or for a part
it has not wired yet, signalled by `NotImplementedError`), a call gets a
clear "not available" error instead of silence. Off by default: turning on
the microphone or sharing the screen is the user's choice to delegate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

from .arguments import get_bool, get_number, get_str
from .errors import ToolError
from .registry import CallContext, ToolSpec


@runtime_checkable
class DesktopControl(Protocol):
    """What the TUI offers the desktop tools. Each method may raise `ToolError` or
    `MediaError` with a message for the user, or `NotImplementedError` if not wired yet."""

    async def get_state(self) -> dict[str, Any]:
        """Mic, speaker and screen sharing state (on/off, device, target)."""
        ...

    async def set_microphone(self, on: bool, device: str | None = None) -> dict[str, Any]:
        """Turn the mic on or off, optionally choosing the input device."""
        ...

    async def set_speaker(self, on: bool, device: str | None = None) -> dict[str, Any]:
        """Turn spoken replies on or off, optionally choosing the output device."""
        ...

    async def list_screen_targets(self) -> list[dict[str, Any]]:
        """Monitors and windows that can be shared, each with an `id` and a `name`."""
        ...

    async def set_screen_share(
        self, on: bool, target: str | None = None, interval_seconds: float | None = None
    ) -> dict[str, Any]:
        """Start or stop sharing a screen target every `interval_seconds`."""
        ...


_ON = {"type": "BOOLEAN", "description": "true to turn it on, false to turn it off."}
_DEVICE = {"type": "STRING", "description": "Device name or index; omit for the current one."}


def _declaration(
    name: str,
    description: str,
    properties: dict[str, Any] | None = None,
    required: list[str] | None = None,
) -> dict[str, Any]:
    declaration: dict[str, Any] = {"name": name, "description": description}
    if properties:
        declaration["parameters"] = {"type": "OBJECT", "properties": properties}
        if required:
            declaration["parameters"]["required"] = required
    return declaration


DECLARATIONS = {
    "desktop_get_state": _declaration(
        "desktop_get_state",
        "Get the state of the user's microphone, speaker and screen sharing.",
    ),
    "desktop_set_microphone": _declaration(
        "desktop_set_microphone",
        "Turn the user's microphone on or off (and optionally pick the input device).",
        {"on": _ON, "device": _DEVICE},
        ["on"],
    ),
    "desktop_set_speaker": _declaration(
        "desktop_set_speaker",
        "Turn spoken replies on the user's speaker on or off (and optionally pick the device).",
        {"on": _ON, "device": _DEVICE},
        ["on"],
    ),
    "desktop_list_screen_targets": _declaration(
        "desktop_list_screen_targets",
        "List the monitors and windows the user could share with you.",
    ),
    "desktop_set_screen_share": _declaration(
        "desktop_set_screen_share",
        "Start or stop sharing the user's screen (a monitor or window from "
        "desktop_list_screen_targets) with you.",
        {
            "on": _ON,
            "target": {"type": "STRING", "description": "Target id; omit for the main monitor."},
            "interval_seconds": {
                "type": "NUMBER",
                "description": "Seconds between frames (0.2 to 10).",
                "minimum": 0.2,
                "maximum": 10,
            },
        },
        ["on"],
    ),
}

SUMMARIES = {
    "desktop_get_state": "tell the model the mic, speaker and screen-sharing state",
    "desktop_set_microphone": "let the model switch the microphone",
    "desktop_set_speaker": "let the model switch spoken replies",
    "desktop_list_screen_targets": "let the model list monitors and windows",
    "desktop_set_screen_share": "let the model start or stop screen sharing",
}

Action = Callable[[DesktopControl, dict[str, Any]], Awaitable[Any]]


async def _get_state(desktop: DesktopControl, args: dict[str, Any]) -> Any:
    return await desktop.get_state()


async def _set_microphone(desktop: DesktopControl, args: dict[str, Any]) -> Any:
    return await desktop.set_microphone(get_bool(args, "on"), get_str(args, "device", None))


async def _set_speaker(desktop: DesktopControl, args: dict[str, Any]) -> Any:
    return await desktop.set_speaker(get_bool(args, "on"), get_str(args, "device", None))


async def _list_screen_targets(desktop: DesktopControl, args: dict[str, Any]) -> Any:
    return {"targets": await desktop.list_screen_targets()}


async def _set_screen_share(desktop: DesktopControl, args: dict[str, Any]) -> Any:
    interval = args.get("interval_seconds")
    return await desktop.set_screen_share(
        get_bool(args, "on"),
        get_str(args, "target", None),
        None
        if interval is None
        else get_number(args, "interval_seconds", 1, minimum=0.2, maximum=10),
    )


ACTIONS: dict[str, Action] = {
    "desktop_get_state": _get_state,
    "desktop_set_microphone": _set_microphone,
    "desktop_set_speaker": _set_speaker,
    "desktop_list_screen_targets": _list_screen_targets,
    "desktop_set_screen_share": _set_screen_share,
}


def _executor(name: str, action: Action, desktop: DesktopControl | None):
    async def execute(args: dict[str, Any], context: CallContext) -> Any:
        if desktop is None:
            raise ToolError(
                f"{name} is not available: this session has no desktop control "
                "(mic, speaker and screen sharing are handled by the terminal app)"
            )
        try:
            return await action(desktop, args)
        except NotImplementedError as exc:
            raise ToolError(f"{name} is not available yet in this version of the app") from exc

    return execute


def desktop_specs(desktop: DesktopControl | None) -> list[ToolSpec]:
    """The five desktop tools, calling `desktop` (None: each answers "not available")."""
    return [
        ToolSpec(
            name=name,
            summary=SUMMARIES[name],
            default_enabled=False,
            declaration=DECLARATIONS[name],
            execute=_executor(name, action, desktop),
        )
        for name, action in ACTIONS.items()
    ]
