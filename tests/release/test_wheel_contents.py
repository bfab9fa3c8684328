"""The installed package carries no test-only code: nothing in it needs a dev dependency.

google-genai and pytest are dev dependencies (pyproject.toml); a module of the
package importing them would fail for a user who installed the wheel.
"""

from __future__ import annotations

import ast
from pathlib import Path

import gemini_live_tui

DEV_ONLY = ("google.genai", "pytest", "hypothesis", "psutil")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_of_the_package_imports_a_dev_dependency():
    package = Path(gemini_live_tui.__file__).parent
    offenders = {
        str(path.relative_to(package)): name
        for path in package.rglob("*.py")
        for name in _imports(path)
        if any(name == dev or name.startswith(dev + ".") for dev in DEV_ONLY)
    }
    assert offenders == {}
