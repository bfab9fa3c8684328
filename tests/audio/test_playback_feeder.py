"""The output callback's logic, without a device: prebuffer, underruns, barge-in, reference."""

import numpy as np

from gemini_live_tui.media.audio.playback import PlaybackFeeder
from gemini_live_tui.media.audio.reference import PlayedReference

RATE = 24000
BLOCK = 240  # 10 ms callbacks


def _blocks(feeder: PlaybackFeeder, count: int) -> np.ndarray:
    out = np.zeros((count, BLOCK), np.float32)
    for i in range(count):
        feeder.fill(out[i])
    return out.reshape(-1)


def test_turn_start_waits_for_the_prebuffer_then_plays_everything_in_order() -> None:
    feeder = PlaybackFeeder(RATE, prebuffer_ms=60)
    feeder.push(np.full(960, 0.1, np.float32))  # 40 ms: not enough yet
    assert not np.any(_blocks(feeder, 2))  # held back (20 ms of waiting)
    feeder.push(np.full(960, 0.2, np.float32))  # 80 ms buffered now
    played = _blocks(feeder, 8)
    assert np.all(played[:960] == np.float32(0.1)) and np.all(played[960:1920] == np.float32(0.2))
    feeder.end_of_turn()
    _blocks(feeder, 2)
    assert feeder.underruns == 0


def test_a_short_reply_still_plays_when_the_turn_ends() -> None:
    feeder = PlaybackFeeder(RATE, prebuffer_ms=60)
    feeder.push(np.full(480, 0.3, np.float32))  # 20 ms, the whole reply
    feeder.end_of_turn()
    played = _blocks(feeder, 3)
    assert np.count_nonzero(played) == 480
    assert feeder.underruns == 0


def test_starving_mid_turn_plays_silence_and_counts_an_underrun() -> None:
    feeder = PlaybackFeeder(RATE, prebuffer_ms=60)
    feeder.push(np.full(2400, 0.5, np.float32))
    played = _blocks(feeder, 12)
    assert np.count_nonzero(played) == 2400
    assert feeder.underruns == 1


def test_interrupt_silences_at_the_next_callback() -> None:
    feeder = PlaybackFeeder(RATE, prebuffer_ms=60)
    feeder.push(np.full(RATE * 5, 0.5, np.float32))
    assert np.all(_blocks(feeder, 3) == np.float32(0.5))
    feeder.interrupt()
    assert not np.any(_blocks(feeder, 1))
    assert feeder.buffered == 0
    feeder.push(np.full(2400, 0.25, np.float32))  # the next turn plays normally
    assert np.any(_blocks(feeder, 10) == np.float32(0.25))


def test_the_reference_is_exactly_what_was_played_including_silence() -> None:
    reference = PlayedReference(RATE)
    feeder = PlaybackFeeder(RATE, prebuffer_ms=60, reference=reference)
    x = np.sin(np.arange(4800) / 7).astype(np.float32)
    feeder.push(x)
    feeder.end_of_turn()
    played = _blocks(feeder, 25)
    copy = np.zeros(RATE, np.float32)
    n = reference.read_into(copy)
    assert n == len(played)
    assert np.array_equal(copy[:n], played)


def test_overflow_is_bounded_and_counted() -> None:
    feeder = PlaybackFeeder(RATE, buffer_seconds=1.0)
    feeder.push(np.ones(RATE + 500, np.float32))
    assert feeder.buffered == RATE
    assert feeder.overflow_samples == 500


def test_raw_fill_plays_and_references_exactly_what_the_array_fill_does() -> None:
    """The raw output callback's path: same prebuffer, underrun and reference behaviour."""
    voice = (0.3 * np.sin(np.arange(1, 4801) / 7)).astype(np.float32)
    results = []
    for raw in (False, True):
        reference = PlayedReference(RATE)
        feeder = PlaybackFeeder(RATE, prebuffer_ms=60, reference=reference)
        played = []
        feeder.push(voice[:960])
        for i in range(30):
            if i == 3:
                feeder.push(voice[960:])
            if raw:
                buf = bytearray(BLOCK * 4)
                feeder.fill_bytes(buf, BLOCK)
                played.append(np.frombuffer(buf, np.float32).copy())
            else:
                block = np.full(BLOCK, 9.0, np.float32)
                feeder.fill(block)
                played.append(block)
        ref = np.zeros(30 * BLOCK, np.float32)
        reference.read_into(ref)
        results.append((np.concatenate(played), ref, feeder.underruns, feeder.level))
    (a, ref_a, under_a, level_a), (b, ref_b, under_b, level_b) = results
    assert np.array_equal(a, b) and np.array_equal(ref_a, ref_b) and np.array_equal(a, ref_a)
    assert np.array_equal(a[np.flatnonzero(a)[0] :][:4800], voice)
    assert under_a == under_b == 1  # the turn stayed open and ran dry at the end
    assert level_a == level_b == 0.0  # the last callback played silence


def test_blocks_refilled_after_an_under_run_get_silence_and_the_reply_plays_on() -> None:
    """PortAudio's refill burst is never played: reading the reply into it lost up to 2 s."""
    reference = PlayedReference(RATE)
    feeder = PlaybackFeeder(RATE, prebuffer_ms=0, reference=reference)
    voice = (0.3 * np.sin(np.arange(1, 9601) / 7)).astype(np.float32)
    feeder.push(voice)
    heard = []
    for i in range(12):
        buf = bytearray(BLOCK * 4)
        refilling = 3 <= i < 8
        now = 1.0 + i * 0.01
        feeder.fill_bytes(buf, BLOCK, now if refilling else now + 0.03, now, refilling)
        block = np.frombuffer(buf, np.float32)
        if refilling:
            assert not block.any()
        else:
            heard.append(block.copy())
    played = np.concatenate(heard)
    assert np.array_equal(played, voice[: played.shape[0]])  # nothing of the reply skipped
    assert feeder.underruns == 0
    ref = np.zeros(RATE, np.float32)
    reference.read_into(ref)
    assert reference.left_out == 5 * BLOCK  # the canceller is not given the silent refill
