"""Logging to a file in the user's state folder, never to the terminal, secrets masked.

While the TUI runs the terminal belongs to Textual, so log records (and
tracebacks) go to `STATE_DIR/gemini-live.log` (0600, rotated). Every secret
the app knows of (the API key, tokens) is registered with `register_secret`
and replaced by a mask in every record, including formatted tracebacks.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from .config import ensure_private_dir, state_dir

LOG_NAME = "gemini-live.log"
_secrets: set[str] = set()


def register_secret(secret: str) -> None:
    """Mask this string wherever it would appear in a log record."""
    if secret and len(secret) >= 6:
        _secrets.add(secret)


def mask(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "****")
    return text


class SecretMaskingFormatter(logging.Formatter):
    """Formats as usual, then masks every registered secret (message and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


def setup_file_logging(level: int = logging.INFO) -> Path:
    """Send all records to the log file; returns its path."""
    folder = state_dir()
    ensure_private_dir(folder)
    path = folder / LOG_NAME
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=2_000_000, backupCount=2, encoding="utf-8"
    )
    handler.setFormatter(SecretMaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("websockets").setLevel(logging.WARNING)
    if path.exists():
        os.chmod(path, 0o600)
    return path
