"""Setup changes the user stages with slash commands before applying them.

`/system`, `/tools`, `/voice`, `/model` and `/thinking` edit a `SetupDraft`;
nothing reaches the session until `apply`, which turns the draft into a new
`Setup` (`build_setup`) for `session.update_setup` and a reconnect. Keeping
the draft a plain value makes "what is staged" a comparison of two values.

The thinking level is one user-facing choice with two wire forms (DESIGN §3):
3.x models take `thinkingLevel`, 2.5 models take `thinkingBudget` (tokens).
`thinking_fields` maps a level to a budget for 2.5 models — minimal 0 (no
thinking, the fastest reply), low 1,024, medium 8,192, high 24,576 (2.5
Flash's maximum). Fixed numbers rather than -1 ("dynamic") so each level
means the same every turn; `default` sends neither and leaves the model's
own (dynamic) choice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from ..config import normalize_model
from ..live.messages import Setup

JsonDict = dict[str, Any]
Declarations = Callable[[Iterable[str]], list[JsonDict]]

VOICES = ("Puck", "Charon", "Kore", "Fenrir", "Aoede", "Leda", "Orus", "Zephyr")
THINKING_LEVELS = ("minimal", "low", "medium", "high")
#: thinkingBudget (tokens) of each level on 2.5 models, which take no thinkingLevel
THINKING_BUDGETS = {"minimal": 0, "low": 1024, "medium": 8192, "high": 24576}


def takes_thinking_budget(model: str) -> bool:
    """True for 2.5 models (short name or full resource name)."""
    return model.rsplit("/", 1)[-1].startswith("gemini-2.5")


def thinking_fields(model: str, level: str | None) -> tuple[str | None, int | None]:
    """`(thinking_level, thinking_budget)` of `Setup` for `level` on `model`."""
    if level is None:
        return None, None
    if takes_thinking_budget(model):
        return None, THINKING_BUDGETS.get(level.lower(), THINKING_BUDGETS["medium"])
    return level.lower(), None


def level_for_budget(budget: int | None) -> str | None:
    """The level whose budget is `budget` (None when no level matches)."""
    return next((lv for lv, b in THINKING_BUDGETS.items() if b == budget), None)


@dataclass(frozen=True, slots=True)
class SetupDraft:
    """The user-chosen parts of the setup."""

    model: str
    voice: str | None = None
    system_instruction: str | None = None
    thinking_level: str | None = None
    tools: frozenset[str] = frozenset()

    def changes(self, applied: SetupDraft) -> list[str]:
        """One short description per field that differs from `applied`."""
        out = []
        for f in fields(self):
            new, old = getattr(self, f.name), getattr(applied, f.name)
            if new == old:
                continue
            if f.name == "tools":
                added = sorted(new - old)
                removed = sorted(old - new)
                bits = [f"+{n}" for n in added] + [f"-{n}" for n in removed]
                out.append("tools " + " ".join(bits))
            elif f.name == "system_instruction":
                out.append("system instruction " + ("cleared" if new is None else "changed"))
            else:
                label = f.name.replace("_", " ")
                out.append(f"{label} {old or 'default'} → {new or 'default'}")
        return out


def draft_from_setup(setup: Setup, tools: Iterable[str] = ()) -> SetupDraft:
    """The draft that describes `setup` (tools by name, as the app enabled them)."""
    return SetupDraft(
        model=setup.model,
        voice=setup.voice_name,
        system_instruction=setup.system_instruction,
        thinking_level=setup.thinking_level or level_for_budget(setup.thinking_budget),
        tools=frozenset(tools),
    )


def build_setup(
    base: Setup,
    draft: SetupDraft,
    declarations: Declarations | None = None,
    model_name: Callable[[str], str] = normalize_model,
) -> Setup:
    """`base` with the draft's choices; tools declared through `declarations`."""
    tools = tuple(declarations(sorted(draft.tools))) if declarations else base.tools
    model = model_name(draft.model)
    level, budget = thinking_fields(model, draft.thinking_level)
    return replace(
        base,
        model=model,
        voice_name=draft.voice,
        system_instruction=draft.system_instruction,
        thinking_level=level,
        thinking_budget=budget,
        tools=tools,
    )


def with_thinking_for_model(setup: Setup) -> Setup:
    """`setup` with its thinking level in the wire form its model takes (a profile's
    level on a 2.5 model becomes a budget)."""
    if setup.thinking_level is None:
        return setup
    level, budget = thinking_fields(setup.model, setup.thinking_level)
    return replace(setup, thinking_level=level, thinking_budget=budget)
