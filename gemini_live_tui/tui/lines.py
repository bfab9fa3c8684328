"""Conversation lines: the unit the view shows and `/save` writes.

A line is a role ("you", "model", "tool", …) and its text. A *live* line is
still growing (a streaming reply, an input transcription); it is replaced in
place until it settles. Lines are immutable values so the view, the
transcript and the reducer can share them without copying.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Roles the view knows how to style.
ROLES = ("you", "model", "thought", "tool", "system", "info", "error")

#: Width of the role column, label included, in terminal cells.
LABEL_WIDTH = 7


@dataclass(frozen=True, slots=True)
class Line:
    """One entry of the conversation.

    `live` marks a line that is still streaming (shown dim); `note` is a short
    mark appended in brackets once it settles, such as "interrupted".
    """

    role: str
    text: str
    live: bool = False
    note: str | None = None

    @property
    def display_text(self) -> str:
        """The text as shown: with its note, if any."""
        return f"{self.text} [{self.note}]" if self.note else self.text
