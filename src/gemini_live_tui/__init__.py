"""gemini-live: a terminal client for the Gemini Multimodal Live API."""

__version__ = "0.1.0"
