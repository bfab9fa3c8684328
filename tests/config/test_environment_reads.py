"""The environment is read in one module: no other module of the app touches
`os.environ` or `os.getenv`, except where a library or a child process needs the
process's own environment (listed here, each with its reason)."""

from __future__ import annotations

import ast
from pathlib import Path

import gemini_live_tui

PACKAGE = Path(gemini_live_tui.__file__).parent

#: module -> why it may read the process environment itself
PLUMBING = {
    "environment.py": "the one read, at start",
    "media/screen_targets.py": "DISPLAY / WAYLAND_DISPLAY: the X display mss and Xlib open",
    "tools/command.py": "the environment a tool's command inherits, secrets removed",
    "selfupdate.py": "the environment `uv tool install` inherits",
}


def environment_reads(path: Path) -> list[int]:
    """Lines where `path` reads os.environ / os.getenv / os.putenv, or imports them."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv"):
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            if any(a.name in ("environ", "getenv", "putenv") for a in node.names):
                lines.append(node.lineno)
    return lines


def test_only_the_environment_module_and_listed_plumbing_read_the_environment() -> None:
    readers = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := environment_reads(path))
    }
    assert set(readers) <= set(PLUMBING), {k: v for k, v in readers.items() if k not in PLUMBING}
    assert "environment.py" in readers
