"""The simulator in a process of its own, driven through its stdin control channel.

Benchmarks and soak tests measure the client; a simulator in the same
process would add its CPU, its memory and its share of the GIL to the
figures. `SimulatorProcess` starts `python -m gemini_live_tui.simulator
--control` and sends it commands (see `__main__.py`).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any


class SimulatorProcess:
    """`base_url = await sim.start()`, then `await sim.ask("goaway 1")`, `await sim.stop()`."""

    def __init__(self, api_key: str = "k", audio_speed: float | None = None) -> None:
        self.api_key = api_key
        self.audio_speed = audio_speed  # None: the simulator's default (faster than real time)
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> str:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "gemini_live_tui.simulator",
            "--control",
            "--api-key",
            self.api_key,
            *(["--audio-speed", str(self.audio_speed)] if self.audio_speed else []),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self._process.stdout is not None
        return (await self._process.stdout.readline()).decode().strip()

    async def ask(self, command: str) -> Any:
        """Send one command line; returns its JSON answer."""
        process = self._process
        assert process is not None and process.stdin and process.stdout
        process.stdin.write(command.encode() + b"\n")
        await process.stdin.drain()
        return json.loads(await process.stdout.readline())

    async def stop(self) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        assert process.stdin is not None
        process.stdin.write(b"quit\n")
        try:
            await asyncio.wait_for(process.wait(), 5)
        except TimeoutError:
            process.kill()
            await process.wait()

    async def __aenter__(self) -> SimulatorProcess:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
