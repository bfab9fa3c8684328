"""Declarations the Live API accepts: each validates against google-genai's strict models."""

from __future__ import annotations

import pytest
from google.genai import types

from gemini_live_tui.live.messages import Setup
from gemini_live_tui.tools import builtin_registry, supports_non_blocking


@pytest.fixture
def registry(workspace):
    return builtin_registry(workspace)


def test_every_declaration_validates(registry) -> None:
    for spec in registry:
        if spec.declaration is not None:
            declaration = types.FunctionDeclaration.model_validate(spec.declaration)
            assert declaration.name == spec.name
            assert declaration.description
        else:
            assert spec.server_tool == {"googleSearch": {}}


@pytest.mark.parametrize("non_blocking", [False, True])
def test_the_setup_tools_validate_as_tools_and_in_a_setup_message(registry, non_blocking) -> None:
    tools = registry.declarations(registry.names(), non_blocking=non_blocking)
    for tool in tools:
        types.Tool.model_validate(tool)
    functions = tools[0]["functionDeclarations"]
    assert len(functions) == len(registry) - 1
    behaviors = {f.get("behavior") for f in functions}
    assert behaviors == ({"NON_BLOCKING"} if non_blocking else {None})
    assert tools[1:] == [{"googleSearch": {}}]
    setup = Setup(model="models/gemini-3.1-flash-live-preview", tools=tuple(tools))
    types.LiveClientMessage.model_validate(setup.to_wire())


def test_only_enabled_tools_are_declared(registry) -> None:
    assert registry.declarations({"google_search"}) == [{"googleSearch": {}}]
    tools = registry.declarations(registry.default_enabled() - {"google_search"})
    assert [f["name"] for f in tools[0]["functionDeclarations"]] == [
        "set_timer",
        "list_files",
        "read_file",
    ]
    assert registry.declarations(set()) == []
    with pytest.raises(ValueError, match="unknown tools: nope"):
        registry.declarations({"nope"})


def test_a_declaration_with_an_unsupported_keyword_would_be_caught() -> None:
    """The check above is real: the strict model rejects what the Live API rejects."""
    bad = {
        "name": "x",
        "parameters": {
            "type": "OBJECT",
            "properties": {"n": {"type": "NUMBER", "exclusiveMinimum": 0}},
        },
    }
    with pytest.raises(ValueError, match="exclusiveMinimum"):
        types.FunctionDeclaration.model_validate(bad)


def test_non_blocking_support_by_model() -> None:
    assert supports_non_blocking("models/gemini-3.8-live")
    assert supports_non_blocking("models/gemini-3.8-live-extended-thinking")
    assert supports_non_blocking("models/gemini-2.5-flash-native-audio-preview-12-2025")
    assert supports_non_blocking(
        "projects/p/locations/us-central1/publishers/google/models/gemini-live-2.5-flash-native-audio"
    )
    assert not supports_non_blocking("models/gemini-3.1-flash-live-preview")
    assert not supports_non_blocking("models/gemini-2.0-flash-live-001")  # unknown: blocking
