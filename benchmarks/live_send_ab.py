"""A/B of the send path in one process: an older session against this one.

Separate benchmark runs minutes apart on this shared VM disagree by more
than the changes being compared (an idle VM even wakes colder), so this
runs both sessions against one simulator, in interleaved blocks, under the
app's delivery (a capture thread → `call_soon_threadsafe` → `asyncio.Queue`
→ a sender task awaiting `send_audio`). The older `session.py` and
`codec.py` come from a git commit (default: 7dcd40d, before
`live/wire.py`), loaded beside the current package.

Variants: the delivery alone (floor), the old session, the current one, and
the current one called from the loop callback (`send_audio_nowait`, no
queue and no task). Client CPU is `time.process_time()` per audio second.
Then, less noisy, the thread CPU of each send call itself
(`time.thread_time_ns` around it), paced at 25 Hz by `asyncio.sleep`.

Run: uv run python benchmarks/live_send_ab.py [--chunks 250] [--rounds 4] [--commit 7dcd40d]
(`--loop uvloop` with `uv run --with uvloop ...`)
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from live_loopback_bench import CHUNK_S, paced_by_callback

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession
from gemini_live_tui.live.transport import Credential, Endpoint
from gemini_live_tui.simulator.process import SimulatorProcess


def load_old_session(commit: str) -> type:
    """`LiveSession` as it was at `commit` (its session.py and codec.py)."""
    folder = Path(tempfile.mkdtemp(prefix="session-ab-"))
    for name in ("codec", "session"):
        source = subprocess.run(
            ["git", "show", f"{commit}:src/gemini_live_tui/live/{name}.py"],  # the package was in src/ then
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        source = source.replace("from .codec import", "from _ab_old_codec import")
        source = source.replace("from .", "from gemini_live_tui.live.")
        (folder / f"_ab_old_{name}.py").write_text(source)
    sys.path.insert(0, str(folder))
    return importlib.import_module("_ab_old_session").LiveSession


async def delivered(count: int, chunk: bytes, on_loop) -> float:  # noqa: ANN001
    """A capture-like thread calls `on_loop(chunk)` on the loop every 40 ms; CPU s per audio s."""
    return await paced_by_callback(count, chunk, on_loop) / (count * CHUNK_S)


async def paced_send_cost(count: int, chunk: bytes, name: str, old, new) -> float:  # noqa: ANN001
    """Median thread CPU µs of one send call, sends paced at 25 Hz."""
    costs = []
    start = time.monotonic()
    for n in range(count):
        delay = start + n * CHUNK_S - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        before = time.thread_time_ns()
        if name.startswith("old"):
            await old.send_audio(chunk)
        elif "nowait" in name:
            new.send_audio_nowait(chunk)
        else:
            await new.send_audio(chunk)
        costs.append(time.thread_time_ns() - before)
    return float(np.median(costs)) / 1000


async def bench(chunks: int, rounds: int, commit: str) -> None:
    old_session = load_old_session(commit)
    chunk = np.random.default_rng(0).normal(0, 30, 640).astype("<i2").tobytes()
    async with SimulatorProcess(api_key="bench") as simulator:
        url = await simulator.start()

        def make(cls: type) -> LiveSession:
            endpoint = Endpoint.create(Credential("api_key", "bench"), base_url=url)
            return cls(endpoint, Setup(model="models/bench", response_modalities=("TEXT",)))

        old, new = make(old_session), make(LiveSession)
        for session in (old, new):
            await session.start()
            await session.wait_connected(5)
        queue: asyncio.Queue[bytes] = asyncio.Queue()

        async def sender(send) -> None:  # noqa: ANN001 - mirrors audio_engine._send_loop
            while True:
                pcm = await queue.get()
                if send is not None:
                    await send(pcm)

        variants = {
            "floor: delivery only (queue + task)": ("task", None),
            f"old ({commit}): await send_audio": ("task", old.send_audio),
            "current: await send_audio": ("task", new.send_audio),
            "current: callback send_audio_nowait": ("callback", new.send_audio_nowait),
            "floor: callback only": ("callback", lambda pcm: None),
        }
        results: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(rounds):
            for name, (kind, send) in variants.items():
                if kind == "task":
                    task = asyncio.create_task(sender(send))
                    results[name].append(await delivered(chunks, chunk, queue.put_nowait))
                    task.cancel()
                else:
                    results[name].append(await delivered(chunks, chunk, send))
        per_send = {"old: await send_audio": [], "current: await send_audio": []}
        per_send["current: send_audio_nowait"] = []
        for _ in range(rounds):
            for name in per_send:
                per_send[name].append(await paced_send_cost(chunks, chunk, name, old, new))
        await old.close()
        await new.close()
    for name, values in per_send.items():
        runs = " ".join(f"{v:.0f}" for v in values)
        print(f"per send, {name:30s} median {np.median(values):.0f} µs thread CPU  ({runs})")
    print(f"loop {type(asyncio.get_running_loop()).__module__}, {rounds} rounds of {chunks} chunks")
    for name, values in results.items():
        runs = " ".join(f"{v:.4f}" for v in values)
        print(f"{name:40s} median {np.median(values):.4f} s/s  ({runs})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--commit", default="7dcd40d")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    run = asyncio.run
    if args.loop == "uvloop":
        import uvloop  # not a dependency: `uv run --with uvloop ...`

        run = uvloop.run
    run(bench(args.chunks, args.rounds, args.commit))


if __name__ == "__main__":
    main()
