"""set_timer: answered in the background, fires on time, can be cancelled."""

from __future__ import annotations

import asyncio

from gemini_live_tui.tools import (
    ToolCallBackgrounded,
    ToolCallCancelled,
    ToolCallFinished,
    describe,
)


async def test_a_short_timer_is_answered_directly(harness) -> None:
    call_id = harness.call("set_timer", seconds=0.05, label="egg")
    final = await harness.wire.final(call_id)
    assert len(harness.wire.for_call(call_id)) == 1  # no "continuing" notice needed
    assert final.response["ok"] is True
    assert final.response["result"]["label"] == "egg"
    assert final.response["result"]["fired"] is True


async def test_a_long_timer_continues_in_the_background_then_fires(harness) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    call_id = harness.call("set_timer", seconds=0.8, label="tea")
    final = await harness.wire.final(call_id)
    notice, last = harness.wire.for_call(call_id)
    notice_at, final_at = (t - started for t in harness.wire.sent_at)
    assert notice.will_continue is True and notice.response["result"]["status"] == "running"
    assert 0.25 <= notice_at <= 0.6, notice_at
    assert last is final and final.will_continue is False
    assert 0.8 <= final_at <= 1.3, final_at
    assert harness.reports.of(ToolCallBackgrounded, call_id)
    finished = harness.reports.of(ToolCallFinished, call_id)[0]
    assert (
        describe(finished)
        == "set_timer(seconds=0.8, label='tea') → ok: timer 'tea' fired after 0.8 s"
    )


async def test_minutes_and_hours_add_up(harness) -> None:
    call_id = harness.call("set_timer", hours=1, minutes=1, seconds=1)
    await harness.reports.wait_for(ToolCallBackgrounded, call_id)
    harness.runner.cancel([call_id])  # not waiting an hour: the duration is checked below
    await harness.reports.wait_for(ToolCallCancelled, call_id)
    too_long = await harness.result("set_timer", hours=24, seconds=1)
    assert "at most 24 hours" in too_long["error"]["message"]


async def test_bad_durations_are_refused(harness) -> None:
    cases = [
        ({}, "needs a duration"),
        ({"seconds": 0}, "needs a duration"),
        ({"seconds": -5}, "at least 0"),
        ({"minutes": "five"}, "must be a number"),
        ({"seconds": True}, "must be a number"),
        ({"seconds": 1, "label": 7}, "string"),
    ]
    for args, expected in cases:
        response = await harness.result("set_timer", **args)
        assert response["ok"] is False
        assert expected in response["error"]["message"], (args, response)


async def test_cancelling_a_running_timer_stops_it_and_sends_nothing_more(harness) -> None:
    call_id = harness.call("set_timer", seconds=0.9)
    await harness.reports.wait_for(ToolCallBackgrounded, call_id)
    harness.runner.cancel([call_id])
    cancelled = await harness.reports.wait_for(ToolCallCancelled, call_id, timeout=1)
    assert harness.runner.running == ()
    assert describe(cancelled) == "set_timer(seconds=0.9) cancelled by the server"
    await asyncio.sleep(0.9)  # past the time it would have fired
    responses = harness.wire.for_call(call_id)
    assert [r.will_continue for r in responses] == [True]
    assert not harness.reports.of(ToolCallFinished, call_id)


async def test_cancelling_before_the_notice_sends_nothing(harness) -> None:
    call_id = harness.call("set_timer", seconds=5)
    harness.runner.cancel([call_id])
    await harness.reports.wait_for(ToolCallCancelled, call_id, timeout=1)
    await asyncio.sleep(0.4)
    assert harness.wire.for_call(call_id) == []
