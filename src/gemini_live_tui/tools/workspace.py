"""Workspace confinement: file tools may only touch the folder the app started in.

Every path the model names is joined to the workspace root, resolved with
symlinks followed, and refused if the result is not inside the root. The
check runs before anything is opened, so a refusal does not even reveal
whether the outside file exists.

Limit: a symlink swapped in between the check and the open could still
escape (a race the model cannot stage on its own; noted in docs/design-tools.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ToolError


class Workspace:
    """The folder the file and command tools are confined to."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        resolved = Path(root).resolve()
        if not resolved.is_dir():
            raise ToolError(f"workspace {str(root)!r} is not a folder")
        self.root = resolved

    def resolve(self, path: str) -> Path:
        """The real path inside the workspace for `path`, or a `ToolError` refusing it."""
        if not path:
            raise ToolError("the path is empty; use '.' for the workspace folder")
        if "\x00" in path:
            raise ToolError("the path contains a NUL character")
        try:
            resolved = (self.root / path).resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long
            raise ToolError(f"{path!r} cannot be resolved: {exc}") from exc
        if not resolved.is_relative_to(self.root):
            raise ToolError(
                f"{path!r} is outside the workspace; only paths inside the folder "
                "the app was started in can be used"
            )
        return resolved

    def relative(self, path: Path) -> str:
        """How the model should name `path`: relative to the root, '.' for the root itself."""
        return path.relative_to(self.root).as_posix() or "."
