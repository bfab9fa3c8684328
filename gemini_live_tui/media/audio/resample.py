"""Streaming resampler: moves audio between device rates and the wire's rates.

The Live API takes 16 kHz mono in and sends 24 kHz mono out; devices run at
whatever rate and channel count they like. Converting block by block with
per-block interpolation clicks at every block edge and aliases, so this wraps
``soxr.ResampleStream``, which keeps its filter state across blocks and is
anti-aliased.

Quality is soxr's ``LQ`` preset by default: still a proper low-pass filter
(16-bit precision, ~96 dB stop band, ample for speech), but it holds back at
most ~20 ms of audio, where ``HQ``/``MQ`` hold back up to ~40 ms (measured
with 10 ms blocks; see docs/design-audio.md). Latency matters more here.
"""

from __future__ import annotations

import numpy as np
import soxr

STREAM_QUALITY = "LQ"


def to_mono(block: np.ndarray) -> np.ndarray:
    """Average the channels of a ``(frames, channels)`` block; mono input passes through."""
    if block.ndim == 1:
        return block
    if block.shape[1] == 1:
        return block[:, 0]
    return block.mean(axis=1, dtype=np.float32)


class StreamResampler:
    """Mono float32 resampler that keeps state between blocks.

    ``process`` takes ``(frames,)`` or ``(frames, channels)`` float32 at
    ``in_rate`` and returns mono float32 at ``out_rate`` (possibly empty while
    the filter fills). When the rates are equal it only mixes to mono.
    """

    def __init__(self, in_rate: int, out_rate: int, quality: str = STREAM_QUALITY) -> None:
        self.in_rate = int(in_rate)
        self.out_rate = int(out_rate)
        self._stream = (
            None
            if self.in_rate == self.out_rate
            else soxr.ResampleStream(
                self.in_rate, self.out_rate, 1, dtype="float32", quality=quality
            )
        )

    @property
    def passthrough(self) -> bool:
        return self._stream is None

    def process(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        mono = np.ascontiguousarray(to_mono(block), dtype=np.float32)
        if self._stream is None:
            return mono
        return self._stream.resample_chunk(mono, last=last)

    def reset(self) -> None:
        if self._stream is not None:
            self._stream.clear()


def pcm16_to_float(pcm: bytes) -> np.ndarray:
    """16-bit little-endian PCM bytes to float32 in [-1, 1)."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) * (1.0 / 32768.0)

