"""`/save`: the conversation so far as Markdown.

Every settled and live line goes in (transcriptions included), one list item
per line with the role in bold, so the file reads well as plain text and
renders cleanly.

`/save` never replaces something the app did not create: a FIFO, a device
or a folder is refused; a symlink is written through (its target gets the
text, the link stays); an existing file is replaced only with `--force`,
and keeps its mode. A new file is 0600. The write is atomic: a temp file
beside the target, then a rename (a new file is linked in, so a file that
appeared meanwhile is not replaced either).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from ..config import atomic_write
from .lines import Line


def transcript_markdown(lines: Iterable[Line], title: str = "gemini-live conversation") -> str:
    """The lines as a Markdown document."""
    out = [f"# {title}", ""]
    for line in lines:
        text = line.display_text.replace("\n", "  \n  ")
        suffix = " *(streaming)*" if line.live else ""
        out.append(f"- **{line.role}**: {text}{suffix}")
    out.append("")
    return "\n".join(out)


def default_transcript_path(now: datetime | None = None, folder: Path | None = None) -> Path:
    """`gemini-live-YYYYmmdd-HHMMSS.md` in `folder` (default: the current folder)."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return (folder or Path.cwd()) / f"gemini-live-{stamp}.md"


class SaveRefused(Exception):
    """The target is not ours to replace; the message says why and what to do."""


def save_transcript(lines: Iterable[Line], path: Path, force: bool = False) -> Path:
    """Write the transcript; returns the absolute path written.

    Raises `SaveRefused` for a target that is not a regular file, or an
    existing file without `force`.
    """
    path = path.expanduser().absolute()
    if path.is_dir():
        path = default_transcript_path(folder=path)
    target = Path(os.path.realpath(path))  # through symlinks: the link stays a link
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise SaveRefused(f"{path} is {_kind(info.st_mode)}, not a regular file — not replaced")
        if not force:
            raise SaveRefused(f"{path} exists — /save --force {path} replaces it")
    _write_atomic(target, transcript_markdown(lines), info)
    return path


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _write_atomic(path: Path, text: str, existing: os.stat_result | None) -> None:
    """Renamed over the existing regular file (keeping its mode and owner) or,
    for a new file (0600), linked in so that a file that appeared meanwhile is
    not replaced. The folder is left as it is (unlike config files, a
    transcript goes wherever the user asked)."""
    try:
        atomic_write(path, text, keep=existing, new=existing is None)
    except FileExistsError:
        raise SaveRefused(f"{path} appeared while saving — not replaced") from None
