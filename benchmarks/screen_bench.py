"""Screen-sharing budgets: CPU and size per frame, and event-loop lag while sharing.

Starts its own Xvfb (1920×1080×24), paints a desktop-like image on it and
measures, on this machine:

1. per 1920×1080 frame, the CPU time of each stage (grab, BGRA→RGB,
   downscale to 1280×720, JPEG encode) and of the whole ``FrameGrabber.capture``,
   with the JPEG size at several qualities (budget: < 40 ms, < 200 KB);
2. the event loop's lag (a proxy for key-echo latency in the TUI) while a
   ``ScreenShare`` sends a changing screen at 1 and 5 frames/s (budget:
   p99 < 50 ms), and the process CPU use meanwhile.

Run:  uv run python benchmarks/screen_bench.py  (about 30 s)
"""

from __future__ import annotations

import asyncio
import io
import statistics
import sys
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gemini_live_tui.media.screen.capture import FrameGrabber, fit_within  # noqa: E402
from gemini_live_tui.media.screen.share import ScreenShare  # noqa: E402
from gemini_live_tui.media.screen.targets import find_target, open_mss  # noqa: E402
from tests.xvfb_support import Painter, XvfbServer, desktop_like_image  # noqa: E402

FRAMES = 40


def cpu_ms(fn, n: int = FRAMES) -> tuple[float, object]:  # noqa: ANN001
    """Mean CPU milliseconds of ``fn()`` over ``n`` calls, and its last result."""
    start = time.process_time()
    for _ in range(n):
        result = fn()
    return (time.process_time() - start) / n * 1000, result


def photo_like_image(width: int, height: int) -> Image.Image:
    """Worst realistic case: a full-screen photo (smooth noise at 12 px scale)."""
    import numpy as np

    coarse = np.random.default_rng(3).integers(0, 255, (height // 12, width // 12, 3), np.uint8)
    return Image.fromarray(coarse, "RGB").resize((width, height), Image.Resampling.BICUBIC)


def stages(display: str) -> None:
    with open_mss(display) as grabber:
        monitor = grabber.monitors[1]
        grabber.grab(monitor)
        grab_ms, shot = cpu_ms(lambda: grabber.grab(monitor))
    convert_ms, rgb = cpu_ms(
        lambda: Image.frombuffer("RGB", shot.size, shot.raw, "raw", "BGRX", 0, 1)
    )
    size = fit_within(*shot.size, 1280)
    resize_ms, small = cpu_ms(lambda: rgb.resize(size, Image.Resampling.BOX))
    print(f"grab 1920×1080 (XShm)     {grab_ms:6.1f} ms CPU")
    print(f"BGRA → RGB                {convert_ms:6.1f} ms CPU")
    print(f"downscale → {size[0]}×{size[1]} BOX {resize_ms:6.1f} ms CPU")
    for quality in (60, 75, 85):

        def encode(q: int = quality) -> bytes:
            out = io.BytesIO()
            small.save(out, "JPEG", quality=q)
            return out.getvalue()

        ms, data = cpu_ms(encode)
        print(f"JPEG q{quality}                  {ms:6.1f} ms CPU  {len(data) / 1024:6.1f} KB")
    photo = photo_like_image(*shot.size).resize(size, Image.Resampling.BOX)
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=75)
    print(f"JPEG q75, full-screen photo-like     {len(out.getvalue()) / 1024:6.1f} KB")
    unchanged = bytearray(shot.raw)
    ms, _ = cpu_ms(lambda: unchanged == shot.raw, 200)
    print(f"unchanged check (memcmp)  {ms:6.2f} ms CPU")


def whole_capture(display: str) -> None:
    target = find_target("m1", display)
    with FrameGrabber(target, display=display) as grabber:
        grabber.capture(force=True)
        wall = time.perf_counter()
        ms, frame = cpu_ms(lambda: grabber.capture(force=True))
        wall_ms = (time.perf_counter() - wall) / FRAMES * 1000
        print(
            f"FrameGrabber.capture      {ms:6.1f} ms CPU  {wall_ms:5.1f} ms wall  "
            f"{len(frame.jpeg) / 1024:6.1f} KB  (q75, {frame.width}×{frame.height})"
        )
        static_ms, result = cpu_ms(lambda: grabber.capture())
        print(f"capture, screen unchanged {static_ms:6.1f} ms CPU  ({result.name})")


async def sharing_lag(display: str, painter: Painter, interval: float, seconds: float) -> None:
    images = [desktop_like_image(seed=s) for s in (1, 2)]
    sizes: list[int] = []

    def send_video(data: bytes, mime_type: str) -> None:
        sizes.append(len(data))

    share = ScreenShare(send_video, display=display, skip_unchanged=False)
    await share.start("m1", interval)
    lags: list[float] = []
    cpu0, wall0 = time.process_time(), time.monotonic()
    flip = wall0
    n = 0
    while time.monotonic() - wall0 < seconds:
        if time.monotonic() >= flip:  # change the screen so every frame is encoded
            painter.image(images[n % 2])
            n += 1
            flip += 1.0
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append((time.perf_counter() - before - 0.005) * 1000)
    cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0) * 100
    stats = share.stats()
    await share.stop()
    lags.sort()
    p50 = statistics.median(lags)
    p99 = lags[int(len(lags) * 0.99)]
    print(
        f"sharing every {interval:.1f} s: loop lag p50 {p50:5.2f} ms  p99 {p99:5.2f} ms  "
        f"max {lags[-1]:5.1f} ms; {stats.frames_sent} frames, {stats.fps:.2f} fps, "
        f"process CPU {cpu:4.1f} % of one core (incl. repainting)"
    )


def main() -> None:
    server = XvfbServer.start(1920, 1080)
    painter = Painter(server.name)
    try:
        painter.image(desktop_like_image())
        print(
            f"{time.strftime('%Y-%m-%d')}  Python {sys.version.split()[0]}  display {server.name}"
        )
        stages(server.name)
        whole_capture(server.name)
        for interval in (1.0, 0.2):
            asyncio.run(sharing_lag(server.name, painter, interval, 8.0))
    finally:
        painter.close()
        server.stop()


if __name__ == "__main__":
    main()
