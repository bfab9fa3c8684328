"""Logging to a file in the user's state folder, never to the terminal, secrets masked.

While the TUI runs the terminal belongs to Textual, so log records (and
tracebacks) go to `STATE_DIR/gemini-live.log` (rotated; the file and its
backups are 0600 however the umask is set). Every secret
the app knows of is masked in every formatted record, tracebacks included:
the credential variables of the environment at set-up, and whatever else is
registered with `register_secret` (a key read from a key file, a refreshed
Vertex token).
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from .compat import OwnerOnlyFileOpen
from .config import ensure_private_dir, state_dir
from .environment import current_environment

LOG_NAME = "gemini-live.log"
MASK = "***"
SECRET_ENV = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_EPHEMERAL_TOKEN",
    "VERTEX_AI_ACCESS_TOKEN",
)
_secrets: set[str] = set()


def register_secret(secret: str) -> None:
    """Mask this string wherever it would appear in a log record."""
    if secret and len(secret) >= 4:
        _secrets.add(secret)


def register_environment_secrets() -> None:
    """Mask the credential variables of the environment the command read at start."""
    environment = current_environment()
    for name in SECRET_ENV:
        value = environment.get(name) or ""
        register_secret(value)
        register_secret(value.strip())  # as the backend uses it


def mask(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, MASK)
    return text


class SecretMaskingFormatter(logging.Formatter):
    """Formats as usual, then masks every registered secret (message and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class PrivateRotatingFileHandler(OwnerOnlyFileOpen, logging.handlers.RotatingFileHandler):
    """A rotating log whose every file is 0600, the first one and each after a rollover.

    The standard handler opens with `open()`, so the file gets the umask's mode
    (0644 as a rule) on each rollover; a chmod after creating it covered only
    the first file.
    """


def setup_file_logging(level: int = logging.INFO, max_bytes: int = 2_000_000) -> Path:
    """Send all records to the log file (and nowhere else); returns its path."""
    register_environment_secrets()
    folder = state_dir()
    ensure_private_dir(folder)
    path = folder / LOG_NAME
    handler = PrivateRotatingFileHandler(path, maxBytes=max_bytes, backupCount=2, encoding="utf-8")
    handler.setFormatter(SecretMaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("websockets").setLevel(logging.WARNING)
    return path
