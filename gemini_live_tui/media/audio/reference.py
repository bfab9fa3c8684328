"""Echo reference: what the speaker really played, laid on the speaker's clock.

The echo canceller learns one delay between the reference (what the speaker
played) and the echo in the microphone, so the reference must stay in step
with what the room heard. Counting the samples the output callback handed
to PortAudio is not enough: when the callback runs late (a busy machine, the
app's own loop holding the GIL) the device under-runs, plays silence, drops
what it had queued, and PortAudio calls back in a burst to refill it, and
the samples of that burst are never played. Each under-run then moved the
sample-counted reference hundreds of milliseconds ahead of the echo, for
good (the shifts add up); the canceller let the echo through while it
searched for the new delay, or for the rest of the reply once the shift
left its range (docs/performance.md, Voice).

So each block is logged with PortAudio's time for when its first sample
reaches the converter (``outputBufferDacTime``). Between under-runs the
device plays the blocks back to back, and the reader keeps them so: the
reported times wander by tens of milliseconds through PulseAudio
(following them moved the reference against the echo as badly). A block
handed over while the device recovers (PortAudio then reports the current
time as its converter time) is left out, and the first block played after
it is laid by its reported time, measured against the blocks before the
under-run: the silence the device played in between is put in, an overlap
is cut. Hosts that report no time at all (0) get the plain sample count.

One producer (the output callback: two stores per block besides the copy)
and one consumer (the microphone's worker), like ``SampleRing``.
"""

from __future__ import annotations

import numpy as np

from .ring import SampleRing

# After an under-run, a shift smaller than this is taken for jitter in the
# reported times (±1 ms between callbacks through PulseAudio); real ones were 20 ms and more.
TOLERANCE_S = 0.004
LOG_SIZE = 1024  # blocks: ~7 s of 7.5 ms callbacks, far more than the reader lags


class PlayedReference:
    """Mono float32 speaker reference at ``rate``, read back on the device's clock."""

    def __init__(self, rate: int, seconds: float = 1.0) -> None:
        self.rate = rate
        self.ring = SampleRing(int(rate * seconds), 1)
        self._pos = np.zeros(LOG_SIZE, dtype=np.int64)
        self._frames = np.zeros(LOG_SIZE, dtype=np.int64)
        self._dac = np.zeros(LOG_SIZE, dtype=np.float64)  # 0: unknown, -1: not played
        self._count = 0  # producer-owned
        self._next = 0  # consumer-owned: the next block to lay out
        # Device time of the next sample read out if the blocks were played back to
        # back, and by how much the last block's reported time differed from it.
        self._cursor: float | None = None
        self._error = 0.0
        self._recovering = False  # blocks were left out: lay the next one by its time
        self.left_out = 0  # samples never played (consumer's count)
        self.filled = 0  # samples of silence the device played between blocks

    # -- producer (output callback) ------------------------------------------------
    def write(self, samples: np.ndarray, dac_time: float = 0.0, now: float = 0.0) -> None:
        """Log one block (float32 array) the callback handed to the device."""
        start = self.ring.written
        self._log(start, self.ring.write(samples), dac_time, now)

    def write_bytes(self, data: object, dac_time: float = 0.0, now: float = 0.0) -> None:
        """Log one raw block; ``dac_time``/``now`` are PortAudio's times for it (0: unknown)."""
        start = self.ring.written
        self._log(start, self.ring.write_bytes(data), dac_time, now)

    def _log(self, start: int, frames: int, dac_time: float, now: float) -> None:
        k = self._count % LOG_SIZE
        self._pos[k] = start
        self._frames[k] = frames
        # A converter time not after the callback's own time: the device is recovering
        # from an under-run and this block is dropped, not played.
        self._dac[k] = dac_time if dac_time <= 0.0 or dac_time > now else -1.0
        self._count += 1  # last: the reader never sees a block before its samples

    # -- consumer (microphone worker) ---------------------------------------------
    def discard(self) -> int:
        """Drop everything logged so far (stale audio from before the reader listened)."""
        self._next = self._count
        self._cursor = None
        self._recovering = False
        return self.ring.discard()

    def read_into(self, out: np.ndarray) -> int:
        """Fill ``out`` (1-D float32) with the reference as played; return the samples written."""
        n = 0
        ring, rate = self.ring, self.rate
        tolerance = int(TOLERANCE_S * rate)
        scratch = out.reshape(-1, 1)
        if self._count - self._next > LOG_SIZE:  # fell behind the log: start afresh
            self.discard()
            return 0
        while self._next < self._count:
            k = self._next % LOG_SIZE
            pos, frames, dac = int(self._pos[k]), int(self._frames[k]), float(self._dac[k])
            if pos != ring.read_position:  # samples lost to a full ring: start afresh
                self.discard()
                return n
            if n + frames + (out.shape[0] // 4 if self._recovering else 0) > out.shape[0]:
                break  # no room: the rest next time
            if dac < 0.0:  # never played
                self.left_out += frames
                ring.read_into(scratch[n : n + frames])  # consumed, then overwritten
                self._recovering = True
                self._next += 1
                continue
            gap = skip = 0
            if dac > 0.0:
                if self._cursor is None:
                    self._cursor, self._error = dac, 0.0
                error = dac - self._cursor
                if self._recovering:
                    # Where the device resumed, against where the blocks before the
                    # under-run said it would (the same bias in its reported times).
                    shift = round((error - self._error) * rate)
                    if shift > tolerance:  # it played silence in between
                        gap = min(shift, out.shape[0] // 4)
                    elif shift < -tolerance:  # this block starts over samples read out
                        skip = min(-shift, frames)
                    error -= (gap - skip) / rate
                self._error = error
            self._recovering = False
            out[n : n + gap] = 0.0
            n += gap
            self.filled += gap
            if skip:
                self.left_out += skip
                ring.read_into(scratch[n : n + skip])  # consumed, then overwritten
            got = ring.read_into(scratch[n : n + frames - skip])
            n += got
            if self._cursor is not None:
                self._cursor += (gap + got) / rate
            self._next += 1
        return n
