"""Tool execution in the app: the model's calls run through a `ToolRunner`.

The reducer turns `ToolCall` / `ToolCallCancellation` events into `RunTools`
/ `CancelTools` effects; this feature carries them out and hands them to the
runner, which answers every call through the session. It also shows the
runner's reports as conversation lines, asks the user about `run_command`
through the host's confirmation dialog, tells the runner when a
connection is set up (it resends the answers it kept), and keeps the
runner's enabled set and response shape (blocking or NON_BLOCKING, whether
`willContinue` is allowed: the model catalog's entry for the active model
and backend) equal to the setup that is active, so `/tools apply` and
`/model apply` are followed without a restart.

The desktop tools execute against `AppDesktop`, i.e. the same code paths as
/share-screen, /mic and /speak.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TypedDict

from ...live import events as ev
from ...live.errors import SessionClosed
from ...live.messages import FunctionResponse
from ...live.models import lookup
from ...tools import (
    ToolCallStarted,
    ToolRegistry,
    ToolReport,
    ToolResponseNotSent,
    ToolRunner,
    describe,
)
from ...tools.desktop import desktop_specs
from ...tools.reports import Decision
from .. import state as st
from ..host import Feature, Host
from ..lines import Line
from .desktop import AppDesktop

log = logging.getLogger(__name__)


def execution_registry(registry: ToolRegistry, desktop: AppDesktop) -> ToolRegistry:
    """`registry` with its desktop tools bound to `desktop` (declarations are unchanged)."""
    bound = {spec.name: spec for spec in desktop_specs(desktop)}
    return ToolRegistry(bound.get(spec.name, spec) for spec in registry)


#: The file tools ask with argv `(tool, path)` before reading a hidden path.
_FILE_TOOLS = ("read_file", "list_files")


class _ConfirmTexts(TypedDict, total=False):
    tool: str
    title: str
    where: str


def _confirm_texts(argv: list[str]) -> _ConfirmTexts:
    """The dialog's tool, title and where-line for a file tool's question (none for a command)."""
    if len(argv) == 2 and argv[0] in _FILE_TOOLS:
        return {
            "tool": argv[0],
            "title": f"The model wants to read a hidden path with {argv[0]}",
            "where": "hidden files may hold private settings or tokens · allow once, deny, "
            "or always for this path this session",
        }
    return {}


class ToolCalls(Feature):
    """Runs the model's tool calls, shows their reports, asks for confirmations."""

    effects = (st.RunTools, st.CancelTools)

    def __init__(self, host: Host, registry: ToolRegistry, desktop: AppDesktop) -> None:
        self.host = host
        self.desktop = desktop
        self.runner = ToolRunner(
            execution_registry(registry, desktop),
            self._send,
            self.confirm,
            self._report,
            enabled=host.setup_in_force[1].tools,
        )
        self._follow_setup()
        self._confirming = asyncio.Lock()  # one modal at a time, in call order

    def on_effect(self, effect: st.Effect) -> None:
        """Apply a `RunTools` or `CancelTools` effect (returns at once)."""
        self._follow_setup()
        match effect:
            case st.RunTools(calls=calls):
                self.runner.handle_call(ev.ToolCall(calls))
            case st.CancelTools(ids=ids):
                self.runner.cancel(ids)

    async def aclose(self) -> None:
        """Cancel running calls (the app is quitting)."""
        await self.runner.aclose()

    # ----- runner callbacks --------------------------------------------------

    def _follow_setup(self) -> None:
        """Accept calls for the tools of the setup in force, in its model's mode."""
        setup, applied = self.host.setup_in_force
        self.runner.set_enabled(applied.tools)
        spec = lookup(setup.model)
        self.runner.non_blocking = spec.non_blocking
        self.runner.will_continue = spec.will_continue

    async def _send(self, responses: list[FunctionResponse]) -> None:
        session = self.host.session
        if session is None:
            raise SessionClosed("there is no session yet")
        await session.send_tool_response(responses)

    def _report(self, report: ToolReport) -> None:
        if isinstance(report, ToolCallStarted):
            return  # the reducer already showed the call when it arrived
        role = "system" if isinstance(report, ToolResponseNotSent) else "tool"
        self.host.post_line(Line(role, describe(report)))

    async def confirm(self, argv: list[str]) -> Decision:
        """Ask the user about `argv` (one dialog at a time, in call order) and wait.

        If the call is cancelled meanwhile (the server withdrew it), the
        dialog closes itself and the cancellation goes on.
        """
        async with self._confirming:
            decision = await self.host.confirm(argv, **_confirm_texts(argv))
        return "once" if decision == "once" else "always" if decision == "always" else "deny"
