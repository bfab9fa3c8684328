"""Fixtures for the persona tests: the private PulseAudio (tests/pulse_support.py) for spoken turns."""

from pulse_support import pulse, sink  # noqa: F401 - fixtures
