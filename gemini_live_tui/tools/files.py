"""`list_files` and `read_file`: the model can look at the workspace, and only there.

Paths go through `Workspace.resolve` (symlinks followed, anything outside
the workspace refused). Known credentials (`.ssh`, `.netrc`, `.env`, `*.pem`…)
are never read and other hidden files only after the user allowed it, in the
`run_command` confirmation (see `secret_paths.py`); listings mark both.
`read_file` reads UTF-8 text only,
up to a byte cap and within a line window; binary files are refused. File
I/O runs in a worker thread so a slow disk never stalls the event loop, one
call of each tool at a time: many threads decoding text at once contend for
the GIL and delayed the event loop by ~16 ms (3 ms with the gate; see
docs/design-tools.md).
"""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Any

from .arguments import get_int, get_str
from .errors import ToolError
from .registry import CallContext, ToolSpec
from .secret_paths import Access, access_of, strictest
from .workspace import Workspace

MAX_FILE_BYTES = 256 * 1024
DEFAULT_LINES = 400
MAX_LINES = 2000
MAX_ENTRIES = 500
_BINARY_PROBE = 8192


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


# -- list_files -----------------------------------------------------------

LIST_DECLARATION = {
    "name": "list_files",
    "description": (
        "List the entries of a folder in the user's workspace (the folder the app was started "
        "in). Paths are relative to the workspace; '.' is the workspace itself."
    ),
    "parameters": {
        "type": "OBJECT",
        "properties": {
            "path": {
                "type": "STRING",
                "description": "Folder to list, relative to the workspace. Default '.'.",
            },
        },
    },
}


#: How a listing marks an entry the tools protect (`protected` key).
PROTECTED_NOTE = {
    Access.SECRET: "credential: the file tools never read it",
    Access.ASK: "hidden: reading it asks the user",
}


def _entry(path: Path, relative: str) -> dict[str, Any]:
    entry = _kind(path)
    access = access_of(relative)
    if access is not Access.FREE:
        entry["protected"] = PROTECTED_NOTE[access]
    return entry


def _kind(path: Path) -> dict[str, Any]:
    try:
        info = path.lstat()
    except OSError:
        return {"name": path.name, "type": "unknown"}
    if stat.S_ISLNK(info.st_mode):
        return {"name": path.name, "type": "symlink"}
    if stat.S_ISDIR(info.st_mode):
        return {"name": path.name, "type": "dir"}
    if stat.S_ISREG(info.st_mode):
        return {"name": path.name, "type": "file", "size": info.st_size}
    return {"name": path.name, "type": "other"}


def _access(workspace: Workspace, path: str, resolved: Path) -> Access:
    """The verdict for the path as named and for where it leads (the stricter wins)."""
    return strictest(access_of(workspace.named(path)), access_of(workspace.relative(resolved)))


def _refuse_secret(path: str) -> ToolError:
    return ToolError(
        f"{path!r} holds credentials (keys, tokens or passwords); the file tools never read "
        "them — the user can paste what you need"
    )


async def _allowed(
    workspace: Workspace, tool: str, path: str, context: CallContext
) -> tuple[Path, str]:
    """The resolved path and its name for the model, once the user allowed it if needed."""
    target = await asyncio.to_thread(workspace.resolve, path)
    access = _access(workspace, path, target)
    relative = workspace.relative(target)
    if access is Access.SECRET:
        raise _refuse_secret(path)
    if access is Access.ASK and not await context.confirm((tool, relative)):
        raise ToolError(f"the user did not allow reading the hidden path {path!r}")
    return target, relative


def _list(workspace: Workspace, path: str, folder: Path) -> dict[str, Any]:
    if not folder.exists():
        raise ToolError(f"{path!r} does not exist in the workspace")
    if not folder.is_dir():
        raise ToolError(f"{path!r} is a file, not a folder; use read_file to read it")
    try:
        children = sorted(folder.iterdir(), key=lambda p: p.name)
    except PermissionError as exc:
        raise ToolError(f"{path!r} cannot be listed: permission denied") from exc
    base = workspace.relative(folder)
    entries = [_entry(child, f"{base}/{child.name}") for child in children[:MAX_ENTRIES]]
    return {
        "path": base,
        "entries": entries,
        "truncated": len(children) > MAX_ENTRIES,
    }


