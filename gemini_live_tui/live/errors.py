"""Errors of the live layer, one type per failure kind, each with a message a user can act on."""


class LiveError(Exception):
    """Base of every error raised by the live layer."""


class ProtocolError(LiveError):
    """A frame could not be decoded (malformed JSON, wrong shapes) or a message encoded."""


class ConnectError(LiveError):
    """A connection could not be opened, or was refused before it was opened."""


class SessionClosed(LiveError):
    """The session is closed for good; sends are no longer accepted."""
