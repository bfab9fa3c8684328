"""Stream a decoded audio file to the model as if a microphone were playing it.

The server's voice activity detection expects audio at real time: a whole
file sent at once is heard as a burst and turn-taking goes wrong. So the file
goes out in 40 ms chunks, each one when a microphone would have finished
capturing it. The schedule is absolute — chunk *k* is due at
``start + end_of_chunk_k / rate`` on a monotonic clock — so a late wake-up
delays one chunk, never the rest: no drift accumulates. After the last chunk
comes ``audioStreamEnd`` so the server closes the turn without waiting for
silence.

Cancelling the task stops the stream; ``audioStreamEnd`` is still sent (best
effort, bounded wait) so the server does not keep listening to a dead stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

__all__ = ["STREAM_END_TIMEOUT_S", "ProgressCallback", "stream_pcm"]

ProgressCallback = Callable[[float, float], None]
"""Called after each chunk with (seconds sent, total seconds)."""

#: How long a cancelled stream waits for its ``audioStreamEnd`` to go out.
STREAM_END_TIMEOUT_S = 1.0


async def stream_pcm(
    pcm16k: bytes,
    send_audio: Callable[[bytes, int], Awaitable[object]],
    send_audio_stream_end: Callable[[], Awaitable[object]],
    *,
    rate: int = 16000,
    chunk_ms: int = 40,
    progress: ProgressCallback | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> None:
    """Send ``pcm16k`` (s16le mono at ``rate``) in real time, then ``audioStreamEnd``.

    Every chunk is ``rate * chunk_ms / 1000`` samples (1280 bytes at 16 kHz,
    40 ms) except perhaps the last. ``send_audio(chunk, rate)`` is awaited for
    each, so a slow sender delays the chunks without reordering them.
    Returns when the stream end has been sent; total time is the audio's
    duration (plus send time). ``clock`` and ``sleep`` are injectable for tests.
    """
    if len(pcm16k) % 2:
        raise ValueError("16-bit PCM must have an even number of bytes")
    if chunk_ms <= 0 or rate <= 0:
        raise ValueError("chunk_ms and rate must be positive")
    bytes_per_second = rate * 2
    chunk_bytes = max(2, rate * chunk_ms // 1000 * 2)
    total = len(pcm16k)
    total_s = total / bytes_per_second
    view = memoryview(pcm16k)
    start = clock()
    try:
        for offset in range(0, total, chunk_bytes):
            end = min(offset + chunk_bytes, total)
            delay = start + end / bytes_per_second - clock()
            if delay > 0:
                await sleep(delay)
            await send_audio(bytes(view[offset:end]), rate)
            if progress is not None:
                progress(end / bytes_per_second, total_s)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(send_audio_stream_end(), STREAM_END_TIMEOUT_S)
        raise
    await send_audio_stream_end()
