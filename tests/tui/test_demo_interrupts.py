"""A new message while the model is still answering: the reply is cut, then the new one comes.

The service says `interrupted` when a new turn cuts a reply; the demo simulator
must too, or the cut reply's line stays open and the next reply is appended
to it (`You said:You said:…`).
"""

from __future__ import annotations

from apptest import connected, texts, type_line, until


async def test_replies_to_lines_typed_mid_reply_never_interleave(make_app, sim):
    sim.word_delay = 0.03  # long enough that each line arrives while the last is answered
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        for line in ("alpha long", "beta long"):
            await type_line(pilot, line)
            await until(pilot, lambda line=line: any(line in t for t in texts(app, "model")))
        await type_line(pilot, "gamma")
        await until(pilot, lambda: any("(turn 3)" in t for t in texts(app, "model")), timeout=10)
        replies = texts(app, "model")
        assert all(reply.count("You said:") == 1 for reply in replies), replies
        assert [r.split('"')[1] for r in replies] == ["alpha long", "beta long", "gamma"]
        cut = [ln.note for ln in app.conversation.lines if ln.role == "model"]
        assert cut[:2] == ["interrupted", "interrupted"]
