"""The voice outbox on a stalled link: signals keep their place, only the oldest audio goes."""

import asyncio

from gemini_live_tui.media.audio_outbox import VoiceOutbox


async def _consume(outbox: VoiceOutbox, release: asyncio.Event, sent: list) -> None:
    """A sender whose first send blocks until ``release``: the network stalls."""
    while True:
        item = await outbox.get()
        await release.wait()
        sent.append(item[0] if item[0] != "audio" else item[1])
        outbox.task_done()


async def test_signals_keep_their_order_when_the_queue_overflows() -> None:
    outbox = VoiceOutbox(max_audio=3)
    release, sent = asyncio.Event(), []
    sender = asyncio.create_task(_consume(outbox, release, sent))
    outbox.put_audio(0)  # taken by the sender, which then blocks on it
    await asyncio.sleep(0)
    outbox.put_signal("activity_start")
    for n in range(1, 11):  # far more audio than fits while the link is stalled
        outbox.put_audio(n)
    outbox.put_signal("end")
    outbox.put_audio(11)
    outbox.put_audio(12)
    assert outbox.kinds() == ["activity_start", "audio", "end", "audio", "audio"]
    release.set()
    await asyncio.wait_for(outbox.join(), 2)
    sender.cancel()
    assert sent == [0, "activity_start", 10, "end", 11, 12]
    assert outbox.dropped == 9


async def test_join_returns_when_everything_is_sent() -> None:
    outbox = VoiceOutbox(max_audio=2)
    await asyncio.wait_for(outbox.join(), 1)  # nothing queued
    release, sent = asyncio.Event(), []
    release.set()
    sender = asyncio.create_task(_consume(outbox, release, sent))
    for n in range(5):
        outbox.put_audio(n)
    outbox.put_signal("end")
    await asyncio.wait_for(outbox.join(), 2)
    sender.cancel()
    assert sent == [3, 4, "end"] and outbox.dropped == 3
