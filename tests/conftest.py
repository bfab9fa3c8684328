"""Suite-wide settings: hypothesis profiles.

The normal run uses a few hundred examples per property; the nightly-style
run (`GEMINI_LIVE_FUZZ=nightly uv run pytest -k "hypothesis or fuzz or property"`,
or any run with that variable) uses 10,000 per property for the input
parser, the slash-command parser and the server-message decoder.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "nightly", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("GEMINI_LIVE_FUZZ", "default"))
