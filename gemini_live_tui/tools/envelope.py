"""The one shape every tool result takes on the wire.

The model reads `{"ok": true, "result": ...}` or
`{"ok": false, "error": {"message": ...}}` for every tool, so it never has to
guess whether a call worked, and refusals are never silent.
"""

from __future__ import annotations

from typing import Any

Envelope = dict[str, Any]


def ok(result: Any) -> Envelope:
    """A successful result."""
    return {"ok": True, "result": result}


def error(message: str) -> Envelope:
    """A refusal or failure, with a message the model and the user can act on."""
    return {"ok": False, "error": {"message": message}}


def is_ok(envelope: Envelope) -> bool:
    """Whether an envelope reports success."""
    return envelope.get("ok") is True


def error_message(envelope: Envelope) -> str:
    """The error message of a failed envelope ('' for a successful one)."""
    if is_ok(envelope):
        return ""
    return str(envelope.get("error", {}).get("message", ""))
