"""A 10,000-line conversation: time to add the lines, to page through, to echo a key.

Headless app (Textual's pilot, which still lays out and renders), no session.
Keys go in through the driver (as from a terminal) and are timed to the first frame after
their effect (the pilot's own `press` adds ~60 ms of fixed waits). The resize, too,
goes in through the driver; it is timed to its first frame and to the moment
every line is re-wrapped, with the longest event-loop block in between and the
key echo while the re-wrap runs.

    uv run python benchmarks/tui_scrollback.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time

from key_echo import key_to_frame
from textual import events
from textual.geometry import Size

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp
from gemini_live_tui.tui.lines import Line

LINES = 10_000


async def timed(app: GeminiLiveApp, key: str, observe) -> float:
    """Seconds from posting `key` to the first frame after `observe()` changed."""
    elapsed = await key_to_frame(app, key, observe)
    await asyncio.sleep(0.02)
    return elapsed


async def main() -> None:
    os.environ.setdefault("GEMINI_LIVE_STATE_DIR", tempfile.mkdtemp())
    app = GeminiLiveApp(
        AppOptions(label="bench", setup=Setup(model="models/bench"), persist_history=False)
    )
    async with app.run_test(size=(100, 30)) as pilot:
        start = time.perf_counter()
        for number in range(LINES):
            text = f"line {number} " + (
                "漢字 emoji 😀 " if number % 5 == 0 else "word " * (number % 40)
            )
            app.post_line(Line("model" if number % 2 else "you", text))
        await pilot.pause()
        added = time.perf_counter() - start
        pages = [
            await timed(app, "pageup", lambda: app.conversation.scroll_offset.y) for _ in range(30)
        ]
        keys = [await timed(app, "x", lambda: app.prompt.value) for _ in range(30)]
        rows = app.conversation.row_count
        app.conversation.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        view = app.conversation
        gaps: list[float] = []
        stop = asyncio.Event()

        async def ticker() -> None:
            """The longest time the event loop was blocked while the view re-wraps."""
            last = time.perf_counter()
            while not stop.is_set():
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        ticking = asyncio.create_task(ticker())
        await asyncio.sleep(0.05)
        start = time.perf_counter()
        app._driver.send_message(events.Resize(Size(60, 15), Size(60, 15)))  # as a terminal would
        while view._wrap_width == 0 or view._wrap_width > 60:
            await asyncio.sleep(0.0005)
        first = asyncio.get_running_loop().create_future()
        app.call_after_refresh(lambda: first.done() or first.set_result(None))
        await first
        first_frame = time.perf_counter() - start
        during = [await timed(app, "x", lambda: app.prompt.value) for _ in range(5)]
        while any(w != view._wrap_width for w in view._row_widths):
            await asyncio.sleep(0.005)
        resized = time.perf_counter() - start
        stop.set()
        await ticking
        bottom_ok = view.visible_text()[-1].strip() != ""
    print(f"{LINES} lines ({rows} rows at 100 cols) added and laid out in {added:.2f} s")
    print(
        f"PageUp (key to frame): median {statistics.median(pages) * 1000:.1f} ms, max {max(pages) * 1000:.1f} ms"
    )
    print(
        f"key echo (key to frame): median {statistics.median(keys) * 1000:.1f} ms, max {max(keys) * 1000:.1f} ms"
    )
    print(
        f"resize 100x30 -> 60x15: first frame {first_frame * 1000:.0f} ms, "
        f"every line re-wrapped after {resized:.2f} s, longest event-loop block "
        f"{max(gaps) * 1000:.0f} ms; key echo meanwhile max {max(during) * 1000:.1f} ms; "
        f"view still at the bottom: {bottom_ok}"
    )


if __name__ == "__main__":
    asyncio.run(main())
