"""The runner: every call answered, concurrently, with the right scheduling."""

from __future__ import annotations

import asyncio
import sys

from gemini_live_tui.live.events import FunctionCall, ToolCall
from gemini_live_tui.media.errors import DeviceError
from gemini_live_tui.tools import (
    ToolCallFinished,
    ToolCallStarted,
    ToolError,
    ToolRegistry,
    ToolResponseNotSent,
    ToolSpec,
    builtin_registry,
    describe,
)


async def test_unknown_tool_answers_with_an_error_naming_the_available_ones(make_harness) -> None:
    harness = make_harness(enabled={"set_timer", "read_file"})
    response = await harness.result("launch_rockets", count=3)
    assert response == {
        "ok": False,
        "error": {
            "message": "unknown tool 'launch_rockets'; the tools available are: read_file, set_timer"
        },
    }
    finished = harness.reports.of(ToolCallFinished)[0]
    assert describe(finished).startswith("launch_rockets(count=3) → error: unknown tool")


async def test_disabled_tool_answers_with_an_error_and_does_not_run(make_harness) -> None:
    harness = make_harness(enabled={"set_timer"})
    response = await harness.result("run_command", argv=["touch", "x"])
    assert response["ok"] is False
    assert "/tools enable run_command" in response["error"]["message"]
    assert harness.confirmer.asked == []
    harness.runner.set_enabled({"set_timer", "list_files"})
    assert (await harness.result("list_files"))["ok"] is True


async def test_server_side_tool_called_as_a_function_is_refused(harness) -> None:
    response = await harness.result("google_search", query="x")
    assert "run by the service" in response["error"]["message"]


async def test_calls_run_concurrently(harness) -> None:
    loop = asyncio.get_running_loop()
    (harness.workspace.root / "a.txt").write_text("a")
    started = loop.time()
    event = ToolCall(
        (
            FunctionCall("t1", "set_timer", {"seconds": 0.6}),
            FunctionCall("t2", "set_timer", {"seconds": 0.6}),
            FunctionCall("r1", "read_file", {"path": "a.txt"}),
        )
    )
    harness.runner.handle_call(event)
    read = await harness.wire.final("r1")
    read_at = loop.time() - started
    await harness.wire.final("t1")
    await harness.wire.final("t2")
    both_at = loop.time() - started
    assert read.response["result"]["text"] == "a"
    assert read_at < 0.25, f"a quick call waited {read_at:.2f} s behind the timers"
    assert both_at < 1.0, f"two 0.6 s timers took {both_at:.2f} s: not concurrent"
    assert [type(r) for r in harness.reports.items[:3]] == [ToolCallStarted] * 3


async def test_blocking_calls_get_exactly_one_response_without_scheduling(make_harness) -> None:
    """3.1 Flash Live waits for the answer and takes the first one as the result:
    a slow call gets no "continuing in the background" interim, only its result."""
    harness = make_harness(non_blocking=False, will_continue=False)
    slow = harness.call("set_timer", seconds=0.4)
    quick = harness.call("list_files")
    await harness.reports.wait_for(ToolCallFinished, slow)
    await harness.reports.wait_for(ToolCallFinished, quick)
    assert [(r.scheduling, r.will_continue) for r in harness.wire.for_call(slow)] == [(None, False)]
    assert harness.wire.for_call(slow)[0].response["result"]["fired"] is True
    assert len(harness.wire.for_call(quick)) == 1
    assert all("willContinue" not in r and "scheduling" not in r for r in _wire_responses(harness))


async def test_non_blocking_results_wait_for_the_model_to_be_idle(make_harness) -> None:
    harness = make_harness(non_blocking=True)
    slow = harness.call("set_timer", seconds=0.4)
    quick = harness.call("list_files")
    await harness.wire.final(slow)
    await harness.wire.final(quick)
    assert [(r.scheduling, r.will_continue) for r in harness.wire.for_call(slow)] == [
        ("SILENT", True),
        ("WHEN_IDLE", False),
    ]
    assert [r.scheduling for r in harness.wire.for_call(quick)] == ["WHEN_IDLE"]
    final_wire = harness.wire.frames[-1]["toolResponse"]["functionResponses"][0]
    assert final_wire["scheduling"] == "WHEN_IDLE" and "willContinue" not in final_wire
    assert "scheduling" not in final_wire["response"]  # a field of FunctionResponse itself


