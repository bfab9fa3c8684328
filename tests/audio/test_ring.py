"""The SPSC sample ring: order, bounds, flush, and a real two-thread hand-over."""

import threading

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gemini_live_tui.media.audio.ring import SampleRing


@given(st.lists(st.integers(min_value=0, max_value=300), min_size=1, max_size=40))
def test_samples_come_out_in_order_across_wraparound(sizes: list[int]) -> None:
    ring = SampleRing(257)
    counter = 0
    expected = 0
    out = np.zeros(300, dtype=np.float32)
    for size in sizes:
        block = np.arange(counter, counter + size, dtype=np.float32)
        stored = ring.write(block)
        counter += stored  # what did not fit is dropped, never reordered
        got = ring.read_into(out[: size // 2 + 1])
        assert np.array_equal(out[:got], np.arange(expected, expected + got, dtype=np.float32))
        expected += got
    while (got := ring.read_into(out)) > 0:
        assert np.array_equal(out[:got], np.arange(expected, expected + got, dtype=np.float32))
        expected += got
    assert expected == counter


def test_overflow_keeps_the_oldest_and_counts_the_dropped() -> None:
    ring = SampleRing(100)
    assert ring.write(np.ones(80, np.float32)) == 80
    assert ring.write(np.full(50, 2.0, np.float32)) == 20
    assert ring.dropped == 30
    out = np.zeros(200, np.float32)
    assert ring.read_into(out) == 100
    assert np.all(out[:80] == 1) and np.all(out[80:100] == 2)


def test_flush_requested_by_producer_applies_at_next_read() -> None:
    ring = SampleRing(1000)
    ring.write(np.ones(600, np.float32))
    ring.request_flush()
    ring.write(np.full(10, 5.0, np.float32))  # audio after the flush survives
    assert ring.available == 10
    out = np.zeros(100, np.float32)
    assert ring.read_into(out) == 10
    assert np.all(out[:10] == 5)


def test_multichannel_blocks_keep_their_channels() -> None:
    ring = SampleRing(64, channels=2)
    block = np.stack([np.arange(50), -np.arange(50)], axis=1).astype(np.float32)
    ring.write(block)
    out = np.zeros((50, 2), np.float32)
    assert ring.read_into(out) == 50
    assert np.array_equal(out, block)


def test_two_threads_hand_over_every_sample_exactly_once() -> None:
    ring = SampleRing(4096)
    total = 400_000
    received = []

    def produce() -> None:
        sent = 0
        while sent < total:
            n = min(333, total - sent)
            sent += ring.write(np.arange(sent, sent + n, dtype=np.float32))

    def consume() -> None:
        out = np.zeros(500, np.float32)
        got_total = 0
        while got_total < total:
            got = ring.read_into(out)
            if got:
                received.append(out[:got].copy())
                got_total += got

    threads = [threading.Thread(target=produce), threading.Thread(target=consume)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    data = np.concatenate(received)
    assert np.array_equal(data, np.arange(total, dtype=np.float32))


def test_raw_byte_copies_wrap_drop_and_match_the_array_path() -> None:
    """What the raw device callbacks use: memoryview copies, same semantics as write/read_into."""
    ring = SampleRing(10, 2)
    frames = np.arange(14, dtype=np.float32).reshape(7, 2)
    assert ring.write_bytes(frames.tobytes()) == 7
    out = bytearray(5 * 2 * 4)
    assert ring.read_into_bytes(out, 5) == 5
    assert np.array_equal(np.frombuffer(out, np.float32).reshape(5, 2), frames[:5])
    more = np.arange(100, 120, dtype=np.float32).reshape(10, 2)
    assert ring.write_bytes(more) == 8  # 2 left + 8 free: the newest 2 frames dropped
    assert ring.dropped == 2
    big = bytearray(10 * 2 * 4)
    assert ring.read_into_bytes(big, 10) == 10  # across the wrap
    got = np.frombuffer(big, np.float32).reshape(10, 2)
    assert np.array_equal(got, np.concatenate([frames[5:], more[:8]]))
    assert np.array_equal(ring.recent(ring.read_position - 3, ring.read_position), more[5:8])
