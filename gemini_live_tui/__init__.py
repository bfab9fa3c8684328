"""gemini-live: a terminal client for the Gemini Multimodal Live API."""

from importlib.metadata import PackageNotFoundError, version

try:  # one place for the version: pyproject.toml, as installed
    __version__ = version("gemini-live-tui")
except PackageNotFoundError:  # a source tree on sys.path that was never installed
    __version__ = "0+unknown"
