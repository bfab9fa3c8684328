"""`run_command`: the model may run a program in the workspace, with the user's consent.

Safe by default: off unless the user enables it; argv only, never a shell;
every call confirmed by the user (the runner's `confirm`, a modal in the
TUI); a timeout (10 s by default, 60 s at most); stdout and stderr capped;
the environment stripped of anything that looks like a secret (the API key
lives there). The program runs in its own process group, and the whole
group is killed when the call times out, is cancelled, or the program exits
leaving children behind, so nothing the model starts outlives its call.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .arguments import get_number, get_str_list
from .errors import ToolError
from .registry import CallContext, ToolSpec
from .workspace import Workspace

DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 60.0
OUTPUT_CAP = 16 * 1024
_SECRET_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|COOKIE|AUTH", re.IGNORECASE)
_DRAIN_GRACE = 1.0

DECLARATION = {
    "name": "run_command",
    "description": (
        "Run a program in the user's workspace folder and return its exit code, stdout and "
        "stderr (each capped at 16 KB). Give the argv as a list: it is NOT run by a shell, so "
        "no pipes, globbing or redirection. The user must confirm every call and may deny it."
    ),
    "parameters": {
        "type": "OBJECT",
        "properties": {
            "argv": {
                "type": "ARRAY",
                "items": {"type": "STRING"},
                "minItems": 1,
                "description": "Program and arguments, e.g. ['ls', '-l'].",
            },
            "timeout_seconds": {
                "type": "NUMBER",
                "description": "Stop the program after this long (default 10, at most 60).",
                "minimum": 0.1,
                "maximum": MAX_TIMEOUT,
            },
        },
        "required": ["argv"],
    },
}


def scrubbed_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment without variables whose names look like secrets."""
    source = os.environ if environ is None else environ
    return {k: v for k, v in source.items() if not _SECRET_NAME.search(k)}


@dataclass(slots=True)
class _Capture:
    """Keeps the first `cap` bytes of a stream and counts the rest."""

    cap: int
    data: bytearray
    total: int = 0

    async def drain(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(65536):
            self.total += len(chunk)
            room = self.cap - len(self.data)
            if room > 0:
                self.data += chunk[:room]

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    @property
    def truncated(self) -> bool:
        return self.total > len(self.data)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class _ExitAware(asyncio.subprocess.SubprocessStreamProtocol):
    """Stream protocol that also says when the program itself exited.

    `Process.wait()` only returns once every pipe is closed too, which a
    child left running in the background can delay forever.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(limit=2**16, loop=loop)
        self.exited = asyncio.Event()

    def process_exited(self) -> None:
        super().process_exited()
        self.exited.set()


async def run_argv(
    argv: Sequence[str],
    *,
    cwd: str | os.PathLike[str],
    timeout: float = DEFAULT_TIMEOUT,
    output_cap: int = OUTPUT_CAP,
    spawn_gate: asyncio.Semaphore | None = None,
) -> dict[str, Any]:
    """Run `argv` (no shell) in `cwd`; the result dict, or `ToolError` on timeout or bad program.

    Cancelling the awaiting task kills the program's whole process group.
    Spawning blocks the event loop for a few milliseconds (fork/exec);
    callers sharing a `spawn_gate` spawn one program per loop iteration.
    """
    async with spawn_gate or contextlib.nullcontext():
        transport, protocol = await _spawn(argv, cwd)
        await asyncio.sleep(0)  # let the loop breathe before the next spawn
    return await _supervise(argv, transport, protocol, timeout, output_cap)


async def _spawn(
    argv: Sequence[str], cwd: str | os.PathLike[str]
) -> tuple[asyncio.SubprocessTransport, _ExitAware]:
    loop = asyncio.get_running_loop()
    try:
        return await loop.subprocess_exec(
            lambda: _ExitAware(loop),
            *argv,
            cwd=cwd,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=scrubbed_environment(),
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        raise ToolError(f"no such program: {argv[0]!r}") from exc
    except PermissionError as exc:
        raise ToolError(f"{argv[0]!r} cannot be run: permission denied") from exc
    except OSError as exc:
        raise ToolError(f"{argv[0]!r} cannot be run: {exc.strerror or exc}") from exc


async def _supervise(
    argv: Sequence[str],
    transport: asyncio.SubprocessTransport,
    protocol: _ExitAware,
    timeout: float,
    output_cap: int,
) -> dict[str, Any]:
    pgid = transport.get_pid()  # a new session: the group id is the program's pid
    assert protocol.stdout is not None and protocol.stderr is not None
    out, err = _Capture(output_cap, bytearray()), _Capture(output_cap, bytearray())
    readers = [
        asyncio.create_task(out.drain(protocol.stdout)),
        asyncio.create_task(err.drain(protocol.stderr)),
    ]
    timed_out = False
    try:
        try:
            async with asyncio.timeout(timeout):
                await protocol.exited.wait()
        except TimeoutError:
            timed_out = True
            _kill_group(pgid)
            await protocol.exited.wait()
        _kill_group(pgid)  # children it left behind would hold the pipes open
        await _finish_readers(readers)
    except BaseException:  # cancelled: the program must not outlive the call
        _kill_group(pgid)
        for reader in readers:
            reader.cancel()
        # report "cancelled" only once the program is really gone
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            async with asyncio.timeout(_DRAIN_GRACE):
                await asyncio.shield(protocol.exited.wait())
        raise
    finally:
        transport.close()
    if timed_out:
        so_far = out.text[-500:].strip()
        raise ToolError(
            f"{argv[0]!r} did not finish within {timeout:g} s and was stopped"
            + (f"; its last output: {so_far!r}" if so_far else "")
        )
    return {
        "exit_code": transport.get_returncode(),
        "stdout": out.text,
        "stderr": err.text,
        "stdout_truncated": out.truncated,
        "stderr_truncated": err.truncated,
    }


async def _finish_readers(readers: list[asyncio.Task[None]]) -> None:
    _, late = await asyncio.wait(readers, timeout=_DRAIN_GRACE)
    for reader in late:  # a process outside the group still holds a pipe
        reader.cancel()
    await asyncio.gather(*readers, return_exceptions=True)


def run_command_spec(workspace: Workspace) -> ToolSpec:
    """The `run_command` tool, running programs in `workspace`."""
    spawn_gate = asyncio.Semaphore(1)

    async def run_command(args: dict[str, Any], context: CallContext) -> dict[str, Any]:
        argv = get_str_list(args, "argv")
        timeout = get_number(
            args, "timeout_seconds", DEFAULT_TIMEOUT, minimum=0.1, maximum=MAX_TIMEOUT
        )
        root = workspace.root  # no workspace: refused before the user is asked
        if not await context.confirm(tuple(argv)):
            raise ToolError("the user denied running this command")
        return await run_argv(argv, cwd=root, timeout=timeout, spawn_gate=spawn_gate)

    return ToolSpec(
        name="run_command",
        summary="run a program in the workspace (asks you first; off by default)",
        default_enabled=False,
        declaration=DECLARATION,
        execute=run_command,
        summarize=_summary,
    )


def _summary(result: dict[str, Any]) -> str:
    parts = [f"exit {result['exit_code']}"]
    for stream in ("stdout", "stderr"):
        if result[stream]:
            more = "+" if result[f"{stream}_truncated"] else ""
            parts.append(f"{len(result[stream].encode())}{more} B {stream}")
    return ", ".join(parts)
