"""The simulator as the tests use it: its key, sessions on it, and frame validation.

The fixtures in tests/conftest.py (`sim`, `start_sim`, `make_session`,
`make_app`) are built from these; a test that cannot use a fixture (a
snapshot app that starts its own simulator, a soak against the simulator's
own process) calls them directly, so every session on a simulator is made
one way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from schema_check import validate_client_frame, validate_vertex_frame

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession, SessionSettings
from gemini_live_tui.live.transport import Credential, Endpoint
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.simulator.personas import VERTEX

#: The API key every test simulator takes (long enough to tell from other strings).
SIM_KEY = "test-key-0123456789"
MODEL = "models/gemini-3.1-flash-live-preview"


def session_on(
    base_url: str,
    setup: Setup | None = None,
    *,
    key: str = SIM_KEY,
    credential: Credential | None = None,
    settings: SessionSettings | None = None,
) -> LiveSession:
    """A session (not started) to the simulator at `base_url`, with the Gemini API key `key`
    (or `credential`); by default a TEXT setup on the 3.1 Flash Live model."""
    endpoint = Endpoint.create(credential or Credential("api_key", key), base_url=base_url)
    setup = setup or Setup(model=MODEL, response_modalities=("TEXT",))
    return LiveSession(endpoint, setup, settings)


def session_factory(
    base_url: str, *, key: str = SIM_KEY, settings: SessionSettings | None = None
) -> Callable[[Setup], Awaitable[LiveSession]]:
    """The app's `session_factory`: each (re)built setup gets a session on the simulator."""

    async def factory(setup: Setup) -> LiveSession:
        return session_on(base_url, setup, key=key, settings=settings)

    return factory


def assert_frames_valid(simulator: LiveSimulator) -> None:
    """Fail with every distinct invalid client frame the simulator received, checked
    against google-genai's `LiveClientMessage` (unknown fields forbidden); for a Vertex
    persona also every field google-genai's Vertex converter refuses."""
    vertex = simulator.persona is not None and simulator.persona.backend == VERTEX
    validate = validate_vertex_frame if vertex else validate_client_frame
    problems: dict[str, str] = {}
    for received in simulator.received:
        try:
            validate(received.message)
        except Exception as error:  # pydantic's ValidationError
            shape = _shape(received.message)
            problems.setdefault(shape, f"{shape}: {error}")
    if problems:
        pytest.fail(
            "the client sent frames that google-genai's LiveClientMessage rejects:\n"
            + "\n".join(problems.values()),
            pytrace=False,
        )


def _shape(message: Any) -> str:
    """A message with its values elided, to report each kind of bad frame once."""
    if isinstance(message, dict):
        return "{" + ", ".join(f"{k}: {_shape(v)}" for k, v in message.items()) + "}"
    if isinstance(message, list):
        return "[" + ", ".join(sorted({_shape(v) for v in message})) + "]"
    return type(message).__name__
