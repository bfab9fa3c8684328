"""What the runner tells the conversation: one small value per thing that happened.

The TUI prints each report as a line (`describe(report)` gives the text);
nothing here knows about widgets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Decision = Literal["once", "deny", "always"]


def short_args(args: dict[str, Any], limit: int = 60) -> str:
    """`seconds=30, label='tea'`, cut to `limit` characters."""
    text = ", ".join(f"{key}={value!r}" for key, value in args.items())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class ToolCallStarted:
    """The model called a tool."""

    call_id: str
    name: str
    args: str


@dataclass(frozen=True, slots=True)
class ToolCallBackgrounded:
    """The call took longer than the answer delay; the model was told it continues."""

    call_id: str
    name: str
    args: str


@dataclass(frozen=True, slots=True)
class ToolCallFinished:
    """The call ended and its result (or error) was sent to the model."""

    call_id: str
    name: str
    args: str
    ok: bool
    summary: str
    seconds: float


@dataclass(frozen=True, slots=True)
class ToolCallCancelled:
    """The server cancelled the call; its work was stopped and nothing was sent."""

    call_id: str
    name: str
    args: str


@dataclass(frozen=True, slots=True)
class ToolConfirmation:
    """The user answered a confirmation (or a remembered 'always' applied)."""

    call_id: str
    name: str
    argv: tuple[str, ...]
    decision: Decision
    remembered: bool = False


@dataclass(frozen=True, slots=True)
class ToolResponseNotSent:
    """A response could not be sent: the session is closed for good."""

    call_id: str
    name: str
    reason: str


ToolReport = (
    ToolCallStarted
    | ToolCallBackgrounded
    | ToolCallFinished
    | ToolCallCancelled
    | ToolConfirmation
    | ToolResponseNotSent
)


def describe(report: ToolReport) -> str:
    """One conversation line for a report, e.g. `set_timer(seconds=30) → ok: fired`."""
    match report:
        case ToolCallStarted(name=name, args=args):
            return f"{name}({args}) …"
        case ToolCallBackgrounded(name=name, args=args):
            return f"{name}({args}) continues in the background"
        case ToolCallFinished(name=name, args=args, ok=True, summary=summary):
            return f"{name}({args}) → ok" + (f": {summary}" if summary else "")
        case ToolCallFinished(name=name, args=args, summary=summary):
            return f"{name}({args}) → error: {summary}"
        case ToolCallCancelled(name=name, args=args):
            return f"{name}({args}) cancelled by the server"
        case ToolConfirmation(name=name, argv=argv, decision=decision, remembered=remembered):
            verdict = {
                "once": "allowed once",
                "deny": "denied",
                "always": "allowed for this session",
            }[decision]
            how = " (remembered)" if remembered else " by you"
            return f"{name} {list(argv)!r} {verdict}{how}"
        case ToolResponseNotSent(name=name, reason=reason):
            return f"{name}: result not sent ({reason})"
    raise TypeError(f"not a tool report: {report!r}")
