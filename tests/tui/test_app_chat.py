"""The app against the simulator: chat, streaming, keys, closes and reconnects."""

from __future__ import annotations

from apptest import connected, texts, type_line, until

from gemini_live_tui.backend import NO_CREDENTIAL_HELP
from gemini_live_tui.live.events import Phase
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.tui.widgets.conversation import Conversation


async def test_typed_text_is_echoed_sent_and_answered(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await pilot.press(*"hello there", "enter")
        assert "hello there" in texts(app, "you")
        assert app.prompt.value == ""
        await sim.wait_for(lambda: sim.texts() == ["hello there"])
        reply = await until(
            pilot, lambda: [ln for ln in app.conversation.lines if ln.role == "model"]
        )
        assert reply[0].text.startswith('You said: "hello there"')
        assert not reply[0].live
        assert "gemini-live · test-model · connected" in app.query_one("#header").render()


async def test_streaming_reply_is_live_then_settled(make_app, sim):
    sim.word_delay = 0.02
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "long answer please")
        live = await until(
            pilot, lambda: [ln for ln in app.conversation.lines if ln.role == "model" and ln.live]
        )
        assert live[0].text
        done = await until(
            pilot,
            lambda: [ln for ln in app.conversation.lines if ln.role == "model" and not ln.live],
            timeout=10,
        )
        assert len(done) == 1 and len(done[0].text.split()) > 50  # one line grew in place


async def test_interrupted_reply_is_marked(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "interrupt me")
        line = await until(pilot, lambda: [ln for ln in app.conversation.lines if ln.note])
        assert line[0].role == "model" and line[0].note == "interrupted"
        assert "[interrupted]" in "\n".join(app.conversation.visible_text())


async def test_no_credential_opens_with_help(make_app):
    app = make_app(connect=False, notice=NO_CREDENTIAL_HELP)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = "\n".join(texts(app))
        assert "GEMINI_API_KEY" in shown and "--demo" in shown
        await type_line(pilot, "hello")
        assert app.is_running
        assert any("not connected" in t for t in texts(app, "error"))


async def test_server_close_keeps_the_app_and_reconnect_retries(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await sim.close_with(1008, "API key not valid. Please pass a valid API key.")
        await until(pilot, lambda: app.chat.phase is Phase.CLOSED)
        assert app.is_running
        errors = texts(app, "error")
        assert any("API key not valid" in e and "/reconnect" in e for e in errors)
        assert "closed" in str(app.query_one("#status").render())
        connections = len(sim.connections)
        await type_line(pilot, "/reconnect")
        await until(pilot, lambda: app.chat.phase is Phase.CONNECTED)
        assert len(sim.connections) > connections


async def test_goaway_and_drop_reconnect_by_themselves(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await sim.send_goaway(0.1)
        await until(pilot, lambda: any("will close" in t for t in texts(app, "system")))
        await until(pilot, lambda: len(sim.setups()) >= 2 and app.chat.phase is Phase.CONNECTED)
        assert sim.setups()[-1]["sessionResumption"].get("handle")
        await sim.drop()
        await until(pilot, lambda: len(sim.setups()) >= 3 and app.chat.phase is Phase.CONNECTED)
        assert app.is_running


async def test_quit_keys(make_app):
    for keys in (["ctrl+c"], ["ctrl+d"], [*"/quit", "enter"]):
        app = make_app(connect=False)
        async with app.run_test(size=(60, 15)) as pilot:
            await pilot.press(*keys)
            await pilot.pause()
            assert not app.is_running, keys


async def test_ctrl_l_clears_the_view_but_save_keeps_everything(make_app, isolated_dirs):
    app = make_app(connect=False)
    async with app.run_test(size=(60, 15)) as pilot:
        await type_line(pilot, "something")
        assert texts(app, "you")
        await pilot.press("ctrl+l")
        assert app.conversation.lines == []
        await type_line(pilot, "/save out.md")
        await until(pilot, lambda: (isolated_dirs["cwd"] / "out.md").exists())
        assert "something" in (isolated_dirs["cwd"] / "out.md").read_text()


async def test_history_up_down_and_persistence(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(60, 15)) as pilot:
        for line in ("one", "two"):
            await type_line(pilot, line)
        await pilot.press(*"dra")
        await pilot.press("up")
        assert app.prompt.value == "two"
        await pilot.press("up")
        assert app.prompt.value == "one"
        await pilot.press("down", "down")
        assert app.prompt.value == "dra"
    again = make_app(connect=False)
    async with again.run_test(size=(60, 15)) as pilot:
        await pilot.press("up")
        assert again.prompt.value == "two"


async def test_input_stays_live_while_the_model_streams(make_app, sim):
    sim.word_delay = 0.05
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "long story")
        await until(pilot, lambda: app.chat.reply)
        await pilot.press(*"hi")
        assert app.prompt.value == "hi"
        assert app.chat.reply  # still streaming


async def test_tool_call_is_shown_and_answered(make_app, sim):
    app = make_app(setup=Setup(model="models/gemini-3.8-live"))  # NON_BLOCKING calls
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await sim.call_tool("set_timer", {"seconds": 30})
        await until(pilot, lambda: any("set_timer(seconds=30)" in t for t in texts(app, "tool")))
        responses = await sim.wait_for(lambda: sim.tool_responses())
        # a 30 s timer runs in the background: the model is told so at once
        assert responses[0]["name"] == "set_timer" and responses[0]["willContinue"] is True
        assert responses[0]["response"]["result"]["status"] == "running"


async def test_greeting_goes_first(make_app, sim):
    app = make_app(greeting="Greet me")
    async with app.run_test(size=(100, 30)) as pilot:
        await sim.wait_for(lambda: sim.texts())
        assert sim.texts()[0] == "Greet me"
        await until(pilot, lambda: texts(app, "model"))
        assert texts(app, "you")[0] == "Greet me"


async def test_greeting_goes_before_a_line_typed_while_connecting(make_app, sim):
    sim.stall()  # the setup waits: the user types before the session is up
    app = make_app(greeting="Greet me")
    async with app.run_test(size=(100, 30)) as pilot:
        await type_line(pilot, "early bird")
        await pilot.pause(0.2)
        assert sim.texts() == []
        sim.stall(False)
        await sim.wait_for(lambda: len(sim.texts()) == 2)
        assert sim.texts() == ["Greet me", "early bird"]
        assert texts(app, "you")[:2] == ["Greet me", "early bird"]


async def test_one_conversation_widget_however_long(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        for number in range(10_000):
            app.post_line(app.conversation.lines[0].__class__("model", f"line {number}"))
        await pilot.pause()
        assert len(app.query(Conversation)) == 1
        assert len(list(app.conversation.children)) == 0
        assert app.conversation.visible_text()[-1].endswith("line 9999")


async def test_a_line_typed_while_starting_is_sent_once_connected(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await type_line(pilot, "early bird")  # before the session exists
        await sim.wait_for(lambda: sim.texts() == ["early bird"])
        await until(pilot, lambda: texts(app, "model"))
        assert not texts(app, "error")
