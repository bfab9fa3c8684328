"""Fixtures for the live layer: a simulator on loopback and sessions connected to it.

Every frame a test's client sent is validated at teardown against the
official google-genai `LiveClientMessage` model, which forbids unknown
fields: a typo in a field name fails the test that produced it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from schema_check import validate_client_frame

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession, SessionSettings
from gemini_live_tui.live.transport import Credential, Endpoint
from gemini_live_tui.simulator import LiveSimulator

KEY = "test-key-0123456789"


@pytest.fixture
async def sim() -> AsyncIterator[LiveSimulator]:
    async with LiveSimulator(api_key=KEY, word_delay=0.0, audio_speed=50.0) as simulator:
        yield simulator
    for received in simulator.received:
        validate_client_frame(received.message)


@pytest.fixture
async def start_sim() -> AsyncIterator[Callable[..., Awaitable[LiveSimulator]]]:
    """Start a simulator of a given class (a test's own fault subclass); validated at teardown."""
    started: list[LiveSimulator] = []

    async def start(cls: type[LiveSimulator] = LiveSimulator, **options: Any) -> LiveSimulator:
        options = {"api_key": KEY, "word_delay": 0.0, "audio_speed": 50.0} | options
        simulator = await cls(**options).start()
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        await simulator.stop()
    for simulator in started:
        for received in simulator.received:
            validate_client_frame(received.message)


@pytest.fixture
async def make_session(sim: LiveSimulator) -> AsyncIterator[Callable[..., LiveSession]]:
    """`make_session(server=, credential=, endpoint=, key=KEY, settings=, **setup)`."""
    sessions: list[LiveSession] = []

    def make(
        *,
        key: str = KEY,
        modalities: tuple[str, ...] = ("TEXT",),
        settings: SessionSettings | None = None,
        server: LiveSimulator | None = None,
        credential: Credential | None = None,
        endpoint: Endpoint | None = None,
        **setup: object,
    ) -> LiveSession:
        endpoint = endpoint or Endpoint.create(
            credential or Credential("api_key", key), base_url=(server or sim).base_url
        )
        session = LiveSession(
            endpoint,
            Setup(
                model="models/gemini-3.1-flash-live-preview",
                response_modalities=modalities,
                **setup,
            ),  # type: ignore[arg-type]
            settings or SessionSettings(backoff_base=0.01, backoff_cap=0.05),
        )
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        await session.close()
