"""The header: which model (or `vertex:LOCATION MODEL`) and the connection phase.

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

    def render(self) -> str:
        return header_text(self.label, self._phase, max(1, self.content_region.width))
