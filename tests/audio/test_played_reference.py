"""The echo reference laid on the speaker's clock, without a device.

Blocks come with PortAudio's converter times as a device recovering from an
under-run reports them: the canceller must get what the room heard, in step
with the microphone, not what the callback handed over.
"""

import numpy as np

from gemini_live_tui.media.audio.reference import PlayedReference

RATE = 24000
BLOCK = 180  # 7.5 ms


def _blocks(count: int, start: int = 0) -> list[np.ndarray]:
    return [np.full(BLOCK, (start + i + 1) / 1000, np.float32) for i in range(count)]


def _read(reference: PlayedReference) -> np.ndarray:
    out = np.zeros(RATE, np.float32)
    return out[: reference.read_into(out)].copy()


def test_blocks_played_back_to_back_come_out_contiguous_though_their_times_wander() -> None:
    """Through PulseAudio the reported times drift by tens of ms with no under-run."""
    reference = PlayedReference(RATE)
    blocks = _blocks(40)
    wander = np.random.default_rng(1).uniform(-0.0015, 0.0015, 40) + np.linspace(0, 0.03, 40)
    for i, block in enumerate(blocks):
        now = 1.0 + i * BLOCK / RATE
        reference.write(block, now + 0.0375 + wander[i], now)
    assert np.array_equal(_read(reference), np.concatenate(blocks))


def test_blocks_refilled_while_the_device_recovers_are_left_out_and_its_silence_put_in() -> None:
    """An under-run: 22 ms of silence played, a burst of 25 blocks never played, then sound again."""
    reference = PlayedReference(RATE)
    before, burst, after = _blocks(10), _blocks(25, 100), _blocks(10, 200)
    t = 1.0
    for block in before:  # each plays 37.5 ms after its callback
        reference.write(block, t + 0.0375, t)
        t += BLOCK / RATE
    played_until = t - BLOCK / RATE + 0.0375 + BLOCK / RATE
    t += 0.03  # the callback is late: the device runs dry
    for block in burst:  # PortAudio refills at once and reports the current time
        reference.write(block, t, t)
    resumed = played_until + 0.022
    for i, block in enumerate(after):
        reference.write(block, resumed + i * BLOCK / RATE, t)
    got = _read(reference)
    silence = round(0.022 * RATE)
    expected = np.concatenate([*before, np.zeros(silence, np.float32), *after])
    assert got.shape == expected.shape
    assert np.array_equal(got, expected)
    assert reference.left_out == 25 * BLOCK and reference.filled == silence


def test_a_block_played_after_an_under_run_over_what_was_read_out_is_cut() -> None:
    reference = PlayedReference(RATE)
    a, dropped, b = _blocks(3)
    reference.write(a, 1.0, 0.96)
    reference.write(dropped, 0.97, 0.97)  # recovering: never played
    reference.write(b, 1.0 + BLOCK / RATE - 0.005, 0.97)  # starts 5 ms (120 samples) early
    got = _read(reference)
    assert np.array_equal(got, np.concatenate([a, b[120:]]))


def test_without_times_from_the_host_the_sample_count_is_kept() -> None:
    reference = PlayedReference(RATE)
    blocks = _blocks(5)
    for block in blocks:
        reference.write(block)
    assert np.array_equal(_read(reference), np.concatenate(blocks))


def test_what_was_logged_before_the_reader_listened_is_dropped() -> None:
    reference = PlayedReference(RATE)
    for block in _blocks(5):
        reference.write(block, 2.0, 1.9)
    reference.discard()
    later = _blocks(2, 50)
    reference.write(later[0], 3.0, 2.96)
    reference.write(later[1], 3.0 + BLOCK / RATE, 2.97)
    assert np.array_equal(_read(reference), np.concatenate(later))
