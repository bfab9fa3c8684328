"""`gemini-live update`: reinstall from the source install.sh used, when it is newer.

install.sh leaves a receipt (`~/.local/share/gemini-live/install-receipt`)
naming the source (a checkout folder, a wheel or a git URL), the uv and the
Python it used. The update reads the source's version where it can (a
folder's pyproject.toml, a wheel's file name) and compares versions as
versions (`packaging.version`: 0.10.0 is newer than 0.9.0), then reinstalls
with `uv tool install --force`. For a source whose version cannot be read
without fetching it (a git URL) it reinstalls and reports the version before
and after.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from . import __version__
from .environment import current_environment


class UpdateError(Exception):
    """The update could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Receipt:
    source: str
    uv: str
    python: str
    install_dir: str


def receipt_path() -> Path:
    data = current_environment().data_home or str(Path.home() / ".local" / "share")
    return Path(data) / "gemini-live" / "install-receipt"


def read_receipt(path: Path | None = None) -> Receipt:
    path = path or receipt_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UpdateError(
            "this installation was not made by install.sh (no receipt at "
            f"{path}); update it the way you installed it, or run install.sh"
        ) from None
    except OSError as error:
        raise UpdateError(f"cannot read the install receipt {path}: {error.strerror}") from None
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    try:
        return Receipt(fields["source"], fields["uv"], fields["python"], fields["install_dir"])
    except KeyError as missing:
        raise UpdateError(
            f"the install receipt {path} lacks {missing}; run install.sh again"
        ) from None


def source_version(source: str) -> Version | None:
    """The version the source would install, when it can be read locally."""
    path = Path(source)
    try:
        if path.is_dir():
            data = tomllib.loads((path / "pyproject.toml").read_text(encoding="utf-8"))
            return Version(data["project"]["version"])
        if path.suffix == ".whl":
            match = re.match(r"[^-]+-([^-]+)-", path.name)
            return Version(match.group(1)) if match else None
    except (OSError, KeyError, tomllib.TOMLDecodeError, InvalidVersion):
        return None
    return None


Runner = Callable[[list[str], dict[str, str]], subprocess.CompletedProcess[str]]


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, check=False)


def update(receipt: Receipt, installed: str = __version__, run: Runner = _run) -> str:
    """Reinstall from the receipt's source when it is newer; returns what was done."""
    current = Version(installed)
    available = source_version(receipt.source)
    if available is not None and available <= current:
        if available == current:
            return f"gemini-live {current} is up to date (source: {receipt.source})"
        return (
            f"the source has {available}, older than the installed {current}: not downgrading "
            f"(source: {receipt.source})"
        )
    env = dict(os.environ, UV_TOOL_BIN_DIR=receipt.install_dir)
    argv = [
        receipt.uv,
        "tool",
        "install",
        "--quiet",
        "--force",
        "--reinstall",
        "--python",
        receipt.python,
        receipt.source,
    ]
    try:
        result = run(argv, env)
    except OSError as error:  # the uv of the receipt was removed or moved
        raise UpdateError(
            f"cannot run {receipt.uv} (recorded by install.sh): {error.strerror or error}; "
            "run install.sh again to reinstall"
        ) from None
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise UpdateError(f"uv tool install failed: {detail[0]}")
    try:
        probe = run([str(Path(receipt.install_dir) / "gemini-live"), "--version"], env)
    except OSError:
        after = "unknown"
    else:
        after = probe.stdout.strip().rsplit(" ", 1)[-1] if probe.returncode == 0 else "unknown"
    return f"updated gemini-live {current} → {after} from {receipt.source}"
