"""Slash commands through the app: a failing handler, /clear, /system clear, /save."""

from __future__ import annotations

import logging
import re
import stat

from apptest import connected, texts, type_line, typed_and_spoken, until

from gemini_live_tui.tui import commands as cmd


async def test_a_command_that_raises_is_one_error_line_and_the_app_runs(make_app, caplog):
    async def broken_feature(ctx, args):  # as a voice, screen or tool feature might fail
        raise RuntimeError("the device went away")

    def broken_sync(ctx, args):
        raise KeyError("x")

    app = make_app(connect=False)
    app.commands.add(cmd.Command("mic", "/mic", "microphone", broken_feature))
    app.commands.add(cmd.Command("odd", "/odd", "odd", broken_sync))
    with caplog.at_level(logging.ERROR):
        async with app.run_test(size=(100, 30)) as pilot:
            await type_line(pilot, "/mic on")
            await pilot.pause()
            assert app.is_running
            errors = texts(app, "error")
            assert errors == ["/mic failed: the device went away (details in the log file)"]
            await type_line(pilot, "/odd")
            await pilot.pause()
            assert texts(app, "error")[1] == "/odd failed: 'x' (details in the log file)"
            await type_line(pilot, "/help")  # still answering
            assert any(t.startswith("/help") for t in texts(app, "info"))
            assert "Traceback" not in "\n".join(app.conversation.visible_text())
    failures = [r for r in caplog.records if r.getMessage() == "/mic failed"]
    assert failures and failures[0].exc_info  # the traceback goes to the log


async def test_slash_clear_empties_the_view(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "hello")
        await until(pilot, lambda: texts(app, "model"))
        await type_line(pilot, "/clear")
        await pilot.pause()
        assert app.conversation.lines == []
        assert [t for t in app.conversation.visible_text() if t] == []
        await type_line(pilot, "after")  # the view fills again
        await until(pilot, lambda: texts(app, "model"))
        assert texts(app, "you") == ["after"]


async def test_system_clear_stages_the_removal_and_apply_sends_none(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/system set be brief")
        await type_line(pilot, "/system apply")
        await until(pilot, lambda: len(sim.setups()) == 2)
        assert sim.setups()[-1]["systemInstruction"]["parts"][0]["text"] == "be brief"
        await connected(pilot)
        await type_line(pilot, "/system clear")
        assert "staged: system instruction cleared — /system apply to use it" in texts(
            app, "system"
        )
        await type_line(pilot, "/system show")
        assert "staged: (none)" in texts(app, "system")
        await type_line(pilot, "/system apply")
        await until(pilot, lambda: len(sim.setups()) == 3)
        assert "systemInstruction" not in sim.setups()[-1]
        assert sim.setups()[-1]["sessionResumption"]["handle"]
        await connected(pilot)
        await type_line(pilot, "/system show")
        assert texts(app, "system")[-1] == "system instruction: (none)"


async def test_save_without_a_path_writes_a_dated_markdown_file_in_the_cwd(
    make_app, sim, isolated_dirs
):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await typed_and_spoken(pilot, sim)
        await sim.send_message(
            {"serverContent": {"outputTranscription": {"text": "said aloud", "finished": True}}}
        )
        await until(pilot, lambda: any("said aloud" in t for t in texts(app, "model")))
        await type_line(pilot, "/save")
        saved = await until(pilot, lambda: list(isolated_dirs["cwd"].glob("*.md")))
        assert len(saved) == 1
        path = saved[0]
        assert re.fullmatch(r"gemini-live-\d{8}-\d{6}\.md", path.name), path.name
        text = path.read_text()
        assert text.startswith("# gemini-live conversation")
        assert "- **you**: hello" in text
        assert "- **you**: spoken words" in text
        assert "said aloud" in text
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        shown = await until(pilot, lambda: [t for t in texts(app, "system") if "saved" in t])
        assert str(path) in shown[0]
