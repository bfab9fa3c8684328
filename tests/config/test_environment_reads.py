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
    "media/screen/targets.py": "DISPLAY / WAYLAND_DISPLAY: the X display mss and Xlib open",
    "tools/command.py": "the environment a tool's command inherits, secrets removed",
    "selfupdate.py": "the environment `uv tool install` inherits",
}


def environment_reads(path: Path) -> list[int]:
    """Lines where `path` reads os.environ / os.getenv / os.putenv, or imports them."""
    names = ("environ", "getenv", "putenv")

    def reads(node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute):
            return node.attr in names
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            return any(alias.name in names for alias in node.names)
        return False

    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [getattr(node, "lineno", 0) for node in ast.walk(tree) if reads(node)]


def test_only_the_environment_module_and_listed_plumbing_read_the_environment() -> None:
    readers = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := environment_reads(path))
    }
    assert set(readers) <= set(PLUMBING), {k: v for k, v in readers.items() if k not in PLUMBING}
    assert "environment.py" in readers
