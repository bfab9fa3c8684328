"""The header: which model (or `vertex:LOCATION MODEL`) and the connection phase.

The model shown is the one in force: `/model X` then `/apply` changes it.

At narrow widths the app name goes first, then the `models/` prefix, and
the model name is cut from the right — the phase always stays visible.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.widget import Widget


def header_text(label: str, phase: str, width: int) -> str:
    """The header line for `label` and `phase` in at most `width` cells."""
    for text in (
        f"gemini-live · {label} · {phase}",
        f"{label} · {phase}",
        f"{label.removeprefix('models/')} · {phase}",
    ):
        if cell_len(text) <= width:
            return text
    tail = f"… · {phase}"
    model = label.removeprefix("models/")
    room = width - cell_len(tail)
    if room <= 0:
        return set_cell_size(phase, max(0, width))
    return set_cell_size(model, room) + tail


def relabel(label: str, old_model: str, new_model: str) -> str:
    """`label` with the model it names changed from `old_model` to `new_model`
    (spelt as the label spells it: in full, or its last path part on Vertex)."""
    if old_model == new_model:
        return label
    for old, new in (
        (old_model, new_model),
        (old_model.rsplit("/", 1)[-1], new_model.rsplit("/", 1)[-1]),
    ):
        if old and old in label:
            return label.replace(old, new)
    return new_model


class HeaderBar(Widget):
    """One line: label and phase; set `phase` to update."""

    DEFAULT_CSS = """
    HeaderBar { height: 1; background: $primary; color: $text; padding: 0 1; }
    """

    def __init__(self, label: str, phase: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label
        self._phase = phase

    @property
    def phase(self) -> str:
        return self._phase

    @phase.setter
    def phase(self, value: str) -> None:
        if value != self._phase:
            self._phase = value
            self.refresh()

    def show_model(self, old_model: str, new_model: str) -> None:
        """The session now runs `new_model` instead of `old_model`."""
        label = relabel(self.label, old_model, new_model)
        if label != self.label:
            self.label = label
            self.refresh()

    def render(self) -> str:
        return header_text(self.label, self._phase, max(1, self.content_region.width))
