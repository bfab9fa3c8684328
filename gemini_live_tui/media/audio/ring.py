"""Sample ring: hands audio between a PortAudio callback and a Python thread without locks.

Device callbacks run on PortAudio's thread and must never wait, so every
hand-over between a callback and the rest of the program goes through a
single-producer, single-consumer ring over a preallocated numpy buffer.

Guarantees (CPython, one producer thread, one consumer thread):

- The producer only advances the write index, the consumer only advances the
  read index; both are plain ``int`` attributes, stored after the samples are
  copied, so a reader never sees a half-written block.
- ``write`` never blocks and never allocates: when the ring is full, the
  samples that do not fit are dropped (the newest ones) and counted in
  ``dropped``. Dropping the oldest would need the producer to move the read
  index, which would break the single-writer rule.
- ``write_bytes`` / ``read_into_bytes`` do the same on raw interleaved
  frames (any object with the buffer protocol, e.g. the cffi buffers of
  sounddevice's raw streams) through memoryview slices: no numpy call, no
  allocation, so a device callback stays cheap.
- ``request_flush`` may be called by the producer side: the consumer discards
  everything written before the request at its next ``read_into``, so a flush
  takes effect within one callback period without the producer touching the
  read index.
"""

from __future__ import annotations

import numpy as np


class SampleRing:
    """A bounded lock-free SPSC ring of ``(frames, channels)`` samples."""

    def __init__(self, capacity: int, channels: int = 1, dtype: type = np.float32) -> None:
        if capacity <= 0 or channels <= 0:
            raise ValueError("capacity and channels must be positive")
        self.capacity = capacity
        self.channels = channels
        self._buf: np.ndarray = np.zeros((capacity, channels), dtype=dtype)
        self._w = 0  # total frames ever written (producer-owned)
        self._r = 0  # total frames ever read or discarded (consumer-owned)
        self._flush_to = 0  # producer's request: discard everything before this index
        self.dropped = 0  # frames the producer could not store (ring full)
        self.frame_bytes = channels * self._buf.itemsize
        self._bytes = self._buf.reshape(-1).data.cast("B")

    # -- both sides -----------------------------------------------------------
    @property
    def available(self) -> int:
        """Frames written and not yet read (a pending flush is not applied here)."""
        return self._w - max(self._r, self._flush_to)

    @property
    def free(self) -> int:
        return self.capacity - (self._w - self._r)

    @property
    def written(self) -> int:
        """Frames ever stored, a monotonic position in the stream."""
        return self._w

    @property
    def read_position(self) -> int:
        """Frames ever consumed or discarded, a monotonic position in the stream."""
        return self._r

    # -- producer -------------------------------------------------------------
    def write(self, samples: np.ndarray) -> int:
        """Copy ``samples`` (``(n,)`` for mono or ``(n, channels)``) in; return frames stored."""
        n = samples.shape[0]
        free = self.capacity - (self._w - self._r)
        if n > free:
            self.dropped += n - free
            n = free
        if n <= 0:
            return 0
        if samples.ndim == 1:
            samples = samples.reshape(-1, 1)
        start = self._w % self.capacity
        first = min(n, self.capacity - start)
        self._buf[start : start + first] = samples[:first]
        if n > first:
            self._buf[: n - first] = samples[first:n]
        self._w += n
        return n

    def write_bytes(self, data: object) -> int:
        """Copy raw interleaved frames of this ring's dtype in; return frames stored."""
        src = memoryview(data).cast("B")  # type: ignore[arg-type]
        fb = self.frame_bytes
        n = len(src) // fb
        free = self.capacity - (self._w - self._r)
        if n > free:
            self.dropped += n - free
            n = free
        if n <= 0:
            return 0
        start = self._w % self.capacity
        first = min(n, self.capacity - start)
        self._bytes[start * fb : (start + first) * fb] = src[: first * fb]
        if n > first:
            self._bytes[: (n - first) * fb] = src[first * fb : n * fb]
        self._w += n
        return n

    def request_flush(self) -> None:
        """Ask the consumer to discard everything written so far."""
        self._flush_to = self._w

    # -- consumer -------------------------------------------------------------
    def read_into(self, out: np.ndarray) -> int:
        """Copy up to ``len(out)`` frames into ``out``; return how many were copied.

        ``out`` is ``(n,)`` for a mono ring or ``(n, channels)``. Frames past the
        returned count are left untouched.
        """
        self.apply_flush()
        n = min(out.shape[0], self._w - self._r)
        if n <= 0:
            return 0
        if out.ndim == 1:
            out = out.reshape(-1, 1)
        start = self._r % self.capacity
        first = min(n, self.capacity - start)
        out[:first] = self._buf[start : start + first]
        if n > first:
            out[first:n] = self._buf[: n - first]
        self._r += n
        return n

    def read_into_bytes(self, out: object, frames: int) -> int:
        """Copy up to ``frames`` raw frames into the writable buffer ``out``; return the count."""
        self.apply_flush()
        n = min(frames, self._w - self._r)
        if n <= 0:
            return 0
        dst = memoryview(out).cast("B")  # type: ignore[arg-type]
        fb = self.frame_bytes
        start = self._r % self.capacity
        first = min(n, self.capacity - start)
        dst[: first * fb] = self._bytes[start * fb : (start + first) * fb]
        if n > first:
            dst[first * fb : n * fb] = self._bytes[: (n - first) * fb]
        self._r += n
        return n

    def recent(self, start: int, end: int) -> np.ndarray:
        """A copy of stream positions ``[start, end)`` already read (for meters, off the callback).

        Only the last ``capacity`` frames written are still there; older ones
        come back as whatever overwrote them.
        """
        end = min(end, self._w)
        start = max(start, end - self.capacity, 0)
        if end <= start:
            return np.zeros((0, self.channels), dtype=self._buf.dtype)
        idx = np.arange(start, end) % self.capacity
        return self._buf[idx]

    def discard(self) -> int:
        """Drop everything currently readable; return how many frames were dropped."""
        n = self._w - self._r
        self._r += n
        return n

    def apply_flush(self) -> None:
        target = self._flush_to
        if target > self._r:
            self._r = target
