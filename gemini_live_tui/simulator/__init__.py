"""A Live API simulator on loopback: used by `--demo`, `gemini-live simulate` and the tests."""

from .server import LiveSimulator

__all__ = ["LiveSimulator"]
