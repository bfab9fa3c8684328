"""Setup changes the user stages with slash commands before applying them.

`/system`, `/tools`, `/voice`, `/model` and `/thinking` edit a `SetupDraft`;
nothing reaches the session until `apply`, which turns the draft into a new
`Setup` (`build_setup`) for `session.update_setup` and a reconnect. Keeping
the draft a plain value makes "what is staged" a comparison of two values.

The thinking level is one user-facing choice; `live.model_setup` turns it
into the wire form the staged model takes (a level, a budget, or nothing),
and `/thinking` refuses a level the model does not take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, replace
from typing import Any

from ..config import normalize_model
from ..live.messages import Setup
from ..live.model_setup import fit_setup, level_for_budget, thinking_fields
from ..live.models import ALL_THINKING_LEVELS, lookup
from ..live.models import VOICES as VOICES

JsonDict = dict[str, Any]
Declarations = Callable[[Iterable[str]], list[JsonDict]]

THINKING_LEVELS = ALL_THINKING_LEVELS


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
    return fit_setup(
        replace(
            base,
            model=model,
            voice_name=draft.voice,
            system_instruction=draft.system_instruction,
            thinking_level=draft.thinking_level,
            thinking_budget=None,
            tools=tools,
        )
    )


def with_thinking_for_model(setup: Setup) -> Setup:
    """`setup` with its thinking level in the wire form its model takes (a profile's
    level on a 2.5 model becomes a budget; none at all on a model that takes none)."""
    if setup.thinking_level is None:
        return setup
    level, budget = thinking_fields(lookup(setup.model), setup.thinking_level)
    return replace(setup, thinking_level=level, thinking_budget=budget)
