"""Framing: cuts a sample stream into exact 10 ms frames and groups them into wire chunks.

The echo canceller only takes whole 10 ms frames, while device callbacks and
the resampler deliver blocks of any length; the wire wants 20–40 ms chunks.
``Framer`` carries leftovers from one block to the next so no sample is ever
dropped or duplicated at a block edge; ``Chunker`` collects processed frames
into chunks.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np


class Framer:
    """Yields exact ``frame_samples``-long int16 frames from blocks of any length."""

    def __init__(self, frame_samples: int) -> None:
        self.frame_samples = frame_samples
        self._buf = np.zeros(frame_samples * 64, dtype=np.int16)
        self._fill = 0

    @property
    def pending(self) -> int:
        """Samples waiting for the rest of their frame."""
        return self._fill

    def frames(self, block: np.ndarray) -> Iterator[np.ndarray]:
        """Append ``block`` and yield every whole frame now available.

        Each yielded frame is a view that stays valid only until the next
        iteration; the leftover is kept for the next call.
        """
        need = self._fill + block.shape[0]
        if need > self._buf.shape[0]:
            grown = np.zeros(max(need, self._buf.shape[0] * 2), dtype=np.int16)
            grown[: self._fill] = self._buf[: self._fill]
            self._buf = grown
        self._buf[self._fill : need] = block
        self._fill = need
        n = self.frame_samples
        start = 0
        while self._fill - start >= n:
            yield self._buf[start : start + n]
            start += n
        if start:
            rest = self._fill - start
            self._buf[:rest] = self._buf[start : self._fill]
            self._fill = rest

    def reset(self) -> None:
        self._fill = 0


class Chunker:
    """Collects frames into ``chunk_samples``-long chunks of s16le bytes."""

    def __init__(self, chunk_samples: int) -> None:
        self.chunk_samples = chunk_samples
        self._buf = np.zeros(chunk_samples, dtype="<i2")
        self._fill = 0
        self.position = 0  # index in the stream of the next sample to be added

    @property
    def pending(self) -> int:
        return self._fill

    def add(self, frame: np.ndarray) -> bytes | None:
        """Append one frame; return a full chunk when one completes.

        Frames must divide the chunk length (10 ms frames into 40 ms chunks).
        """
        n = frame.shape[0]
        self._buf[self._fill : self._fill + n] = frame
        self._fill += n
        self.position += n
        if self._fill < self.chunk_samples:
            return None
        self._fill = 0
        return self._buf.tobytes()

    def flush(self) -> bytes | None:
        """Return the partial chunk, if any (used when the microphone stops)."""
        if not self._fill:
            return None
        out = self._buf[: self._fill].tobytes()
        self._fill = 0
        return out