def list_files_spec(workspace: Workspace) -> ToolSpec:
    """The `list_files` tool, confined to `workspace`."""
    gate = asyncio.Semaphore(1)

    async def list_files(args: dict[str, Any], context: CallContext) -> dict[str, Any]:
        path = get_str(args, "path", ".")
        folder, _ = await _allowed(workspace, "list_files", path, context)
        async with gate:
            return await asyncio.to_thread(_list, workspace, path, folder)

    return ToolSpec(
        name="list_files",
        summary="list a folder of the workspace",
        default_enabled=True,
        declaration=LIST_DECLARATION,
        execute=list_files,
        summarize=lambda r: f"{len(r['entries'])} entries" + (" (truncated)" * r["truncated"]),
    )


# -- read_file ------------------------------------------------------------

READ_DECLARATION = {
    "name": "read_file",
    "description": (
        "Read a UTF-8 text file of the user's workspace (at most 256 KB), optionally a window "
        "of lines. Binary files are refused."
    ),
    "parameters": {
        "type": "OBJECT",
        "properties": {
            "path": {"type": "STRING", "description": "File path, relative to the workspace."},
            "start_line": {
                "type": "INTEGER",
                "description": "First line to return, counting from 1. Default 1.",
                "minimum": 1,
            },
            "max_lines": {
                "type": "INTEGER",
                "description": f"How many lines to return (default {DEFAULT_LINES}, at most {MAX_LINES}).",
                "minimum": 1,
                "maximum": MAX_LINES,
            },
        },
        "required": ["path"],
    },
}


def _read(
    workspace: Workspace, path: str, target: Path, start_line: int, max_lines: int
) -> dict[str, Any]:
    if not target.exists():
        raise ToolError(f"{path!r} does not exist in the workspace")
    if target.is_dir():
        raise ToolError(f"{path!r} is a folder; use list_files to see what it holds")
    if not target.is_file():
        raise ToolError(f"{path!r} is not a regular file")
    size = target.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ToolError(
            f"{path!r} is {_size(size)}; read_file reads files up to {_size(MAX_FILE_BYTES)}"
        )
    try:
        with target.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except PermissionError as exc:
        raise ToolError(f"{path!r} cannot be read: permission denied") from exc
    if len(raw) > MAX_FILE_BYTES:  # it grew since stat
        raise ToolError(f"{path!r} is over {_size(MAX_FILE_BYTES)}; read_file cannot read it")
    if b"\x00" in raw[:_BINARY_PROBE]:
        raise ToolError(f"{path!r} is a binary file; read_file only reads UTF-8 text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ToolError(
            f"{path!r} is not UTF-8 text (a binary file?); read_file only reads UTF-8 text"
        ) from exc
    lines = text.splitlines(keepends=True)
    window = lines[start_line - 1 : start_line - 1 + max_lines]
    return {
        "path": workspace.relative(target),
        "start_line": start_line,
        "end_line": start_line - 1 + len(window),
        "total_lines": len(lines),
        "text": "".join(window),
        "truncated": start_line - 1 + len(window) < len(lines),
    }


def read_file_spec(workspace: Workspace) -> ToolSpec:
    """The `read_file` tool, confined to `workspace`."""
    gate = asyncio.Semaphore(1)

    async def read_file(args: dict[str, Any], context: CallContext) -> dict[str, Any]:
        path = get_str(args, "path")
        start = get_int(args, "start_line", 1, minimum=1)
        count = get_int(args, "max_lines", DEFAULT_LINES, minimum=1, maximum=MAX_LINES)
        target, _ = await _allowed(workspace, "read_file", path, context)
        async with gate:
            return await asyncio.to_thread(_read, workspace, path, target, start, count)

    return ToolSpec(
        name="read_file",
        summary="read a UTF-8 text file of the workspace",
        default_enabled=True,
        declaration=READ_DECLARATION,
        execute=read_file,
        summarize=lambda r: (
            f"{r['path']} lines {r['start_line']}–{r['end_line']} of {r['total_lines']}"
        ),
    )
