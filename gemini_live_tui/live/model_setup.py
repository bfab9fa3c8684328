"""Fit a setup to the model it names, so the service never refuses a field.

Everything the user may choose (text replies, a thinking level, proactive
audio, a media resolution) is asked for in one model-neutral way; `fit_setup`
turns it into the fields the model's catalog entry (`models.ModelSpec`)
says it takes, and leaves out what it does not:

- Every current Live model answers in audio only. Text replies are audio
  with `outputAudioTranscription` on: the transcript is the reply. A `TEXT`
  response modality is never sent to an audio-only model.
- Thinking has three wire forms: none (gemini-3.8-live), `thinkingLevel`
  (3.1, 3.8 extended thinking; only the levels the model lists) and
  `thinkingBudget` (2.5, including Vertex `gemini-live-2.5-…`). A level on
  a budget model becomes a fixed budget — minimal 0 (no thinking, the
  fastest reply), low 1,024, medium 8,192, high 24,576 (2.5 Flash's
  maximum) — so each level means the same every turn.
- `proactivity` only where proactive audio is optional (on 3.8 it is always
  on and `proactiveAudio: false` is an error; 3.1 does not take it).
"""

from __future__ import annotations

from dataclasses import replace

from .messages import Setup
from .models import ModelSpec, lookup

THINKING_BUDGETS = {"minimal": 0, "low": 1024, "medium": 8192, "high": 24576}
"""thinkingBudget (tokens) of each level on models that take a budget, not a level."""


def level_for_budget(budget: int | None) -> str | None:
    """The level whose budget is `budget` (None when no level matches)."""
    return next((lv for lv, b in THINKING_BUDGETS.items() if b == budget), None)


def thinking_fields(spec: ModelSpec, level: str | None) -> tuple[str | None, int | None]:
    """`(thinking_level, thinking_budget)` of `Setup` for `level` on the model of `spec`.

    A level the model does not take gives `(None, None)`: the model's own default.
    """
    if level is None or not spec.takes_level(level):
        return None, None
    if spec.thinking == "budget":
        return None, THINKING_BUDGETS[level.lower()]
    return level.lower(), None


def fit_setup(setup: Setup, spec: ModelSpec | None = None) -> Setup:
    """`setup` with only what its model takes (see the module docstring)."""
    spec = spec or lookup(setup.model)
    modalities = tuple(m for m in setup.response_modalities if m in spec.response_modalities)
    text_reply = "TEXT" in setup.response_modalities and "TEXT" not in spec.response_modalities
    level = setup.thinking_level or level_for_budget(setup.thinking_budget)
    thinking_level, thinking_budget = thinking_fields(spec, level)
    if spec.thinking == "budget" and setup.thinking_level is None:
        thinking_budget = setup.thinking_budget  # a budget the user set as a number
    return replace(
        setup,
        response_modalities=modalities or spec.response_modalities,
        output_transcription=setup.output_transcription or text_reply,
        thinking_level=thinking_level,
        thinking_budget=thinking_budget,
        proactive_audio=setup.proactive_audio if spec.proactive_audio == "optional" else None,
        media_resolution=setup.media_resolution if spec.media_resolution else None,
    )
