"""The model catalog and `fit_setup`: what each model on each backend is sent (pure)."""

from __future__ import annotations

import pytest
from google.genai import types

from gemini_live_tui import config
from gemini_live_tui.live import models
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.model_setup import fit_setup
from gemini_live_tui.live.models import lookup

VERTEX = "projects/p/locations/us-central1/publishers/google/models/"


def generation(setup: Setup) -> dict:
    wire = setup.to_wire()
    types.LiveClientMessage.model_validate(
        {"setup": {k: v for k, v in wire["setup"].items() if k != "realtimeInputConfig"}}
    )
    return wire["setup"]["generationConfig"]


def test_the_defaults_are_3_8_live_on_both_backends() -> None:
    assert config.DEFAULT_MODEL == models.DEFAULT_MODEL == "models/gemini-3.8-live"
    assert lookup(models.DEFAULT_MODEL).stage == "GA"
    assert lookup(models.VERTEX_DEFAULT_MODEL, "vertex").known


@pytest.mark.parametrize(
    "name",
    [
        "gemini-3.8-live",
        "models/gemini-3.8-live",
        " models/gemini-3.8-live ",
    ],
)
def test_gemini_api_names_are_normalised(name: str) -> None:
    spec = lookup(name)
    assert (spec.name, spec.backend, spec.known) == ("gemini-3.8-live", "gemini", True)


def test_vertex_resource_names_are_normalised_and_have_their_own_rules() -> None:
    spec = lookup(VERTEX + "gemini-live-2.5-flash-native-audio")
    assert (spec.name, spec.backend, spec.thinking) == (
        "gemini-live-2.5-flash-native-audio",
        "vertex",
        "budget",
    )
    assert lookup("publishers/google/models/gemini-3.8-live").backend == "vertex"
    assert lookup(VERTEX + "gemini-3.8-live").will_continue is False  # Vertex refuses it
    assert lookup("models/gemini-3.8-live").will_continue is True
    # a Gemini-API-only model named on Vertex is unknown there
    assert not lookup(VERTEX + "gemini-3.1-flash-live-preview").known


def test_an_unknown_model_is_allowed_with_a_conservative_spec_and_one_line() -> None:
    spec = lookup("models/gemini-9-live-preview")
    assert not spec.known
    assert (spec.thinking, spec.non_blocking, spec.will_continue) == ("none", False, False)
    assert spec.proactive_audio == "unsupported" and spec.response_modalities == ("AUDIO",)
    assert spec.notice is not None and "\n" not in spec.notice and "gemini-9-live" in spec.notice
    assert lookup("models/gemini-3.8-live").notice is None


def test_every_catalog_model_is_audio_only_and_each_rule_holds() -> None:
    for spec in models.models():
        assert spec.response_modalities == ("AUDIO",), spec.name
        assert spec.will_continue <= (spec.non_blocking and spec.backend == "gemini"), spec.name
        assert bool(spec.thinking_levels) == (spec.thinking != "none"), spec.name
    extended = lookup("gemini-3.8-live-extended-thinking")
    assert extended.thinking_levels == ("low", "medium", "high")  # minimal is not supported
    assert lookup("gemini-3.1-flash-live-preview").non_blocking is False
    assert lookup("gemini-3.8-live").proactive_audio == "always_on"


def test_text_replies_are_audio_with_output_transcription() -> None:
    for name in ("models/gemini-3.8-live", "models/gemini-3.1-flash-live-preview", "models/x"):
        setup = fit_setup(
            Setup(model=name, response_modalities=("TEXT",), output_transcription=False)
        )
        assert generation(setup)["responseModalities"] == ["AUDIO"]
        assert "outputAudioTranscription" in setup.to_wire()["setup"]


@pytest.mark.parametrize(
    ("model", "level", "thinking"),
    [
        ("models/gemini-3.8-live", "high", None),
        ("models/gemini-3.8-live-extended-thinking", "high", {"thinkingLevel": "high"}),
        ("models/gemini-3.8-live-extended-thinking", "minimal", None),
        ("models/gemini-3.1-flash-live-preview", "minimal", {"thinkingLevel": "minimal"}),
        ("models/gemini-2.5-flash-native-audio-preview-12-2025", "low", {"thinkingBudget": 1024}),
        (VERTEX + "gemini-live-2.5-flash-native-audio", "medium", {"thinkingBudget": 8192}),
        (VERTEX + "gemini-3.8-live", "high", None),
        ("models/not-in-the-catalog", "high", None),
    ],
)
def test_thinking_takes_the_form_each_model_accepts(model, level, thinking) -> None:
    setup = fit_setup(Setup(model=model, thinking_level=level))
    assert generation(setup).get("thinkingConfig") == thinking


def test_proactivity_is_sent_only_where_it_is_optional() -> None:
    for model in ("models/gemini-3.8-live", "models/gemini-3.1-flash-live-preview"):
        setup = fit_setup(Setup(model=model, proactive_audio=False))
        assert "proactivity" not in setup.to_wire()["setup"]
    on_25 = fit_setup(
        Setup(model="models/gemini-2.5-flash-native-audio-preview-09-2025", proactive_audio=True)
    )
    assert on_25.to_wire()["setup"]["proactivity"] == {"proactiveAudio": True}


def test_the_table_lists_every_model_once_per_backend() -> None:
    lines = models.table_lines()
    assert len(lines) == 1 + len(models.CATALOG)
    assert lines[0].split()[:2] == ["backend", "model"]
    vertex = models.table_lines("vertex")
    assert all("Vertex AI" in line for line in vertex[1:])
    assert any("gemini-3.8-live" in line and "no willContinue" in line for line in vertex)
    assert len(models.VOICES) == len(set(models.VOICES)) == 30
