"""Staged setup changes through the app: shown as staged, applied with a resume."""

from __future__ import annotations

import stat

from apptest import connected, texts, type_line, typed_and_spoken, until
from google.genai import types

from gemini_live_tui.live.events import Phase
from gemini_live_tui.live.messages import Setup


async def test_system_instruction_staged_then_applied_with_resume(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, '/system set "answer like a pirate"')
        assert any("staged" in t for t in texts(app, "system"))
        assert "1 staged" in str(app.query_one("#status").render())
        assert len(sim.setups()) == 1
        await type_line(pilot, "/system apply")
        await until(pilot, lambda: len(sim.setups()) == 2)
        setup = sim.setups()[-1]
        assert setup["systemInstruction"]["parts"][0]["text"] == "answer like a pirate"
        assert setup["sessionResumption"]["handle"]  # the conversation carries over
        await until(pilot, lambda: app.chat.phase is Phase.CONNECTED)
        assert "staged" not in str(app.query_one("#status").render())
        await type_line(pilot, "/system show")
        assert "system instruction: answer like a pirate" in texts(app, "system")


async def test_tools_voice_model_thinking_apply_together(make_app, sim):
    app = make_app(text=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        for line in (
            "/tools disable google_search",
            "/tools enable set_timer",
            "/voice kore",
            "/model gemini-2.5-flash-native-audio-preview-12-2025",
            "/thinking low",
        ):
            await type_line(pilot, line)
        assert app.query_one("#status").render() is not None
        await type_line(pilot, "/apply")
        await until(pilot, lambda: len(sim.setups()) == 2)
        setup = sim.setups()[-1]
        names = [d["name"] for t in setup["tools"] for d in t.get("functionDeclarations", [])]
        assert "set_timer" in names and {"googleSearch": {}} not in setup["tools"]
        voice = setup["generationConfig"]["speechConfig"]["voiceConfig"]
        assert voice["prebuiltVoiceConfig"]["voiceName"] == "Kore"
        assert setup["model"] == "models/gemini-2.5-flash-native-audio-preview-12-2025"
        # 2.5 models take a budget, not a level (docs/protocol.md)
        assert setup["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 1024}
        types.LiveClientMessage.model_validate({"setup": setup})  # strict: no unknown field


async def test_thinking_level_on_3x_is_a_level_and_on_25_a_budget(make_app, sim):
    app = make_app()  # models/gemini-3.1-flash-live-preview
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/thinking high")
        await type_line(pilot, "/apply")
        await until(pilot, lambda: len(sim.setups()) == 2)
        assert sim.setups()[-1]["generationConfig"]["thinkingConfig"] == {"thinkingLevel": "high"}
        await connected(pilot)
        await type_line(pilot, "/model gemini-2.5-flash-native-audio-preview-12-2025")
        await type_line(pilot, "/thinking minimal")
        await type_line(pilot, "/apply")
        await until(pilot, lambda: len(sim.setups()) == 3)
        # minimal on 2.5 is a budget of 0: no thinking
        assert sim.setups()[-1]["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 0}
        await connected(pilot)
        await type_line(pilot, "/thinking")
        assert texts(app, "system")[-1] == "thinking: minimal"  # still shown as the level
        for frame in sim.setups()[1:]:
            types.LiveClientMessage.model_validate({"setup": frame})


async def test_a_profile_thinking_level_on_a_25_model_is_sent_as_a_budget(make_app, sim):
    setup = Setup(
        model="models/gemini-2.5-flash-native-audio-preview-12-2025",
        response_modalities=("TEXT",),
        thinking_level="medium",
    )
    app = make_app(setup=setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        first = sim.setups()[0]
        assert first["generationConfig"]["thinkingConfig"] == {"thinkingBudget": 8192}
        types.LiveClientMessage.model_validate({"setup": first})
        await type_line(pilot, "/thinking")
        assert texts(app, "system")[-1] == "thinking: medium"


async def test_without_a_handle_apply_offers_fresh(make_app, sim):
    setup = Setup(model="models/m", response_modalities=("TEXT",), session_resumption=False)
    app = make_app(setup=setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.chat.phase is Phase.CONNECTED)
        await type_line(pilot, "/voice Puck")
        await type_line(pilot, "/voice apply")
        assert any("apply --fresh" in t for t in texts(app, "system"))
        assert len(sim.setups()) == 1
        await type_line(pilot, "/voice apply --fresh")
        await until(pilot, lambda: len(sim.setups()) == 2)
        assert "sessionResumption" not in sim.setups()[-1]


async def test_save_writes_markdown_with_transcripts(make_app, sim, isolated_dirs):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await typed_and_spoken(pilot, sim)
        await type_line(pilot, "/save chat.md")
        path = isolated_dirs["cwd"] / "chat.md"
        await until(pilot, path.exists)
        text = path.read_text()
        assert text.startswith("# gemini-live conversation")
        assert "- **you**: hello" in text
        assert "- **model**: You said:" in text
        assert "- **you**: spoken words" in text
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        await until(pilot, lambda: any("saved" in t for t in texts(app, "system")))


async def test_feature_commands_are_wired(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        for name in ("mic", "speak"):  # the voice feature (devices: tests/integration_voice)
            await type_line(pilot, f"/{name} sideways")
            assert any(t.startswith(f"usage: /{name} [on|off") for t in texts(app, "error"))
        await type_line(pilot, "/share-screen")  # bare: stop sharing
        await until(pilot, lambda: "screen sharing is off" in texts(app, "system"))
        await type_line(pilot, "/help")
        assert any(t.startswith("/tools list|enable") for t in texts(app, "info"))
