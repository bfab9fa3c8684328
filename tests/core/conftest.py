"""The live layer's simulators send spoken replies quickly (audio at 50 times real time).

`sim`, `start_sim` and `make_session` are the suite's (tests/conftest.py);
every frame a test's client sent is validated at teardown against the
official google-genai `LiveClientMessage` model, which forbids unknown
fields: a typo in a field name fails the test that produced it.
"""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def sim_options() -> dict[str, Any]:
    return {"audio_speed": 50.0}
