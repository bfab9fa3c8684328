"""Logging for the running app: to a private file, never to the terminal.

While the TUI owns the terminal, a log line on stderr would tear the
screen, so the root logger gets one rotating file in the state folder
(`gemini-live.log`, mode 0600). Credentials from the environment are masked
in every record, so a key that ends up in an exception message or a URL
never reaches the file.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from ..config import ensure_private_dir, state_dir

SECRET_ENV = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_EPHEMERAL_TOKEN",
    "VERTEX_AI_ACCESS_TOKEN",
)
MASK = "***"


class SecretMask(logging.Filter):
    """Replaces each of `secrets` in a record's final message with ***."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        masked = message
        for secret in self.secrets:
            masked = masked.replace(secret, MASK)
        if record.exc_info and record.exc_text is None:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self.secrets:
                record.exc_text = record.exc_text.replace(secret, MASK)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def log_path() -> Path:
    return state_dir() / "gemini-live.log"


def setup_file_logging(level: int = logging.INFO) -> Path:
    """Send all logging to the private log file (and nowhere else); returns its path."""
    path = log_path()
    ensure_private_dir(path.parent)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=2, encoding="utf-8")
    os.chmod(path, 0o600)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretMask([os.environ.get(name, "") for name in SECRET_ENV]))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("websockets").setLevel(logging.WARNING)
    return path
