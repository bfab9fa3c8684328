"""The built-in tools, assembled into the registry the app uses.

One function so the TUI does not need to know the list: it passes the
workspace (the folder the app started in) and, once it has one, its
`DesktopControl`.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from . import search, timer
from .command import run_command_spec
from .desktop import DesktopControl, desktop_specs
from .files import list_files_spec, read_file_spec
from .registry import ToolRegistry
from .workspace import Workspace


def builtin_registry(
    workspace: Workspace | str | os.PathLike[str] | None = None,
    desktop: DesktopControl | None = None,
) -> ToolRegistry:
    """Every built-in tool; file and command tools confined to `workspace` (default: cwd).

    Without a workspace (started in the home folder) the file tools are off by default.
    """
    if not isinstance(workspace, Workspace):
        workspace = Workspace(Path.cwd() if workspace is None else workspace)
    file_tools = [list_files_spec(workspace), read_file_spec(workspace)]
    if not workspace.is_set:
        file_tools = [replace(spec, default_enabled=False) for spec in file_tools]
    return ToolRegistry(
        [
            search.SPEC,
            timer.SPEC,
            *file_tools,
            run_command_spec(workspace),
            *desktop_specs(desktop),
        ]
    )
