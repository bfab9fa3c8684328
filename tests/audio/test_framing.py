"""Framing: exact 10 ms frames out of ragged blocks, 40 ms chunks for the wire."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gemini_live_tui.media.audio.framing import Chunker, Framer


@given(st.lists(st.integers(min_value=0, max_value=2000), max_size=30))
def test_frames_are_exact_and_nothing_is_lost_or_repeated(sizes: list[int]) -> None:
    framer = Framer(160)
    stream = np.arange(sum(sizes), dtype=np.int64) % 30000
    pos = 0
    out = []
    for size in sizes:
        for frame in framer.frames(stream[pos : pos + size].astype(np.int16)):
            assert frame.shape == (160,)
            out.append(frame.copy())
        pos += size
    joined = np.concatenate(out) if out else np.zeros(0, np.int16)
    assert len(joined) == (pos // 160) * 160
    assert framer.pending == pos % 160
    assert np.array_equal(joined, stream[: len(joined)].astype(np.int16))


def test_chunker_emits_40ms_chunks_and_a_partial_tail() -> None:
    chunker = Chunker(640)
    frames = [np.full(160, i, np.int16) for i in range(9)]
    chunks = [c for f in frames if (c := chunker.add(f)) is not None]
    assert [len(c) for c in chunks] == [1280, 1280]
    first = np.frombuffer(chunks[0], "<i2")
    assert list(first[::160]) == [0, 1, 2, 3]
    tail = chunker.flush()
    assert tail is not None and np.all(np.frombuffer(tail, "<i2") == 8)
    assert chunker.flush() is None
