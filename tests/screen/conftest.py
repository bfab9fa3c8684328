"""Fixtures for screen-sharing tests: a real Xvfb display and a painter.

They live in tests/xvfb_support.py, shared with the integration tests;
importing them here makes them available to this folder.
"""

from xvfb_support import painter, short_lived_xvfb, windows, xvfb

__all__ = ["painter", "short_lived_xvfb", "windows", "xvfb"]
