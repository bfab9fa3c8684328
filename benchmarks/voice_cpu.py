"""CPU of the real `gemini-live` with voice, as a user leaves it open: three states.

Run:  flock /tmp/bench.lock uv run python benchmarks/voice_cpu.py                 (about 3 min)
      flock /tmp/bench.lock uv run python benchmarks/voice_cpu.py --runs 3 --seconds 10
      ... --src /tmp/old-checkout --src .     (A/B: two code trees, runs interleaved)
      ... --threads                                  (per-thread CPU and wake-ups per second)
      ... --runs 1 --profile /tmp/voice.perf         (perf record -g of each row)
      uv run --with py-spy ... --profile /tmp/voice  (py-spy --native: Python stacks)

The app is the real command (`python -m gemini_live_tui.cli`, what `gemini-live`
runs) in a pty of 110×30, against the loopback simulator in a process of its
own (model audio at 1.0× real time), on a private PulseAudio null sink whose
monitor is the microphone (what the speaker plays comes back: a real echo
path). CPU is user + system seconds of the app's whole process tree (psutil:
every thread — Textual, the session, PortAudio's callbacks, the ALSA→pulse
client threads, the capture worker) per second of wall time, over `--seconds`:

1. connected, mic and speaker off;
2. `/speak` and `/mic` on, nobody talking (from 6 s after `/mic`: the steady
   state, past the echo canceller's warm-up);
3. mic on and the model talking (a long reply, real time, echo cancelled; a
   short reply first, so the canceller has heard the echo path once). If echo
   leaks through and the simulator's voice detector interrupts the reply, the
   benchmark asks again and says how often.

Each run starts a fresh app; with several `--src` trees the runs alternate
between them so the load of a shared machine falls on all alike. Prints each
run, then the median and range of each row per tree, and the load average.
With `--threads`, each row also lists the threads by CPU with their
voluntary context switches (wake-ups) per second, from /proc.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from audio_pipeline_bench import private_pulse  # noqa: E402
from ptyrun import APP, PtyProgram, private_env  # noqa: E402

ROWS = ("connected, devices off", "mic + speaker on, quiet", "mic on, model talking")
LONG_PROMPT = "tell me a long story please"  # "long": the simulator answers for ~30 s
# The row "nobody talking" is the steady state of a microphone left open: measured
# from 6 s after /mic, past the echo canceller's 5 s warm-up.
SETTLE = 6.0
HEARD = re.compile(r"heard (\d+\.\d\d) s of audio")


class Simulator:
    """The simulator in its own process (real-time audio), asked for counts on stdin."""

    def __init__(self, src: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(src))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gemini_live_tui.simulator", "--control", "--api-key", "k"]
            + ["--audio-speed", "1.0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def counts(self) -> dict[str, int]:
        import json

        assert self.process.stdin and self.process.stdout
        self.process.stdin.write("counts\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()


class App:
    """The real command in a pty; a thread drains the screen so the app never blocks."""

    def __init__(self, src: Path, base_url: str, home: Path) -> None:
        env = private_env(
            home,
            GEMINI_API_KEY="k",
            GEMINI_LIVE_BASE_URL=base_url,
            PYTHONPATH=str(src),
            COLUMNS="110",
            LINES="30",
        )
        self.pty = PtyProgram(list(APP), env)
        fcntl.ioctl(self.pty.controller, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 110, 0, 0))
        self.proc = psutil.Process(self.pty.process.pid)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while not self._stop.is_set() and self.pty.process.poll() is None:
            with self._lock:
                self.pty.read(0.1)
                if len(self.pty.output) > 4_000_000:
                    self.pty.output = self.pty.output[-1_000_000:]

    def screen(self) -> str:
        with self._lock:
            return self.pty.text()

    def wait_for(self, needle: str, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if needle in self.screen():
                return
            if self.pty.process.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit(f"the app never showed {needle!r}; last screen:\n{self.screen()[-3000:]}")

    def type_line(self, text: str) -> None:
        self.pty.type(text)
        time.sleep(0.2)
        self.pty.type("\r")

    def cpu(self) -> float:
        """User + system CPU seconds of the app and its children so far."""
        total = 0.0
        for p in (self.proc, *self.proc.children(recursive=True)):
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def close(self) -> None:
        self.pty.type("/quit\r")
        self._stop.set()
        self._reader.join(2)
        if self.pty.close(10) is None:
            self.pty.process.kill()


def thread_sample(pid: int) -> dict[int, tuple[str, float, int, int]]:
    """tid → (name, CPU seconds (schedstat, exact), voluntary, involuntary context switches)."""
    out = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
            status = (task / "status").read_text()
            cpu = int((task / "schedstat").read_text().split()[0]) / 1e9  # ns, exact
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        vol = invol = 0
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches"):
                vol = int(line.split()[1])
            elif line.startswith("nonvoluntary_ctxt_switches"):
                invol = int(line.split()[1])
        out[int(task.name)] = (name, cpu, vol, invol)
    return out


def thread_report(before: dict, after: dict, wall: float) -> list[str]:
    rows = []
    for tid, (name, cpu, vol, invol) in after.items():
        b = before.get(tid, (name, 0.0, 0, 0))
        rows.append(
            (
                (cpu - b[1]) / wall,
                f"    tid {tid:>7} {name:<16} {(cpu - b[1]) / wall:.4f} s/s, "
                f"{(vol - b[2]) / wall:6.1f} wake-ups/s, {(invol - b[3]) / wall:5.1f} preempted/s",
            )
        )
    rows.sort(reverse=True)
    return [text for cpu, text in rows if cpu > 0.0005 or "wake" in text][:12]


def measure(
    app: App,
    seconds: float,
    threads: bool,
    profile: Path | None = None,
    during: Callable[[], None] | None = None,
) -> tuple[float, list[str]]:
    before = thread_sample(app.proc.pid) if threads else {}
    cpu0, wall0 = app.cpu(), time.perf_counter()
    if profile is not None:  # the profiler samples the whole window (its CPU is not the app's)
        pid, span = str(app.proc.pid), str(int(seconds))
        if profile.suffix == ".perf":  # on-CPU samples of every thread, kernel included
            command = ["perf", "record", "-F", "499", "-g", "-o", str(profile), "-p", pid]
            command += ["--", "sleep", span]
        else:  # Python stacks (py-spy counts a thread waiting in a syscall as busy)
            command = ["py-spy", "record", "--native", "--threads", "-r", "100", "-f", "raw"]
            command += ["-d", span, "-o", str(profile), "-p", pid]
        profiler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while time.perf_counter() - wall0 < seconds:
        time.sleep(min(0.2, max(0.0, seconds - (time.perf_counter() - wall0))))
        if during is not None:
            during()
    wall = time.perf_counter() - wall0
    cpu = (app.cpu() - cpu0) / wall
    if profile is not None:
        profiler.wait(30)
    detail = thread_report(before, thread_sample(app.proc.pid), wall) if threads else []
    return cpu, detail


def one_run(src: Path, seconds: float, threads: bool, profile: Path | None = None) -> list[float]:
    sim = Simulator(src)
    figures = []
    with tempfile.TemporaryDirectory(prefix="voice-cpu-") as home:
        app = App(src, sim.base_url, Path(home))
        try:
            deadline = time.monotonic() + 30
            while sim.counts().get("setup", 0) < 1 and time.monotonic() < deadline:
                time.sleep(0.2)
            app.wait_for("connected")
            time.sleep(2.0)
            cpu, detail = measure(app, seconds, threads, _row_file(profile, 1))
            figures.append(cpu)
            print(f"  {ROWS[0]:<26} {cpu:.4f} s/s", *detail, sep="\n", flush=True)
            app.type_line("/speak")
            app.wait_for("speaker on:")
            app.type_line("/mic")
            app.wait_for("microphone on:")
            time.sleep(SETTLE)
            audio0 = sim.counts().get("audio", 0)
            cpu, detail = measure(app, seconds, threads, _row_file(profile, 2))
            figures.append(cpu)
            sent = sim.counts().get("audio", 0) - audio0
            print(
                f"  {ROWS[1]:<26} {cpu:.4f} s/s ({sent / seconds:.1f} audio chunks/s reached "
                "the simulator)",
                *detail,
                sep="\n",
                flush=True,
            )
            # A first short reply lets the echo canceller find the echo path (a first
            # reply can still leak its first half second: docs/performance.md, Voice).
            app.type_line("hello")
            time.sleep(6.0)
            heard = set(HEARD.findall(app.screen()))
            cuts = [0]
            app.type_line(LONG_PROMPT)
            time.sleep(2.0)

            def keep_talking() -> None:
                # Echo that leaks through makes the simulator's voice detector take it for
                # the user: it interrupts the reply and answers "I heard N s of audio"
                # (each with its own N, so repaints of the screen do not count twice).
                # Ask again, so the row still measures a talking model.
                now = set(HEARD.findall(app.screen()))
                if now - heard:
                    heard.update(now)
                    cuts[0] += 1
                    app.type_line(LONG_PROMPT)

            cpu, detail = measure(app, seconds, threads, _row_file(profile, 3), keep_talking)
            figures.append(cpu)
            print(
                f"  {ROWS[2]:<26} {cpu:.4f} s/s"
                + (
                    f" ({cuts[0]} times interrupted by leaked echo, asked again)" if cuts[0] else ""
                ),
                *detail,
                sep="\n",
                flush=True,
            )
        finally:
            app.close()
            sim.stop()
    return figures


def _row_file(profile: Path | None, row: int) -> Path | None:
    if profile is None:
        return None
    suffix = ".perf" if profile.suffix == ".perf" else ".txt"
    return profile.with_name(f"{profile.stem}-row{row}{suffix}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="per row (≤ 25: the reply)")
    parser.add_argument(
        "--src",
        action="append",
        type=Path,
        help="a directory holding the gemini_live_tui package (repeat for an interleaved A/B); default: this checkout",
    )
    parser.add_argument("--threads", action="store_true", help="per-thread CPU and wake-ups")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="record each row: PREFIX.perf with `perf record -g` (PREFIX-rowN.perf), "
        "anything else with py-spy --native (`uv run --with py-spy`; PREFIX-rowN.txt, "
        "collapsed stacks)",
    )
    args = parser.parse_args()
    srcs = [p.resolve() for p in (args.src or [Path(__file__).parent.parent])]
    results: dict[Path, list[list[float]]] = {src: [] for src in srcs}
    loads = []
    print(f"# voice CPU, {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.2f}")
    with private_pulse():
        for run in range(args.runs):
            for src in srcs:
                loads.append(os.getloadavg()[0])
                print(f"run {run + 1}, {src} (load {loads[-1]:.2f})", flush=True)
                results[src].append(one_run(src, args.seconds, args.threads, args.profile))
    print(f"\nCPU s/s of the app's process tree, median (range) of {args.runs} runs")
    print(f"load during the runs {min(loads):.2f}–{max(loads):.2f}")
    for src, runs in results.items():
        print(src)
        for i, row in enumerate(ROWS):
            values = [r[i] for r in runs]
            print(
                f"  {row:<26} {statistics.median(values):.4f} ({min(values):.4f}–{max(values):.4f})"
            )


if __name__ == "__main__":
    main()
