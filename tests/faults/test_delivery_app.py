"""Delivery as a user sees it: no typed line is lost, a poison line is named.

A line whose reply is cut by a dropped connection, every time, with two lines
typed while the app reconnects: the two are answered, the cut line is shown
as not delivered in one line, and the reconnects stop.
"""

from __future__ import annotations

from apptest import connected, texts, type_line, until

from gemini_live_tui.live.events import Phase


async def test_a_line_that_cuts_every_reply_is_named_and_the_lines_after_it_answered(make_app, sim):
    sim.word_delay = 0.01
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        sim.hold_setups()  # the reconnect will be slow, to type in
        await type_line(pilot, "poison pill")  # the simulator drops mid-reply, every time
        await until(pilot, lambda: app.chat.phase is Phase.RECONNECTING)
        await type_line(pilot, "first after")
        await type_line(pilot, "second after")
        await pilot.pause(0.2)
        assert sim.texts() == ["poison pill"]
        sim.hold_setups(False)

        def answered(line: str) -> bool:
            return any(f'"{line}"' in t for t in texts(app, "model"))

        await until(pilot, lambda: answered("first after") and answered("second after"), 15)
        failed = [t for t in texts(app, "error") if t.startswith("not delivered")]
        assert len(failed) == 1 and "“poison pill”" in failed[0]
        await pilot.pause(0.5)
        assert len(sim.setups()) == 4, "three cut connections, then one that works; no more"
        assert app.chat.phase is Phase.CONNECTED
        assert sim.texts().count("first after") == sim.texts().count("second after") == 1
