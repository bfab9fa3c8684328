"""Check client frames against the official google-genai pydantic models.

Test-only (google-genai is a dev dependency, imported lazily). Its models
forbid unknown fields, so a misspelt field fails loudly. One known gap:
`LiveClientSetup` has no `realtimeInputConfig`, although the SDK's own
converter (`_live_converters.py`) puts `LiveConnectConfig.realtime_input_config`
exactly there on the wire; that part is checked against
`types.RealtimeInputConfig` on its own.
"""

from __future__ import annotations

import copy
from typing import Any


def validate_client_frame(wire: dict[str, Any]) -> None:
    """Raise pydantic's ValidationError if `wire` is not a valid client message."""
    from google.genai import types

    wire = copy.deepcopy(wire)
    setup = wire.get("setup")
    if isinstance(setup, dict) and "realtimeInputConfig" in setup:
        types.RealtimeInputConfig.model_validate(setup.pop("realtimeInputConfig"))
    types.LiveClientMessage.model_validate(wire)
