"""Benchmark of the tools layer: answer latency, background notice timing, loop lag, kill time.

Run:  uv run python benchmarks/tools_bench.py  (about 15 s)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

from gemini_live_tui.live.events import FunctionCall, ToolCall
from gemini_live_tui.live.messages import FunctionResponse
from gemini_live_tui.tools import ToolCallCancelled, ToolRunner, builtin_registry


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Bench:
    def __init__(self, root: Path) -> None:
        self.sent: dict[str, list[tuple[float, FunctionResponse]]] = {}
        self.reports: list[object] = []
        self.registry = builtin_registry(root)
        self.runner = ToolRunner(
            self.registry,
            self.send,
            self.allow,
            self.reports.append,
            enabled=self.registry.names(),
        )
        self.ids = 0

    async def send(self, responses: list[FunctionResponse]) -> None:
        now = time.perf_counter()
        for r in responses:
            self.sent.setdefault(r.id, []).append((now, r))

    @staticmethod
    async def allow(argv: list[str]) -> str:
        return "always"

    def call(self, name: str, **args: object) -> str:
        self.ids += 1
        call_id = f"b{self.ids}"
        self.runner.handle_call(ToolCall((FunctionCall(call_id, name, dict(args)),)))
        return call_id

    async def final(self, call_id: str) -> float:
        while not any(not r.will_continue for _, r in self.sent.get(call_id, [])):
            await asyncio.sleep(0.001)
        return [t for t, r in self.sent[call_id] if not r.will_continue][-1]


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "small.txt").write_text("x" * 10_000)
        (root / "big.txt").write_text(("y" * 99 + "\n") * 2600)  # 260 000 B < 256 KiB
        for i in range(200):
            (root / f"f{i}").touch()
        bench = Bench(root)

        quick = []
        for i in range(200):
            name, args = ("read_file", {"path": "small.txt"}) if i % 2 else ("list_files", {})
            t0 = time.perf_counter()
            quick.append((await bench.final(bench.call(name, **args))) - t0)
        print(
            f"quick call answer latency (read_file 10 KB / list_files 200 entries, n=200): "
            f"median {statistics.median(quick) * 1e3:.2f} ms, p95 {pct(quick, 0.95) * 1e3:.2f} ms"
        )

        t0 = time.perf_counter()
        timers = [bench.call("set_timer", seconds=1.0) for _ in range(20)]
        finals = [await bench.final(c) for c in timers]
        notices = [bench.sent[c][0][0] - t0 for c in timers]
        print(
            f"20 concurrent 1 s timers: notice at median {statistics.median(notices) * 1e3:.0f} ms "
            f"(max {max(notices) * 1e3:.0f}), fired at max {(max(finals) - t0) * 1e3:.0f} ms"
        )

        lateness: list[float] = []
        stop = asyncio.Event()

        async def ticker() -> None:
            while not stop.is_set():
                t = time.perf_counter()
                await asyncio.sleep(0.005)
                lateness.append(time.perf_counter() - t - 0.005)

        await bench.final(bench.call("run_command", argv=["true"]))  # warm up
        loads = {
            "20 concurrent read_file of 256 KB": lambda: [
                bench.call("read_file", path="big.txt", max_lines=2000) for _ in range(20)
            ],
            "4 concurrent run_command printing 100 KB": lambda: [
                bench.call("run_command", argv=[sys.executable, "-c", "print('x'*100000)"])
                for _ in range(4)
            ],
            "1 run_command printing 100 KB": lambda: [
                bench.call("run_command", argv=[sys.executable, "-c", "print('x'*100000)"])
            ],
        }
        for label, start in loads.items():
            lateness.clear()
            stop.clear()
            tick = asyncio.create_task(ticker())
            await asyncio.sleep(0.05)
            for c in start():
                await bench.final(c)
            stop.set()
            await tick
            print(
                f"event-loop lateness (5 ms ticker) during {label}: "
                f"max {max(lateness) * 1e3:.1f} ms, p99 {pct(lateness, 0.99) * 1e3:.1f} ms"
            )

        rtt = []
        for _ in range(30):
            t0 = time.perf_counter()
            await bench.final(bench.call("run_command", argv=["true"]))
            rtt.append(time.perf_counter() - t0)
        print(
            f"run_command ['true'] round trip (n=30): median {statistics.median(rtt) * 1e3:.1f} ms"
        )

        kills = []
        for _ in range(10):
            pid_file = root / "pid"
            pid_file.unlink(missing_ok=True)
            script = f"import os,time; open({str(pid_file)!r},'w').write(str(os.getpid())); time.sleep(60)"
            call_id = bench.call(
                "run_command", argv=[sys.executable, "-c", script], timeout_seconds=60
            )
            while not (pid_file.exists() and pid_file.read_text()):
                await asyncio.sleep(0.005)
            pid = int(pid_file.read_text())
            t0 = time.perf_counter()
            bench.runner.cancel([call_id])
            while not any(
                isinstance(r, ToolCallCancelled) and r.call_id == call_id for r in bench.reports
            ):
                await asyncio.sleep(0.001)
            kills.append(time.perf_counter() - t0)
            assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
        print(
            f"cancel → process gone and reported (n=10): median "
            f"{statistics.median(kills) * 1e3:.1f} ms, max {max(kills) * 1e3:.1f} ms"
        )
        await bench.runner.aclose()


if __name__ == "__main__":
    asyncio.run(main())
