"""`set_timer`: the model can set a timer that fires later in the conversation.

The executor simply sleeps; the runner answers "continuing in the
background" after ~300 ms and delivers "fired" when the sleep ends, so the
model can tell the user. Cancelling the call cancels the sleep.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from .arguments import get_number, get_str
from .errors import ToolError
from .registry import CallContext, ToolSpec

MAX_SECONDS = 24 * 3600.0

DECLARATION = {
    "name": "set_timer",
    "description": (
        "Set a timer. The call returns when the timer fires, so tell the user the timer is set "
        "and keep talking; you will get the result when it rings. Give the duration in "
        "seconds, minutes and/or hours (they add up), at most 24 hours."
    ),
    "parameters": {
        "type": "OBJECT",
        "properties": {
            "seconds": {"type": "NUMBER", "description": "Seconds.", "minimum": 0},
            "minutes": {"type": "NUMBER", "description": "Minutes.", "minimum": 0},
            "hours": {"type": "NUMBER", "description": "Hours.", "minimum": 0},
            "label": {"type": "STRING", "description": "What the timer is for, e.g. 'tea'."},
        },
    },
}


def _duration(args: dict[str, Any]) -> float:
    total = (
        get_number(args, "seconds", 0, minimum=0)
        + 60 * get_number(args, "minutes", 0, minimum=0)
        + 3600 * get_number(args, "hours", 0, minimum=0)
    )
    if total <= 0:
        raise ToolError("the timer needs a duration: give seconds, minutes or hours above 0")
    if total > MAX_SECONDS:
        raise ToolError(f"timers last at most 24 hours; {total / 3600:g} hours were asked")
    return total


async def set_timer(args: dict[str, Any], context: CallContext) -> dict[str, Any]:
    """Sleep for the duration, then report that the timer fired."""
    duration = _duration(args)
    label = get_str(args, "label", "")
    await asyncio.sleep(duration)
    return {
        "fired": True,
        "label": label,
        "duration_seconds": duration,
        "fired_at": time.strftime("%H:%M:%S"),
    }


def _summary(result: dict[str, Any]) -> str:
    label = f" {result['label']!r}" if result.get("label") else ""
    return f"timer{label} fired after {result['duration_seconds']:g} s"


SPEC = ToolSpec(
    name="set_timer",
    summary="set a timer that fires later (runs in the background)",
    default_enabled=True,
    declaration=DECLARATION,
    execute=set_timer,
    summarize=_summary,
)
