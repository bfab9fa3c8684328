"""Completion popup, scrolling, following the bottom, wide characters, resizing."""

from __future__ import annotations

import asyncio
import time

from apptest import type_line, until
from rich.cells import cell_len
from textual import events

from gemini_live_tui.tui.lines import Line


async def test_tab_completes_commands_subcommands_and_tools(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/too", "tab")
        assert app.prompt.value == "/tools "
        await pilot.press(*"en", "tab")
        assert app.prompt.value == "/tools enable "
        await pilot.press(*"set_", "tab")
        assert app.prompt.value == "/tools enable set_timer "


async def test_popup_moves_accepts_and_closes(make_app):
    app = make_app(connect=False)
    popup = None
    async with app.run_test(size=(100, 30)) as pilot:
        popup = app.query_one("#popup")
        await pilot.press(*"/s", "tab")
        assert popup.is_open
        labels = [str(o.prompt).split()[0] for o in popup.options]
        assert labels[:3] == ["/system", "/save", "/speak"]
        await pilot.press("down")
        await pilot.press("tab")
        assert not popup.is_open
        assert app.prompt.value == "/save "
        app.prompt.value = ""
        await pilot.press(*"/s", "tab")
        assert popup.is_open
        await pilot.press("shift+tab")  # wraps to the last candidate
        await pilot.press("escape")
        assert not popup.is_open and app.prompt.value == "/s"


async def test_tab_completes_attachment_paths(make_app, isolated_dirs):
    cwd = isolated_dirs["cwd"]
    (cwd / "my photos").mkdir()
    (cwd / "my photos" / "cat.png").write_bytes(b"x")
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"look @my", "tab")
        assert app.prompt.value == "look @my\\ photos/"
        await pilot.press("tab")
        assert app.prompt.value == "look @my\\ photos/cat.png "


def _fill(app, count: int) -> None:
    for number in range(count):
        app.post_line(Line("model", f"line {number}"))


async def test_view_follows_the_bottom_only_while_at_the_bottom(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(60, 15)) as pilot:
        _fill(app, 100)
        await pilot.pause()
        view = app.conversation
        assert view.visible_text()[-1].endswith("line 99")
        await pilot.press("pageup")
        top = view.scroll_offset.y
        assert top < view.max_scroll_y
        app.post_line(Line("model", "new line"))
        await pilot.pause()
        assert view.scroll_offset.y == top  # reading history: the view stays
        assert not any("new line" in t for t in view.visible_text())
        await pilot.press("pagedown", "pagedown", "pagedown")
        assert view.visible_text()[-1].endswith("new line")
        app.post_line(Line("model", "newest"))
        await pilot.pause()
        assert view.visible_text()[-1].endswith("newest")


async def test_mouse_wheel_scrolls(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(60, 15)) as pilot:
        _fill(app, 100)
        await pilot.pause()
        before = app.conversation.scroll_offset.y
        view = app.conversation
        view.post_message(events.MouseScrollUp(view, 5, 5, 0, -1, 0, False, False, False))
        await pilot.pause()
        assert app.conversation.scroll_offset.y < before


async def test_wide_characters_keep_their_width_when_wrapping(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(60, 15)) as pilot:
        app.post_line(Line("model", "漢字かな😀" * 20))
        await pilot.pause()
        view = app.conversation
        rows = view._rows[-1]
        width = view.scrollable_content_region.width
        assert len(rows) > 1
        assert all(strip.cell_length <= width for strip in rows)
        body = "".join(strip.text[7:].rstrip() for strip in rows)
        assert body == "漢字かな😀" * 20  # nothing lost or split
        assert cell_len(rows[0].text.rstrip()) > width - 3


async def test_resize_rewraps(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        app.post_line(Line("model", "word " * 60))
        await pilot.pause()
        wide = len(app.conversation._rows[-1])
        await pilot.resize_terminal(60, 15)
        await until(pilot, lambda: len(app.conversation._rows[-1]) > wide)
        await type_line(pilot, "/help")  # still usable at 60x15
        assert app.conversation.visible_text()


async def test_ten_thousand_lines_stay_responsive(make_app):
    import time

    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        start = time.perf_counter()
        _fill(app, 10_000)
        await pilot.pause()
        filled = time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(20):
            await pilot.press("pageup")
        scrolled = time.perf_counter() - start
        await pilot.press(*"abc")
        assert app.prompt.value == "abc"
        assert filled < 5.0, filled
        assert scrolled < 3.0, scrolled


async def test_long_conversation_rewraps_what_is_in_view_first(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        for number in range(10_000):
            app.post_line(Line("model", f"line {number} " + "word " * (number % 30)))
        app.post_line(Line("model", "word " * 60))
        await pilot.pause()
        view = app.conversation
        wide = len(view._rows[-1])
        gaps: list[float] = []
        done = asyncio.Event()

        async def watch() -> None:  # how long the event loop is ever blocked
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.001)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        watching = asyncio.create_task(watch())
        await pilot.resize_terminal(80, 20)
        await pilot.resize_terminal(60, 15)
        assert len(view._rows[-1]) > wide  # the rows in view are re-wrapped at once
        await pilot.press(*"ok")  # the input answers while the rest re-wraps
        assert app.prompt.value == "ok"
        await until(pilot, lambda: all(w == view._wrap_width for w in view._row_widths), 20)
        done.set()
        await watching
        # re-wrapping all 10,000 lines at once blocked the loop ~1.5 s; slices take ms
        assert max(gaps) < 0.4, max(gaps)
        assert view.visible_text()[-1].strip()  # still following the bottom
        rows = [strip for r in view._rows for strip in r]
        assert all(strip.cell_length <= view.scrollable_content_region.width for strip in rows)


async def test_resize_keeps_the_line_at_the_top_of_the_view(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        for number in range(5_000):
            app.post_line(Line("model", f"line {number} " + "word " * (number % 30)))
        await pilot.pause()
        view = app.conversation
        view.scroll_to(y=view.row_count // 2, animate=False, immediate=True)
        await pilot.pause()
        top = view.visible_text()[0]
        assert top.startswith("model  line ")
        await pilot.resize_terminal(60, 15)
        await until(pilot, lambda: all(w == view._wrap_width for w in view._row_widths), 20)
        await pilot.pause()
        assert view.visible_text()[0].split()[:3] == top.split()[:3]  # same line on top
