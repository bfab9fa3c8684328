"""The nightly fuzz, as part of the slow set: every property test with 10,000 examples.

The normal run gives each hypothesis property 200 examples. The slow set
(`uv run pytest -m slow`, which CI runs after the normal one) runs the
property tests of the input parser, the slash commands and the
server-message decoder again under the nightly profile
(`GEMINI_LIVE_FUZZ=nightly`, see tests/conftest.py), in a pytest of their
own, since a hypothesis profile holds for a whole run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
PROPERTY_FILES = [
    TESTS / "input" / "test_input_parser.py",
    TESTS / "input" / "test_slash_fuzz.py",
    TESTS / "faults" / "test_decoder_fuzz.py",
    TESTS / "core" / "test_codec.py",
]


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_every_property_holds_for_ten_thousand_examples():
    env = dict(os.environ, GEMINI_LIVE_FUZZ="nightly")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *map(str, PROPERTY_FILES),
            "-q",
            "-n",
            "2",
            "-p",
            "no:cacheprovider",
            "--hypothesis-show-statistics",
        ],
        cwd=TESTS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=1750,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]
