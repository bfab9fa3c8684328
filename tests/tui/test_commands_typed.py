"""Slash commands typed into the real app mean what they say.

`/system set` keeps the text as typed, a misspelt option is refused with the
options that exist (never taken as "no option"), an ideographic space
separates words, and the header names the model in force after `/apply`.
"""

from __future__ import annotations

from apptest import chatting, texts, type_line, until

from gemini_live_tui.tui.widgets.header import HeaderBar


def _system_text(setup: dict) -> str:
    return "".join(p.get("text", "") for p in setup["systemInstruction"]["parts"])


async def test_system_set_takes_the_rest_of_the_line_as_typed(make_app, sim):
    typed = 'You\'re terse. Say "done" and use C:\\temp\\new  paths.'
    async with chatting(make_app, size=(100, 30)) as (app, pilot):
        await type_line(pilot, f"/system set {typed}")
        assert app.staged.system_instruction == typed
        assert not texts(app, "error")
        await type_line(pilot, "/system apply --fresh")
        await sim.wait_for(lambda: len(sim.setups()) >= 2, 10)
        assert _system_text(sim.setups()[-1]) == typed


async def test_a_misspelt_option_is_refused_and_names_the_right_one(make_app, sim):
    async with chatting(make_app, size=(100, 30)) as (app, pilot):
        await type_line(pilot, "/voice Kore")
        for count, (line, what, command) in enumerate(
            (
                ("/apply --frsh", "option '--frsh'", "/apply"),
                ("/reconnect --bogus", "option '--bogus'", "/reconnect"),
                ("/tools apply now", "argument 'now'", "/tools apply"),
            ),
            start=1,
        ):
            await type_line(pilot, line)
            errors = await until(pilot, lambda n=count: len(texts(app, "error")) == n)
            assert texts(app, "error")[-1] == f"unknown {what} — {command} takes only --fresh"
            assert errors
        await pilot.pause(0.3)
        assert len(sim.setups()) == 1  # nothing reconnected
        assert app.staged.voice == "Kore" and app.applied.voice != "Kore"


async def test_an_ideographic_space_separates_words(make_app, sim):
    async with chatting(make_app, size=(100, 30)) as (app, pilot):
        await type_line(pilot, "/voice Kore")
        await type_line(pilot, "/apply \u3000 --fresh")
        await sim.wait_for(lambda: len(sim.setups()) >= 2, 10)
        assert not texts(app, "error")
        assert app.applied.voice == "Kore"


async def test_the_header_names_the_model_in_force_after_apply(make_app, sim):
    async with chatting(make_app, size=(100, 30), label="models/gemini-3.1-flash-live-preview") as (
        app,
        pilot,
    ):
        header = app.query_one(HeaderBar)
        assert "gemini-3.1-flash-live-preview" in str(header.render())
        await type_line(pilot, "/model gemini-3.8-live")
        assert "gemini-3.1-flash-live-preview" in str(header.render())  # staged, not in force
        await type_line(pilot, "/apply --fresh")
        await sim.wait_for(lambda: len(sim.setups()) >= 2, 10)
        assert sim.setups()[-1]["model"] == "models/gemini-3.8-live"
        await until(pilot, lambda: "models/gemini-3.8-live" in str(header.render()))
        assert "3.1-flash" not in str(header.render())


async def test_commands_that_take_nothing_refuse_what_they_are_given(make_app, sim):
    async with chatting(make_app, size=(100, 30)) as (app, pilot):
        await type_line(pilot, "/quit --now")
        await type_line(pilot, "/clear all")
        await pilot.pause(0.1)
        assert app.is_running
        assert texts(app, "error") == [
            "unknown option '--now' — /quit takes none",
            "unknown argument 'all' — /clear takes none",
        ]
        assert texts(app, "you")[-2:] == ["/quit --now", "/clear all"]  # not cleared
