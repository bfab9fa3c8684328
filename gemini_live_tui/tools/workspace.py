"""Workspace confinement: file tools may only touch the folder the app started in.

The home folder itself is never the workspace unless the user says so
(`--workspace ~` or `workspace = "~"` in the profile): started there, the
app has no workspace, the file tools are off by default and refuse if
enabled (`for_launch`).

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

HOME_NOTICE = (
    "file tools are off: the app was started in your home folder; start it in a project "
    'folder, or choose one with --workspace DIR (or workspace = "DIR" in the profile)'
)


class Workspace:
    """The folder the file and command tools are confined to (`unset` when there is none)."""

    def __init__(self, root: str | os.PathLike[str] | None, unset: str | None = None) -> None:
        self.unset = unset
        if root is None:
            self._root: Path | None = None
            return
        resolved = Path(root).resolve()
        if not resolved.is_dir():
            raise ToolError(f"workspace {str(root)!r} is not a folder")
        self._root = resolved

    @classmethod
    def for_launch(cls, cwd: Path, home: Path, chosen: str | None = None) -> Workspace:
        """The workspace for a launch in `cwd`: `chosen` (the user's own choice,
        `~` expanded, relative to `cwd`), else `cwd` unless it is the home folder."""
        if chosen:
            folder = Path(chosen).expanduser()
            return cls(folder if folder.is_absolute() else cwd / folder)
        if cwd.resolve() == home.resolve():
            return cls(None, unset=HOME_NOTICE)
        return cls(cwd)

    @property
    def root(self) -> Path:
        if self._root is None:
            raise ToolError(self.unset or "there is no workspace")
        return self._root

    @property
    def is_set(self) -> bool:
        return self._root is not None

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

    def named(self, path: str) -> str:
        """`path` as the model named it, relative to the root without following
        symlinks ('' when it only leads inside through a symlink)."""
        joined = os.path.normpath(self.root / path)
        try:
            return Path(joined).relative_to(self.root).as_posix()
        except ValueError:
            return ""

    def relative(self, path: Path) -> str:
        """How the model should name `path`: relative to the root, '.' for the root itself."""
        return path.relative_to(self.root).as_posix() or "."
