"""The Live model catalog: what each model on each backend takes in its setup.

The service refuses (often with a close code that is final) a setup field
its model does not take: a `TEXT` response modality on an audio-only model,
a `thinkingLevel` on a model without one, `proactiveAudio: false` where
proactive audio is always on, `willContinue` on Vertex AI. So the client
builds every setup from this one table instead of guessing from the name.

Each entry is written from Google's model pages and google-genai's
converters; docs/protocol.md has the same table with the page each rule
comes from. A name not in the table is still allowed (new models appear
before the table knows them): `lookup` gives it a conservative spec (audio
out, no thinking setting, blocking calls answered once, nothing optional)
and a one-line `notice` for the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .messages import Modality

Backend = Literal["gemini", "vertex"]
Thinking = Literal["none", "level", "budget"]
Support = Literal["unsupported", "optional", "always_on", "removed"]

DEFAULT_MODEL = "models/gemini-3.8-live"
"""The default model on the Gemini API (the GA Live model)."""

VERTEX_DEFAULT_MODEL = "gemini-3.8-live"
"""The default model on Vertex AI (its own id for Gemini 3.8 Live)."""

ALL_THINKING_LEVELS = ("minimal", "low", "medium", "high")

SCHEDULINGS = ("INTERRUPT", "WHEN_IDLE", "SILENT")
"""`FunctionResponse.scheduling` values (google-genai's `FunctionResponseScheduling`)."""

VOICES = (
    "Zephyr",
    "Puck",
    "Charon",
    "Kore",
    "Fenrir",
    "Leda",
    "Orus",
    "Aoede",
    "Callirrhoe",
    "Autonoe",
    "Enceladus",
    "Iapetus",
    "Umbriel",
    "Algieba",
    "Despina",
    "Erinome",
    "Algenib",
    "Rasalgethi",
    "Laomedeia",
    "Achernar",
    "Alnilam",
    "Schedar",
    "Gacrux",
    "Pulcherrima",
    "Achird",
    "Zubenelgenubi",
    "Vindemiatrix",
    "Sadachbia",
    "Sadaltager",
    "Sulafat",
)
"""The 30 prebuilt voices of the native-audio Live models (`speechConfig.voiceConfig`)."""

TURN_ALL_VIDEO = "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO"
TURN_ONLY_ACTIVITY = "TURN_INCLUDES_ONLY_ACTIVITY"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What one Live model on one backend takes.

    `name` is the short model id (`gemini-3.8-live`), without `models/` or
    a Vertex resource path. `non_blocking`: function calls run in the
    background (declared or by default `NON_BLOCKING`), so a response may
    carry `scheduling`; otherwise the model waits for exactly one response
    per call. `will_continue`: an interim response with `willContinue` may
    precede the final one (NON_BLOCKING on the Gemini API only; Vertex AI
    refuses the field).
    """

    name: str
    backend: Backend
    stage: str  # "GA", "preview", "legacy preview", "unknown"
    response_modalities: tuple[Modality, ...] = ("AUDIO",)
    thinking: Thinking = "none"
    thinking_levels: tuple[str, ...] = ()
    non_blocking: bool = False
    will_continue: bool = False
    scheduling: tuple[str, ...] = ()
    proactive_audio: Support = "unsupported"
    affective_dialog: Support = "unsupported"
    media_resolution: bool = False
    turn_coverage: str = TURN_ONLY_ACTIVITY  # the default when the setup names none
    client_content_mid_session: bool = False
    known: bool = True

    @property
    def notice(self) -> str | None:
        """A one-line warning for a model the catalog does not know, else None."""
        if self.known:
            return None
        where = "Vertex AI" if self.backend == "vertex" else "the Gemini API"
        return (
            f"{self.name} is not in the model catalog for {where} "
            "(`gemini-live models` lists it): using a conservative setup"
        )

    def takes_level(self, level: str) -> bool:
        """Whether `/thinking LEVEL` means something on this model."""
        return level.lower() in self.thinking_levels


def _non_blocking(name: str, backend: Backend, stage: str, **rules: Any) -> ModelSpec:
    """A model whose calls run NON_BLOCKING with scheduling (willContinue: Gemini API only)."""
    return ModelSpec(
        name=name,
        backend=backend,
        stage=stage,
        non_blocking=True,
        will_continue=backend == "gemini",
        scheduling=SCHEDULINGS,
        media_resolution=True,
        client_content_mid_session=True,
        **rules,
    )


_GEMINI_38 = dict(proactive_audio="always_on", turn_coverage=TURN_ALL_VIDEO)
_GEMINI_25 = dict(
    thinking="budget",
    thinking_levels=ALL_THINKING_LEVELS,
    proactive_audio="optional",
    affective_dialog="optional",
)

CATALOG: tuple[ModelSpec, ...] = (
    _non_blocking("gemini-3.8-live", "gemini", "GA", affective_dialog="removed", **_GEMINI_38),
    _non_blocking(
        "gemini-3.8-live-extended-thinking",
        "gemini",
        "GA",
        thinking="level",
        thinking_levels=("low", "medium", "high"),
        affective_dialog="removed",
        **_GEMINI_38,
    ),
    ModelSpec(
        name="gemini-3.1-flash-live-preview",
        backend="gemini",
        stage="legacy preview",
        thinking="level",
        thinking_levels=ALL_THINKING_LEVELS,
        non_blocking=False,
        media_resolution=True,
        turn_coverage=TURN_ALL_VIDEO,
        client_content_mid_session=False,
    ),
    _non_blocking(
        "gemini-2.5-flash-native-audio-preview-12-2025", "gemini", "preview", **_GEMINI_25
    ),
    _non_blocking(
        "gemini-2.5-flash-native-audio-preview-09-2025", "gemini", "preview", **_GEMINI_25
    ),
    _non_blocking("gemini-3.8-live", "vertex", "GA", affective_dialog="always_on", **_GEMINI_38),
    _non_blocking("gemini-live-2.5-flash-native-audio", "vertex", "GA", **_GEMINI_25),
    _non_blocking(
        "gemini-live-2.5-flash-preview-native-audio-09-2025", "vertex", "preview", **_GEMINI_25
    ),
)
"""Every model the client knows, Gemini API first, in the order `gemini-live models` lists."""


def short_name(model: str) -> str:
    """`models/x`, `publishers/google/models/x`, `projects/…/models/x` → `x`."""
    return model.strip().rsplit("/", 1)[-1]


def backend_of(model: str) -> Backend:
    """The backend a setup's model name is spelt for (Vertex names are resource paths)."""
    return "vertex" if model.strip().startswith(("projects/", "publishers/")) else "gemini"


def models(backend: Backend | None = None) -> tuple[ModelSpec, ...]:
    """The catalog, or the models of one backend."""
    return tuple(s for s in CATALOG if backend is None or s.backend == backend)


def conservative(name: str, backend: Backend) -> ModelSpec:
    """The spec of a model the catalog does not know: nothing that may be refused."""
    return ModelSpec(name=name, backend=backend, stage="unknown", known=False)


def lookup(model_name: str, backend: Backend | None = None) -> ModelSpec:
    """The spec of `model_name` on `backend` (inferred from the name when None).

    Accepts `gemini-x`, `models/gemini-x` and Vertex resource names
    (`projects/P/locations/L/publishers/google/models/gemini-x`). An
    unknown name gives a conservative spec with `known=False` and a `notice`.
    """
    where = backend or backend_of(model_name)
    name = short_name(model_name)
    for spec in CATALOG:
        if spec.name == name and spec.backend == where:
            return spec
    return conservative(name, where)


def is_known(model_name: str, backend: Backend) -> bool:
    return lookup(model_name, backend).known


def table_lines(backend: Backend | None = None) -> list[str]:
    """The catalog as aligned text lines (what `gemini-live models` prints)."""
    rows = [("backend", "model", "stage", "thinking", "function calls", "proactive audio")]
    for spec in models(backend):
        if spec.thinking == "level":
            thinking = "level: " + ", ".join(spec.thinking_levels)
        elif spec.thinking == "budget":
            thinking = "budget (tokens)"
        else:
            thinking = "none"
        calls = "non-blocking" if spec.non_blocking else "blocking"
        if spec.non_blocking and not spec.will_continue:
            calls += " (no willContinue)"
        rows.append(
            (
                "Vertex AI" if spec.backend == "vertex" else "Gemini API",
                spec.name,
                spec.stage,
                thinking,
                calls,
                spec.proactive_audio.replace("_", " "),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