async def test_vertex_non_blocking_calls_get_one_scheduled_response_and_never_will_continue(
    make_harness,
) -> None:
    """Vertex AI refuses `willContinue`: a slow NON_BLOCKING call gets only its result."""
    harness = make_harness(non_blocking=True, will_continue=False)
    slow = harness.call("set_timer", seconds=0.4)
    await harness.reports.wait_for(ToolCallFinished, slow)
    assert [(r.scheduling, r.will_continue) for r in harness.wire.for_call(slow)] == [
        ("WHEN_IDLE", False)
    ]
    assert all("willContinue" not in r for r in _wire_responses(harness))


def _wire_responses(harness) -> list[dict]:
    return [r for f in harness.wire.frames for r in f["toolResponse"]["functionResponses"]]


def _registry_with(*specs: ToolSpec) -> ToolRegistry:
    return ToolRegistry(specs)


async def test_a_crashing_tool_answers_with_an_error(make_harness) -> None:
    async def crash(args, context):
        raise KeyError("oops")

    async def refuse(args, context):
        raise ToolError("the thing is off")

    async def device(args, context):
        raise DeviceError("the microphone went away; pick another with /mic device")

    registry = _registry_with(
        *(
            ToolSpec(name, "", True, {"name": name}, execute)
            for name, execute in (("crash", crash), ("refuse", refuse), ("device", device))
        )
    )
    harness = make_harness(registry=registry)
    crashed = await harness.result("crash")
    assert crashed["error"]["message"] == "crash failed unexpectedly: KeyError: 'oops'"
    assert (await harness.result("refuse"))["error"]["message"] == "the thing is off"
    assert "pick another" in (await harness.result("device"))["error"]["message"]


async def test_an_answer_the_closed_session_refuses_is_reported_once_not_retried(
    make_harness,
) -> None:
    """Delivery across reconnects is the session's job: a send fails only when the
    session is closed for good, and the runner says so instead of retrying."""
    harness = make_harness()
    harness.wire.down = True
    call_id = harness.call("list_files")
    not_sent = await harness.reports.wait_for(ToolResponseNotSent, call_id)
    assert "being replaced" in describe(not_sent) and "not sent" in describe(not_sent)
    harness.wire.down = False
    later = harness.call("list_files", path=".")
    await harness.wire.final(later, timeout=2)
    await asyncio.sleep(0.1)
    assert [r.id for r in harness.wire.responses] == [later], "the refused answer is not resent"
    assert harness.wire.attempts == 2


async def test_closing_the_runner_stops_every_call(make_harness) -> None:
    harness = make_harness()
    harness.confirmer.answers = ["once"]
    harness.call("set_timer", seconds=30)
    harness.call("run_command", argv=[sys.executable, "-c", "import time; time.sleep(30)"])
    await asyncio.sleep(0.4)
    assert len(harness.runner.running) == 2
    await asyncio.wait_for(harness.runner.aclose(), 3)
    assert harness.runner.running == ()


async def test_cancel_of_unknown_ids_is_harmless(harness) -> None:
    harness.runner.cancel(["nope"])
    assert (await harness.result("list_files"))["ok"] is True


async def test_the_default_registry_enables_the_safe_tools_only(workspace) -> None:
    registry = builtin_registry(workspace)
    assert registry.default_enabled() == {"google_search", "set_timer", "list_files", "read_file"}
    assert registry.names()[:5] == [
        "google_search",
        "set_timer",
        "list_files",
        "read_file",
        "run_command",
    ]


async def test_a_failing_report_callback_does_not_leave_the_call_unanswered(
    make_harness,
) -> None:
    def broken_display(report) -> None:
        raise RuntimeError("widget gone")

    harness = make_harness(report=broken_display)
    assert (await harness.result("list_files"))["ok"] is True
