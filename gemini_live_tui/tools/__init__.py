"""Model-callable tools: declarations, executors, workspace confinement and a runner.

The TUI builds `builtin_registry(workspace, desktop)`, puts
`registry.declarations(enabled)` into the setup, and feeds `ToolCall` /
`ToolCallCancellation` events to a `ToolRunner`. Nothing here imports the
TUI or Textual.
"""

from .builtin import builtin_registry
from .desktop import DesktopControl
from .envelope import error, ok
from .errors import ToolError
from .registry import CallContext, ToolRegistry, ToolSpec, supports_non_blocking
from .reports import (
    ToolCallBackgrounded,
    ToolCallCancelled,
    ToolCallFinished,
    ToolCallStarted,
    ToolConfirmation,
    ToolReport,
    ToolResponseNotSent,
    describe,
)
from .runner import ToolRunner
from .search import describe_grounding
from .workspace import Workspace

__all__ = [
    "CallContext",
    "DesktopControl",
    "ToolCallBackgrounded",
    "ToolCallCancelled",
    "ToolCallFinished",
    "ToolCallStarted",
    "ToolConfirmation",
    "ToolError",
    "ToolRegistry",
    "ToolReport",
    "ToolResponseNotSent",
    "ToolRunner",
    "ToolSpec",
    "Workspace",
    "builtin_registry",
    "describe",
    "describe_grounding",
    "error",
    "ok",
    "supports_non_blocking",
]
