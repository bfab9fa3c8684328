"""The one-frame slot: a newer frame replaces a waiting one, nothing queues."""

from __future__ import annotations

import asyncio

from gemini_live_tui.media.screen_slot import FrameSlot


async def test_newer_frame_replaces_the_waiting_one():
    slot: FrameSlot[str] = FrameSlot()
    assert slot.put("frame 1") is False
    assert slot.put("frame 2") is True
    assert slot.put("frame 3") is True
    assert await slot.take() == "frame 3"
    assert not slot.pending


async def test_take_waits_for_the_next_frame():
    slot: FrameSlot[str] = FrameSlot()
    taker = asyncio.create_task(slot.take())
    await asyncio.sleep(0.05)
    assert not taker.done()
    slot.put("frame")
    assert await asyncio.wait_for(taker, 1) == "frame"
    # Taken frames are gone: the next take waits again.
    again = asyncio.create_task(slot.take())
    await asyncio.sleep(0.05)
    assert not again.done()
    again.cancel()
