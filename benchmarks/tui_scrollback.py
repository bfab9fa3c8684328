"""A 10,000-line conversation: time to add the lines, to page through, to echo a key.

Headless app (Textual's pilot, which still lays out and renders), no session.
Keys go in through the driver (as from a terminal) and are timed to the first frame after
their effect (the pilot's own `press` adds ~60 ms of fixed waits).

    uv run python benchmarks/tui_scrollback.py
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time

from textual import events

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp
from gemini_live_tui.tui.lines import Line

LINES = 10_000


async def timed(app: GeminiLiveApp, key: str, observe) -> float:
    """Seconds from posting `key` to the first frame after `observe()` changed."""
    before = observe()
    done = asyncio.get_running_loop().create_future()
    start = time.perf_counter()
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))  # as a terminal would
    while observe() == before:
        await asyncio.sleep(0.0005)
    app.call_after_refresh(lambda: done.done() or done.set_result(None))
    await done
    elapsed = time.perf_counter() - start
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
        start = time.perf_counter()
        await pilot.resize_terminal(60, 15)
        await pilot.pause()
        resized = time.perf_counter() - start
    print(f"{LINES} lines ({rows} rows at 100 cols) added and laid out in {added:.2f} s")
    print(
        f"PageUp (key to frame): median {statistics.median(pages) * 1000:.1f} ms, max {max(pages) * 1000:.1f} ms"
    )
    print(
        f"key echo (key to frame): median {statistics.median(keys) * 1000:.1f} ms, max {max(keys) * 1000:.1f} ms"
    )
    print(f"resize 100x30 -> 60x15 (re-wrap all): {resized:.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
