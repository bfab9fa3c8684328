"""Write one text frame now, without websockets' asynchronous send wrapper.

`ClientConnection.send` is a coroutine around websockets' Sans-I/O protocol:
it checks the state in an async context manager, frames the message, writes
it to the transport and awaits `drain`. When the connection is open, no
fragmented message is in progress and the transport is not applying
backpressure, that await never suspends and the wrapper is pure overhead —
about 50 µs of CPU per frame on this VM when the caches are cold, which is
what a 25 Hz microphone stream always sees (docs/performance.md, Core).

`write_text_now` does the same three steps directly — the public Sans-I/O
`protocol.send_text`, then the connection's own `send_data` — and returns
False, writing nothing, whenever `send` could have to wait or fail: the
caller then uses `await ws.send(...)` as before. It relies on five
attributes of websockets' asyncio `Connection` that are not documented API
(`protocol`, `send_data`, `paused`, `send_in_progress`, `transport`); a
release that renames them turns this into "always use `ws.send`" rather
than a crash. tests/core/test_send_path.py
asserts the direct path is still taken with the pinned version.
"""

from __future__ import annotations

from websockets.asyncio.connection import Connection
from websockets.protocol import State

# Checked once: the method the direct path calls. The attributes it reads are
# checked on each call (an AttributeError there means "use ws.send").
SUPPORTED = callable(getattr(Connection, "send_data", None))


def write_text_now(ws: Connection, frame: bytes) -> bool:
    """Write `frame` (UTF-8 JSON) as one text frame if that cannot wait; True if written.

    False means nothing was written: the connection is closing or closed, a
    fragmented send is in progress, or the transport's buffer is over its
    high-water mark. Use `await ws.send(frame, text=True)` then; it waits
    or raises `ConnectionClosed` as usual.

    An error from the transport's write (never seen with asyncio's socket
    and SSL transports, which report failures through `connection_lost`)
    aborts the connection, as `ws.send` would, and propagates: the frame
    may or may not have left.
    """
    if not SUPPORTED:
        return False
    try:
        if (
            ws.protocol.state is not State.OPEN
            or ws.send_in_progress is not None
            or ws.paused
            or ws.transport.is_closing()
        ):
            return False
    except AttributeError:  # a websockets release that moved them: the slow path
        return False
    ws.protocol.send_text(frame)
    try:
        ws.send_data()
    except Exception:
        ws.transport.abort()
        raise
    return True
