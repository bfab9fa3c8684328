"""`/save`: the conversation so far as Markdown.

Every settled and live line goes in (transcriptions included), one list item
per line with the role in bold, so the file reads well as plain text and
renders cleanly. The file is written atomically with mode 0600.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

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


def save_transcript(lines: Iterable[Line], path: Path) -> Path:
    """Write the transcript; returns the absolute path written."""
    path = path.expanduser().absolute()
    if path.is_dir():
        path = default_transcript_path(folder=path)
    _write_atomic(path, transcript_markdown(lines))
    return path


def _write_atomic(path: Path, text: str) -> None:
    """Temp file beside `path`, mode 0600, then rename. The folder is left as it is
    (unlike config files, a transcript goes wherever the user asked)."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
