"""Run the simulator in its own process, optionally driven line by line on stdin.

`python -m gemini_live_tui.simulator [--port N] [--api-key K] [--audio-speed X] [--control]`
prints the base URL on its first line. With `--control`, each line on stdin
is a command and each answer one JSON line on stdout: `goaway SECONDS`,
`drop`, `texts`, `counts`, `audio-times` (arrival times of realtime
audio, CLOCK_MONOTONIC), `stream N RATE` (N text fragments at RATE per
second on an absolute schedule, then turnComplete), `quit`. Soak tests and benchmarks use it so the
simulator's memory and CPU are not the client's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys

from .server import LiveSimulator


async def _control(sim: LiveSimulator) -> None:
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        words = line.split()
        if not words or words[0] == "quit":
            return
        command = words[0]
        if command == "goaway":
            await sim.send_goaway(float(words[1]) if len(words) > 1 else 5.0)
            answer: object = "ok"
        elif command == "drop":
            await sim.drop()
            answer = "ok"
        elif command == "stream":
            await _stream(sim, int(words[1]), float(words[2]))
            answer = "ok"
        elif command == "texts":
            answer = sim.texts()
        elif command == "counts":
            answer = sim.counts
        elif command == "audio-times":
            answer = list(sim.audio_arrivals)
        else:
            answer = {"error": f"unknown command {command}"}
        print(json.dumps(answer), flush=True)


async def _stream(sim: LiveSimulator, count: int, rate: float) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index in range(count):
        if (delay := start + index / rate - loop.time()) > 0:
            await asyncio.sleep(delay)
        word = "fragment" if index % 7 else "日本語"
        await sim.send_message(
            {"serverContent": {"modelTurn": {"parts": [{"text": f" {word}{index}"}]}}}
        )
    await sim.send_message({"serverContent": {"turnComplete": True}})


async def _main(port: int, api_key: str | None, control: bool, audio_speed: float) -> None:
    async with LiveSimulator(
        api_key=api_key, port=port, record=False, audio_speed=audio_speed
    ) as sim:
        print(sim.base_url, flush=True)
        if control:
            await _control(sim)
        else:
            await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m gemini_live_tui.simulator")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--control", action="store_true", help="read commands on stdin")
    parser.add_argument(
        "--audio-speed",
        type=float,
        default=4.0,
        help="how much faster than real time spoken replies are sent (1 = real time)",
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main(args.port, args.api_key, args.control, args.audio_speed))


if __name__ == "__main__":
    main()
