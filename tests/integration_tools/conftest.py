"""Fixtures for the tools tests through the real app and the simulator.

- `tools_app(*names)`: the app (from the root `make_app`) on the default model
  with exactly these tools declared in its setup and enabled, as if the
  profile had chosen them.
- `pulse`, `sink`: a private PulseAudio with a null sink (tests/pulse_support.py),
  for the desktop tools that switch the speaker and microphone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from pulse_support import pulse, sink  # noqa: F401 - fixtures

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.models import DEFAULT_MODEL
from gemini_live_tui.tui.app import GeminiLiveApp


@pytest.fixture
def tools_app(make_app: Callable[..., GeminiLiveApp]) -> Callable[..., GeminiLiveApp]:
    def make(*names: str, **options: Any) -> GeminiLiveApp:
        """The default model (gemini-3.8-live: NON_BLOCKING calls) unless `setup` says."""
        # 3.8 Live answers in audio only (a TEXT setup is refused); the transcript is the reply
        options.setdefault("setup", Setup(model=DEFAULT_MODEL, response_modalities=("AUDIO",)))
        app = make_app(tools=frozenset(names), **options)
        registry = app.options.registry
        assert registry is not None
        declared = tuple(registry.declarations(sorted(names)))
        app.base_setup = replace(app.base_setup, tools=declared)
        app.applied = app.staged = replace(app.applied, tools=frozenset(names))
        return app

    return make
