"""What each model takes, through the real app and the simulator: `--text`, `/thinking`,
`/model`, `/voice`, Vertex AI's default model, and what the service says about a turn.

The options come from the command line's own `build_options` (as `gemini-live`
builds them); only the session factory is pointed at the loopback simulator.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from apptest import connected, texts, type_line, until
from livesim import session_factory

from gemini_live_tui.cli import build_options, build_parser, main
from gemini_live_tui.config import apply_env, load_profile
from gemini_live_tui.live.models import VOICES
from gemini_live_tui.live.session import SessionSettings
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.tui.app import GeminiLiveApp
from gemini_live_tui.tui.widgets.header import HeaderBar


def cli_app(sim: LiveSimulator, argv: list[str], isolated_dirs: dict[str, Any]) -> GeminiLiveApp:
    """The app `gemini-live ARGV` would run, talking to the simulator with the Gemini API key."""
    args = build_parser().parse_args(argv)
    options = build_options(args, apply_env(load_profile(args.profile)))

    return GeminiLiveApp(
        replace(
            options,
            session_factory=session_factory(
                sim.base_url, settings=SessionSettings(backoff_base=0.01)
            ),
            cwd=isolated_dirs["cwd"],
            home=isolated_dirs["cwd"].parent,
            persist_history=False,
        )
    )


async def test_text_replies_are_the_transcript_of_audio_with_the_speaker_off(sim, isolated_dirs):
    """`--text` on an audio-only model: an AUDIO setup with output transcription, the
    reply shown from the transcript, the speaker never opened (a TEXT setup is refused
    by every current Live model)."""
    app = cli_app(sim, ["--text", "--demo"], isolated_dirs)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        setup = sim.setups()[0]
        assert setup["model"] == "models/gemini-3.8-live"
        assert setup["generationConfig"]["responseModalities"] == ["AUDIO"]
        assert setup["outputAudioTranscription"] == {}
        assert "thinkingConfig" not in setup["generationConfig"]
        await type_line(pilot, "hello there")
        await until(pilot, lambda: any("hello there" in t for t in texts(app, "model")), 10)
        assert app.status.speaker == "off"
        assert app.feature_set.voice._engine is None  # no audio opened


async def test_thinking_on_a_model_that_takes_none_is_refused_in_one_line(sim, isolated_dirs):
    app = cli_app(sim, ["--demo"], isolated_dirs)  # gemini-3.8-live
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/thinking high")
        [refusal] = [t for t in texts(app, "error") if "/thinking" in t]
        assert "gemini-3.8-live takes no thinking level" in refusal
        assert app.staged.thinking_level is None
        await type_line(pilot, "/model gemini-3.8-live-extended-thinking")
        await type_line(pilot, "/thinking minimal")  # not one of its levels
        assert "takes one of low, medium, high" in texts(app, "error")[-1]
        await type_line(pilot, "/thinking high")
        await type_line(pilot, "/apply")
        await until(pilot, lambda: len(sim.setups()) == 2)
        setup = sim.setups()[-1]
        assert setup["model"] == "models/gemini-3.8-live-extended-thinking"
        assert setup["generationConfig"]["thinkingConfig"] == {"thinkingLevel": "high"}
        await until(pilot, lambda: "gemini-3.8-live-extended-thinking" in header(app))


def header(app: GeminiLiveApp) -> str:
    return app.query_one(HeaderBar).label


async def test_model_and_voice_complete_from_the_catalog_and_a_bad_voice_is_refused(make_app):
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"/model gemini-3.8-live-e", "tab")
        assert app.prompt.value == "/model gemini-3.8-live-extended-thinking "
        app.prompt.value = ""
        await pilot.press(*"/voice Sula", "tab")
        assert app.prompt.value == "/voice Sulafat "
        specs = {s.name: s for s in app.commands.specs(app.command_context())}
        assert set(VOICES) <= set(specs["voice"].choices) and len(VOICES) == 30
        await type_line(pilot, "/voice Robot")
        assert "unknown voice Robot" in texts(app, "error")[-1]
        assert app.staged.voice is None
        await type_line(pilot, "/model gemini-9-live")
        assert any("gemini-9-live is not in the model catalog" in t for t in texts(app, "system"))


async def test_what_the_service_says_about_a_turn_reaches_the_user(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await sim.send_message(
            {"serverContent": {"turnComplete": True, "turnCompleteReason": "RESPONSE_REJECTED"}}
        )
        await until(pilot, lambda: any("reply was blocked" in t for t in texts(app, "error")))
        await sim.send_message({"serverContent": {"waitingForInput": True}})
        await until(pilot, lambda: "the model is waiting for you to go on" in texts(app, "system"))


async def test_vertex_without_vertex_model_sets_up_a_vertex_model(
    sim, isolated_dirs, monkeypatch: pytest.MonkeyPatch
):
    """LIVE_BACKEND=vertex with the default model: the Vertex resource name of 3.8 Live on
    the Vertex path with a bearer token (3.1 is a Gemini-API-only model: 1008, final)."""
    for name, value in {
        "LIVE_BACKEND": "vertex",
        "VERTEX_PROJECT": "proj",
        "VERTEX_LOCATION": "global",
        "VERTEX_AI_ACCESS_TOKEN": sim.api_key,
        "GEMINI_LIVE_BASE_URL": sim.base_url,
    }.items():
        monkeypatch.setenv(name, value)
    args = build_parser().parse_args([])
    options = build_options(args, apply_env(load_profile(args.profile)))
    app = GeminiLiveApp(replace(options, persist_history=False, cwd=isolated_dirs["cwd"]))
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        setup = sim.setups()[0]
        assert setup["model"] == (
            "projects/proj/locations/global/publishers/google/models/gemini-3.8-live"
        )
        assert options.setup.model == setup["model"]
        assert "vertex:global gemini-3.8-live" in header(app)
        choices = {s.name: s.choices for s in app.commands.specs(app.command_context())}
        assert "gemini-live-2.5-flash-native-audio" in choices["model"]
        assert "gemini-3.1-flash-live-preview" not in choices["model"]


def test_models_command_prints_the_catalog(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:2] == ["backend", "model"]
    assert any(
        "gemini-3.8-live-extended-thinking" in line and "low, medium, high" in line for line in out
    )
    assert main(["models", "--backend", "vertex"]) == 0
    vertex = capsys.readouterr().out
    assert "gemini-live-2.5-flash-native-audio" in vertex and "3.1-flash" not in vertex
