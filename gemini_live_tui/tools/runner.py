"""The tool runner: turns the model's tool calls into answers, concurrently.

Each call runs as its own asyncio task, so a slow tool never blocks the UI,
the audio or another call. The model always gets an answer: an error
envelope for unknown or disabled tools, else the result. How many answers a
call gets depends on the model and backend (the model catalog decides,
`non_blocking` and `will_continue`):

- blocking calls (3.1 Flash Live, unknown models): exactly one response, the
  final result — the model waits for it and would take an interim answer as
  the result;
- NON_BLOCKING calls where `willContinue` is allowed (the Gemini API): a
  result that takes longer than `answer_after` (~300 ms) is announced at once
  with a "continuing in the background" answer (`willContinue`, `SILENT`),
  then the final result follows `WHEN_IDLE`, so it does not talk over the user;
- NON_BLOCKING calls on Vertex AI, which refuses `willContinue`: one final
  response, scheduled `WHEN_IDLE`.

A `toolCallCancellation` really cancels the task; the command tool kills its
process group on cancellation.

Every step is reported through `report` as a small frozen value
(`reports.py`) for the conversation to show. Delivery is the session's job,
not the runner's: the session keeps a tool response until the server's
state covers it, sends it again after a lost connection, and turns an
answer for an earlier connection's call into a text turn for the model
(`ToolResultCarried`), so the runner answers every call the same way
whatever happened to the connection meanwhile. A send fails only once the
session is closed for good (the app is quitting): that answer is reported
as not sent (`ToolResponseNotSent`), never retried.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from ..live.events import FunctionCall, ToolCall
from ..live.messages import FunctionResponse, Scheduling
from ..media.errors import MediaError
from .envelope import Envelope, error, error_message, is_ok, ok
from .errors import ToolError
from .registry import CallContext, ToolRegistry, ToolSpec
from .reports import (
    Decision,
    ToolCallBackgrounded,
    ToolCallCancelled,
    ToolCallFinished,
    ToolCallStarted,
    ToolConfirmation,
    ToolReport,
    ToolResponseNotSent,
    short_args,
)

log = logging.getLogger(__name__)

SendToolResponse = Callable[[list[FunctionResponse]], Awaitable[None]]
Confirm = Callable[[list[str]], Awaitable[Decision]]
Report = Callable[[ToolReport], None]

ANSWER_AFTER = 0.3
"""Seconds a NON_BLOCKING call may take before the model is told it continues in the background."""

BACKGROUND_NOTICE = {
    "status": "running",
    "message": "The tool is continuing in the background; its result will follow.",
}


@dataclass(slots=True)
class _Running:
    call: FunctionCall
    args: str
    supervisor: asyncio.Task[None]
    work: asyncio.Task[Envelope] | None = None
    cancelled: bool = False


class ToolRunner:
    """Runs tool calls from the session and answers them through `send_tool_response`.

    `confirm(argv)` asks the user about a command (a modal in the TUI) and
    returns "once", "deny" or "always"; "always" is remembered for this
    runner's lifetime (the session), for that exact argv. `non_blocking` and
    `will_continue` say how the model takes responses (see the module
    docstring); the app keeps them equal to the active setup's model.
    Must be used from inside the running event loop.
    """

    def __init__(
        self,
        registry: ToolRegistry,
        send_tool_response: SendToolResponse,
        confirm: Confirm,
        report: Report,
        *,
        enabled: Iterable[str] | None = None,
        non_blocking: bool = False,
        will_continue: bool = False,
        answer_after: float = ANSWER_AFTER,
    ) -> None:
        self._registry = registry
        self._send = send_tool_response
        self._confirm = confirm
        self._report_to = report
        self._enabled = set(registry.default_enabled() if enabled is None else enabled)
        self.non_blocking = non_blocking
        """Whether the functions run NON_BLOCKING (decides `scheduling`)."""
        self.will_continue = will_continue
        """Whether a NON_BLOCKING call may get an interim `willContinue` answer (never on Vertex)."""
        self._answer_after = answer_after
        self._running: dict[str, _Running] = {}
        self._always: set[tuple[str, ...]] = set()

    # -- what the TUI calls -------------------------------------------------

    @property
    def enabled(self) -> frozenset[str]:
        """The tools calls are accepted for (those declared in the active setup)."""
        return frozenset(self._enabled)

    def set_enabled(self, names: Iterable[str]) -> None:
        """Accept calls for exactly these tools from now on (after `/tools apply`)."""
        self._enabled = set(names)

    @property
    def running(self) -> tuple[str, ...]:
        """Ids of the calls still running."""
        return tuple(self._running)

    def handle_call(self, event: ToolCall) -> None:
        """Start every function call of a `ToolCall` event; returns at once."""
        for call in event.calls:
            self.start(call)

    def start(self, call: FunctionCall) -> None:
        """Start one function call as a task; returns at once.

        A second call with the id of a running one is ignored (logged): its
        answer could not be told apart from the first one's.
        """
        if call.id in self._running:
            log.warning("ignoring a second tool call with the running id %s", call.id)
            return
        supervisor = asyncio.get_running_loop().create_task(
            self._supervise(call), name=f"tool {call.name} {call.id}"
        )
        self._running[call.id] = _Running(call, short_args(call.args), supervisor)

    def cancel(self, ids: Iterable[str]) -> None:
        """Cancel the named calls (a `ToolCallCancellation`); unknown or finished ids are ignored.

        The cancellation is reported once the call's work has really stopped.
        """
        for call_id in ids:
            entry = self._running.get(call_id)
            if entry is None:
                continue
            entry.cancelled = True
            if entry.work is not None:
                entry.work.cancel()

    async def wait_idle(self) -> None:
        """Wait until every running call has finished or been cancelled."""
        while self._running:
            tasks = [entry.supervisor for entry in self._running.values()]
            await asyncio.gather(*tasks, return_exceptions=True)
            for call_id, entry in list(self._running.items()):
                if entry.supervisor.done():  # cancelled before it ever ran
                    del self._running[call_id]

    async def aclose(self) -> None:
        """Cancel every running call and wait for them to stop (when the app quits)."""
        for entry in list(self._running.values()):
            entry.supervisor.cancel()
            if entry.work is not None:
                entry.work.cancel()
        await self.wait_idle()

    # -- inside --------------------------------------------------------------

    def _report(self, report: ToolReport) -> None:
        try:
            self._report_to(report)
        except Exception:  # a broken display must not leave a call unanswered
            log.exception("tool report callback failed for %r", report)

    def _refusal(self, name: str, spec: ToolSpec | None) -> str | None:
        if spec is None:
            available = ", ".join(sorted(self._enabled & set(self._registry.names()))) or "none"
            return f"unknown tool {name!r}; the tools available are: {available}"
        if name not in self._enabled:
            return f"tool {name!r} is disabled; the user can enable it with /tools enable {name}"
        if spec.execute is None:
            return f"tool {name!r} is run by the service itself, not by this client"
        return None

    async def _supervise(self, call: FunctionCall) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        entry = self._running[call.id]
        args = entry.args
        spec = self._registry.get(call.name)
        work: asyncio.Task[Envelope] | None = None
        try:
            self._report(ToolCallStarted(call.id, call.name, args))
            refusal = self._refusal(call.name, spec)
            if refusal is not None or spec is None:
                envelope = error(refusal or "")
            else:
                work = loop.create_task(self._execute(spec, call))
                entry.work = work
                if entry.cancelled:
                    work.cancel()
                if self.non_blocking and self.will_continue:  # else: one answer only
                    done, _ = await asyncio.wait({work}, timeout=self._answer_after)
                    if not done:
                        await self._answer(
                            call, ok(BACKGROUND_NOTICE), will_continue=True, scheduling="SILENT"
                        )
                        self._report(ToolCallBackgrounded(call.id, call.name, args))
                envelope = await work
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling() == 0 and entry.cancelled:
                # only the call's work was cancelled (toolCallCancellation): stopped
                self._report(ToolCallCancelled(call.id, call.name, args))
                return
            if work is not None:  # the runner is closing: stop the work too
                work.cancel()
                await asyncio.gather(work, return_exceptions=True)
            raise
        finally:
            if self._running.get(call.id) is entry:
                del self._running[call.id]
        if entry.cancelled:  # the server no longer wants an answer
            self._report(ToolCallCancelled(call.id, call.name, args))
            return
        await self._answer(call, envelope, scheduling="WHEN_IDLE")
        if is_ok(envelope) and spec is not None:
            summary = spec.summarize(envelope["result"])
        else:
            summary = error_message(envelope)
        self._report(
            ToolCallFinished(
                call.id, call.name, args, is_ok(envelope), summary, loop.time() - started
            )
        )

    async def _execute(self, spec: ToolSpec, call: FunctionCall) -> Envelope:
        assert spec.execute is not None
        context = CallContext(call.id, functools.partial(self._confirm_argv, call))
        try:
            result = await spec.execute(dict(call.args), context)
        except (ToolError, MediaError) as exc:
            return error(str(exc))
        except Exception as exc:
            log.exception("tool %s failed", spec.name)
            return error(f"{spec.name} failed unexpectedly: {type(exc).__name__}: {exc}")
        return ok(result)

    async def _confirm_argv(self, call: FunctionCall, argv: tuple[str, ...]) -> bool:
        if argv in self._always:
            self._report(ToolConfirmation(call.id, call.name, argv, "always", remembered=True))
            return True
        decision = await self._confirm(list(argv))
        if decision not in ("once", "deny", "always"):
            decision = "deny"
        self._report(ToolConfirmation(call.id, call.name, argv, decision))
        if decision == "always":
            self._always.add(argv)
        return decision != "deny"

    async def _answer(
        self,
        call: FunctionCall,
        envelope: Envelope,
        *,
        will_continue: bool = False,
        scheduling: Scheduling | None = None,
    ) -> None:
        response = FunctionResponse(
            id=call.id,
            name=call.name,
            response=envelope,
            scheduling=scheduling if self.non_blocking else None,
            will_continue=will_continue and self.non_blocking and self.will_continue,
        )
        try:
            await self._send([response])
        except Exception as exc:  # the session is closed for good
            reason = str(exc) or type(exc).__name__
            log.info("tool response %s not sent: %s", response.id, reason)
            self._report(ToolResponseNotSent(call.id, call.name, reason))
