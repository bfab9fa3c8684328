"""The status bar: one line rendered from `StatusFields`, fitted to the width."""

from __future__ import annotations

from textual.widget import Widget

from ..status import StatusFields, render_status


class StatusBar(Widget):
    """Shows the app's `StatusFields`; set `fields` to update."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._fields = StatusFields()

    @property
    def fields(self) -> StatusFields:
        return self._fields

    @fields.setter
    def fields(self, value: StatusFields) -> None:
        if value != self._fields:
            self._fields = value
            self.refresh()

    def render(self) -> str:
        return render_status(self._fields, max(1, self.content_region.width))
