"""Check client frames against the official google-genai pydantic models.

Test-only (google-genai is a dev dependency, imported lazily). Its models
forbid unknown fields, so a misspelt field fails loudly. One known gap:
`LiveClientSetup` has no `realtimeInputConfig`, although the SDK's own
converter (`_live_converters.py`) puts `LiveConnectConfig.realtime_input_config`
exactly there on the wire; that part is checked against
`types.RealtimeInputConfig` on its own.

`validate_vertex_frame` also runs the SDK's own Vertex converter
(`_live_converters._LiveClientMessage_to_vertex`), which raises on fields
Vertex AI does not take (`willContinue`, `audioStreamEnd`, setup `labels`…).
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


def validate_vertex_frame(wire: dict[str, Any]) -> None:
    """Raise if `wire` is not a valid client message, or carries a field Vertex AI refuses."""
    from google.auth.credentials import AnonymousCredentials
    from google.genai import _live_converters, types
    from google.genai._api_client import BaseApiClient

    validate_client_frame(wire)
    wire = copy.deepcopy(wire)
    if isinstance(wire.get("setup"), dict):
        wire["setup"].pop("realtimeInputConfig", None)  # not in LiveClientSetup (see above)
    message = types.LiveClientMessage.model_validate(wire)
    client = BaseApiClient(
        vertexai=True, project="p", location="us-central1", credentials=AnonymousCredentials()
    )
    _live_converters._LiveClientMessage_to_vertex(client, message)  # raises ValueError
