"""The conversation follows new output while the user has not scrolled up, and
wrapping never loses a character, with or without the scrollbar.

Through the real app: replies from the simulator, `/clear` and `/help` typed
into the prompt; what is checked is the rows the view paints.
"""

from __future__ import annotations

import pytest
from apptest import chatting, texts, type_line, until
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from gemini_live_tui.tui.lines import LABEL_WIDTH, Line


def painted(app) -> list[str]:
    """The rows the conversation paints now, as text (its own width, no padding)."""
    view = app.conversation
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


@pytest.mark.parametrize("size", [(80, 24), (60, 15), (120, 40)], ids=["80x24", "60x15", "120x40"])
async def test_every_new_reply_is_in_view_while_the_user_has_not_scrolled(make_app, sim, size):
    async with chatting(make_app, size=size) as (app, pilot):
        for turn in range(1, size[1] // 2 + 4):
            await type_line(pilot, f"message {turn}")
            await until(pilot, lambda turn=turn: len(texts(app, "model")) == turn)
            await pilot.pause(0.05)
            rows = [row.rstrip() for row in painted(app) if row.strip()]
            assert rows[-1].endswith(f"(turn {turn})."), (turn, rows[-3:])
        assert app.conversation.show_vertical_scrollbar


async def test_the_view_follows_after_clear_and_help(make_app, sim):
    async with chatting(make_app) as (app, pilot):
        await type_line(pilot, "/clear")
        for _ in range(3):
            await type_line(pilot, "/help")
            await pilot.pause(0.05)
            last = app.conversation.lines[-1].text
            rows = [row.rstrip() for row in painted(app) if row.strip()]
            assert rows[-1].endswith(last.split()[-1]), rows[-3:]


async def test_the_view_keeps_following_while_the_prompt_grows_and_shrinks(make_app, sim):
    async with chatting(make_app) as (app, pilot):
        for turn in range(1, 13):
            await type_line(pilot, f"message {turn}")
            await until(pilot, lambda turn=turn: len(texts(app, "model")) == turn)
        await pilot.press("a", "ctrl+j", "b", "ctrl+j", "c", "ctrl+j", "d")  # a 4-row prompt
        await pilot.pause(0.1)
        rows = [row.rstrip() for row in painted(app) if row.strip()]
        assert rows[-1].endswith("(turn 12)."), rows[-3:]
        await pilot.press("enter")
        await until(pilot, lambda: len(texts(app, "model")) == 13)
        await pilot.pause(0.1)
        rows = [row.rstrip() for row in painted(app) if row.strip()]
        assert rows[-1].endswith("(turn 13)."), rows[-3:]


words = st.lists(
    st.sampled_from(
        ["word", "a", "simulator", "(turn", "1).", "漢字", "😀", "x" * 45, "gemini-live", ","]
        + ["y" * 150]  # longer than any row: folded at the full width
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.generate],  # each example starts an app: no shrinking
)
@given(width=st.integers(min_value=30, max_value=130), scrollbar=st.booleans(), parts=words)
@example(width=80, scrollbar=True, parts=["simulator", "y" * 150])
@example(width=80, scrollbar=False, parts=["simulator", "y" * 150])
async def test_no_character_is_lost_to_wrapping(make_app, width, scrollbar, parts):
    app = make_app()
    async with app.run_test(size=(width, 40)) as pilot:
        text = " ".join(parts)
        app.post_line(Line("model", text))  # wrapped while there is no scrollbar
        await pilot.pause()
        for number in range(40 if scrollbar else 0):  # then the view fills up
            app.post_line(Line("system", f"line {number}"))
            await pilot.pause()
        view = app.conversation
        view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        if scrollbar:
            assert view.show_vertical_scrollbar
        rows = painted(app)
        start = next(i for i, row in enumerate(rows) if row.startswith("model "))
        end = next((i for i in range(start + 1, len(rows)) if rows[i][:1].strip()), len(rows))
        shown = "".join(row[LABEL_WIDTH:] for row in rows[start:end]).replace(" ", "")
        if end < len(rows):  # the whole line is in view
            assert shown == text.replace(" ", "")
        else:  # a line taller than the view: every row in view is whole
            assert shown and text.replace(" ", "").startswith(shown)
