"""Streaming a file's PCM at real time: chunk sizes, timing, no drift, cancel."""

import asyncio
import time

import pytest

from gemini_live_tui.media.files.pacing import stream_pcm


class Wire:
    """Records what would go to the session, with the monotonic time of each send."""

    def __init__(self, clock=time.monotonic) -> None:
        self.clock = clock
        self.chunks: list[tuple[float, bytes, int]] = []
        self.ended_at: float | None = None

    async def send_audio(self, pcm: bytes, rate: int = 16000) -> None:
        assert self.ended_at is None, "audio after audioStreamEnd"
        self.chunks.append((self.clock(), pcm, rate))

    async def send_audio_stream_end(self) -> None:
        self.ended_at = self.clock()


async def test_one_second_takes_one_second_in_40ms_chunks() -> None:
    pcm = bytes(2 * 16160)  # 1.01 s: 25 full chunks and one of 10 ms
    wire = Wire()
    progress: list[tuple[float, float]] = []
    t0 = time.monotonic()
    await stream_pcm(
        pcm,
        wire.send_audio,
        wire.send_audio_stream_end,
        progress=lambda s, t: progress.append((s, t)),
    )
    elapsed = time.monotonic() - t0
    assert elapsed == pytest.approx(1.01, rel=0.03)
    sizes = [len(c) for _, c, _ in wire.chunks]
    assert sizes == [1280] * 25 + [320]
    assert b"".join(c for _, c, _ in wire.chunks) == pcm
    assert {rate for _, _, rate in wire.chunks} == {16000}
    assert wire.ended_at is not None and wire.ended_at >= wire.chunks[-1][0]
    # like a microphone: a chunk never leaves before its audio has "happened"
    for k, (sent, _, _) in enumerate(wire.chunks[:25]):
        assert sent - t0 >= (k + 1) * 0.040 - 0.002
    assert [s for s, _ in progress] == sorted(s for s, _ in progress)
    assert progress[-1] == pytest.approx((1.01, 1.01))


class LateClock:
    """A fake clock whose sleep always oversleeps by 15 ms (a busy event loop)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds + 0.015


async def test_late_wakeups_do_not_accumulate() -> None:
    clock = LateClock()
    wire = Wire(clock)
    await stream_pcm(
        bytes(2 * 16000 * 5),
        wire.send_audio,
        wire.send_audio_stream_end,
        clock=clock,
        sleep=clock.sleep,
    )
    assert len(wire.chunks) == 125
    for k, (sent, _, _) in enumerate(wire.chunks):
        due = 100.0 + (k + 1) * 0.040
        assert due <= sent <= due + 0.015 + 1e-9
    assert wire.ended_at == pytest.approx(105.015)


async def test_slow_sender_catches_up_instead_of_drifting() -> None:
    clock = LateClock()
    wire = Wire(clock)

    async def slow_send(pcm: bytes, rate: int) -> None:
        clock.now += 0.060 if len(wire.chunks) < 5 else 0.0  # a hiccup on the first sends
        await wire.send_audio(pcm, rate)

    await stream_pcm(
        bytes(2 * 16000), slow_send, wire.send_audio_stream_end, clock=clock, sleep=clock.sleep
    )
    assert wire.ended_at == pytest.approx(101.0, abs=0.02)


async def test_cancel_stops_the_stream_and_still_ends_it() -> None:
    wire = Wire()
    task = asyncio.create_task(
        stream_pcm(bytes(2 * 16000 * 10), wire.send_audio, wire.send_audio_stream_end)
    )
    await asyncio.sleep(0.25)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert 3 <= len(wire.chunks) <= 8
    assert wire.ended_at is not None


async def test_empty_audio_just_ends_the_stream() -> None:
    wire = Wire()
    await stream_pcm(b"", wire.send_audio, wire.send_audio_stream_end)
    assert wire.chunks == [] and wire.ended_at is not None


async def test_odd_byte_count_is_refused() -> None:
    wire = Wire()
    with pytest.raises(ValueError, match="even number of bytes"):
        await stream_pcm(b"\x00\x01\x02", wire.send_audio, wire.send_audio_stream_end)
    assert wire.chunks == [] and wire.ended_at is None
