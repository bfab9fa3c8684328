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
caller then uses `await ws.send(...)` as before. The undocumented parts
of websockets' `Connection` it needs are in `compat.py` (`ws_writable_now`,
`ws_write_text`); a release that renames them turns this into "always use
`ws.send`" rather than a crash.
tests/core/test_send_path.py asserts the direct path is still taken with the
pinned version.
"""

from __future__ import annotations

from websockets.asyncio.connection import Connection

from .. import compat

SUPPORTED = compat.DIRECT_WRITE


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
    if not SUPPORTED or not compat.ws_writable_now(ws):
        return False
    compat.ws_write_text(ws, frame)
    return True
