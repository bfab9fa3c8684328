"""Ephemeral tokens from a command: a fresh token for every new connection.

An ephemeral token starts one session, only within about a minute of being
made (`newSessionExpireTime`), and expires after about 30 minutes
(https://ai.google.dev/gemini-api/docs/ephemeral-tokens). A long
conversation reconnects many times and may have to start a fresh session
(the service forgot the handle, `/apply --fresh`), so one token from the
environment cannot last. Like git's credential helpers, the user names a
command (`GEMINI_EPHEMERAL_TOKEN_COMMAND`) that prints a fresh token on its
first line; it runs before every connection, split with `shlex` and run
without a shell, with a timeout. The token is registered as a secret at
once, so it is masked in the log; it is never shown.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections.abc import Awaitable, Callable

from .live.errors import ConnectError
from .logs import mask, register_secret

log = logging.getLogger(__name__)

TOKEN_COMMAND_ENV = "GEMINI_EPHEMERAL_TOKEN_COMMAND"
TOKEN_COMMAND_TIMEOUT = 30.0
"""Seconds the command may take to print a token."""


def parse_token_command(command: str) -> list[str]:
    """The command's argv; ValueError with a reason for an empty or unbalanced one."""
    argv = shlex.split(command)
    if not argv:
        raise ValueError(f"{TOKEN_COMMAND_ENV} is empty")
    return argv


def token_command_refresher(
    argv: list[str], timeout: float = TOKEN_COMMAND_TIMEOUT
) -> Callable[[], Awaitable[str]]:
    """A `Credential.refresh` that runs `argv` and returns the first line it prints."""

    async def fetch() -> str:
        return await run_token_command(argv, timeout)

    return fetch


async def run_token_command(argv: list[str], timeout: float = TOKEN_COMMAND_TIMEOUT) -> str:
    """Run the command; the token it printed, or ConnectError saying what went wrong."""
    name = argv[0]
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as error:
        raise ConnectError(f"{TOKEN_COMMAND_ENV}: cannot run {name}: {error.strerror}") from None
    try:
        async with asyncio.timeout(timeout):
            out, err = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise ConnectError(
            f"{TOKEN_COMMAND_ENV}: {name} printed no token within {timeout:g} s"
        ) from None
    lines = out.decode("utf-8", "replace").strip().splitlines()
    token = lines[0].strip() if lines else ""
    register_secret(token)
    if process.returncode != 0:
        # stderr is the command's own message; its first line only, and masked
        said = err.decode("utf-8", "replace").strip().splitlines()
        reason = f": {mask(said[0][:200])}" if said else ""
        raise ConnectError(
            f"{TOKEN_COMMAND_ENV}: {name} failed with exit status {process.returncode}{reason}"
        )
    if not token:
        raise ConnectError(f"{TOKEN_COMMAND_ENV}: {name} printed no token")
    log.info("got a fresh ephemeral token from %s", name)
    return token
