"""What the user types or pastes reaches the model exactly once, whole, in order.

Keys are posted to the app the way the terminal driver posts them, all at once
and without waiting for the app between them (`type_fast`), so the prompt sees
them as a fast typist or a plain paste delivers them. The simulator's record is
what the model received; the view is what the user sees.
"""

from __future__ import annotations

from apptest import chatting, texts, type_fast, until
from textual import events

from gemini_live_tui.tui.typeahead import early_lines


async def test_lines_typed_without_a_pause_each_reach_the_model_once_in_order(make_app, sim):
    async with chatting(make_app) as (app, pilot):
        type_fast(app, "alpha\rbeta\rgamx\x7fma\r")
        await sim.wait_for(lambda: len(sim.texts()) >= 3)
        await pilot.pause(0.3)
        assert sim.texts() == ["alpha", "beta", "gamma"]
        assert texts(app, "you") == ["alpha", "beta", "gamma"]
        assert app.prompt.value == ""
        assert app.history.entries[-3:] == ["alpha", "beta", "gamma"]


async def test_typing_goes_on_in_the_box_after_a_fast_enter(make_app, sim):
    async with chatting(make_app) as (app, pilot):
        type_fast(app, "one\rtwo th")
        await sim.wait_for(lambda: sim.texts())
        await pilot.pause(0.2)
        assert sim.texts() == ["one"]
        assert app.prompt.value == "two th"  # not emptied after the fact


async def test_ctrl_j_adds_a_line_and_enter_sends_the_message_whole(make_app, sim):
    async with chatting(make_app) as (app, pilot):
        await pilot.press("d", "e", "f", " ", "f", "(", ")", ":", "ctrl+j")
        await pilot.press(*"    return 1", "shift+enter", *"end")
        assert app.prompt.value == "def f():\n    return 1\nend"
        await pilot.press("enter")
        await sim.wait_for(lambda: sim.texts())
        assert sim.texts() == ["def f():\n    return 1\nend"]
        await until(pilot, lambda: "you    def f():" in app.conversation.visible_text())
        rows = app.conversation.visible_text()
        start = rows.index("you    def f():")
        assert rows[start + 1 : start + 3] == ["           return 1", "       end"]


async def test_a_paste_keeps_every_line_until_enter(make_app, sim):
    async with chatting(make_app) as (app, pilot):
        app.post_message(events.Paste("Traceback:\r\n  File x\n  Error\rlast"))
        await until(pilot, lambda: app.prompt.value)
        await pilot.pause(0.1)
        assert app.prompt.value == "Traceback:\n  File x\n  Error\nlast"
        assert sim.texts() == []  # a paste is not sent until Enter
        await pilot.press("enter")
        await sim.wait_for(lambda: sim.texts())
        assert sim.texts() == ["Traceback:\n  File x\n  Error\nlast"]


async def test_line_feeds_of_a_plain_paste_stay_in_one_message(make_app, sim):
    async with chatting(make_app) as (app, pilot):
        type_fast(app, "l1\nl2\nl3\nl4\n")  # a terminal that passes LF as typed
        await until(pilot, lambda: app.prompt.value.count("\n") == 4)
        await pilot.press("enter")
        await sim.wait_for(lambda: sim.texts())
        await pilot.pause(0.2)
        assert sim.texts() == ["l1\nl2\nl3\nl4"]


async def test_up_moves_within_a_draft_and_recalls_history_from_its_first_line(make_app, sim):
    async with chatting(make_app) as (app, pilot):
        type_fast(app, "sent before\r")
        await sim.wait_for(lambda: sim.texts())
        await pilot.press(*"a", "ctrl+j", *"b")
        await pilot.press("up")
        assert app.prompt.value == "a\nb"  # the cursor went to the first line
        await pilot.press("up")
        assert app.prompt.value == "sent before"
        await pilot.press("down")
        assert app.prompt.value == "a\nb"  # the draft comes back


def test_what_was_typed_before_the_app_started_is_lines_and_a_draft():
    assert early_lines("first\nsecond\nthi") == (["first", "second"], "thi")
    assert early_lines("") == ([], "")
    assert early_lines("a\x1b\x07b\n") == (["ab"], "")
