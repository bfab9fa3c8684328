"""The conversation view: role-labelled lines drawn with Textual's line API.

A widget per line would make a 10,000-line conversation crawl, so this is one
`ScrollView` that keeps every line pre-wrapped into `Strip`s for the current
width and paints only the rows in view (`render_line`). Widths are measured
in terminal cells (rich's `cell_len`), so East Asian wide characters and
emoji keep their width.

Live lines (a streaming reply, an input transcription) are replaced in place
by slot name. Their re-wrap is coalesced to at most one per frame interval,
so a stream of hundreds of fragments per second costs a few wraps per second,
not hundreds. The view follows new output only while it is scrolled to the
bottom, through changes of its own size (the prompt growing a line) too.
"""

from __future__ import annotations

import asyncio
import gc
import time
from bisect import bisect_right
from itertools import accumulate

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ... import compat
from ..lines import LABEL_WIDTH, ROLES, Line
from ..wrap import Wrapped, clean, wrap_rows

LIVE_REFRESH_S = 1 / 30
#: Conversations shorter than this re-wrap at once on resize (a few ms); longer
#: ones wrap the rows in view at once and the rest in slices of REWRAP_SLICE_S
#: with REWRAP_PAUSE_S between them for frames and keys.
REWRAP_NOW_LINES = 2000
REWRAP_SLICE_S = 0.005
REWRAP_PAUSE_S = 0.005


class Conversation(ScrollView, can_focus=False):
    """Scrollback of `Line`s; `append`, `show_live`, `settle`, `clear`."""

    COMPONENT_CLASSES = {f"conversation--{role}" for role in ROLES} | {
        "conversation--label",
        "conversation--live",
    }

    DEFAULT_CSS = """
    Conversation { height: 1fr; overflow-x: hidden; }
    Conversation > .conversation--label { text-style: bold; }
    Conversation > .conversation--you { color: $text-primary; }
    Conversation > .conversation--model { color: $text; }
    Conversation > .conversation--thought { color: $text-muted; text-style: italic; }
    Conversation > .conversation--tool { color: $text-warning; }
    Conversation > .conversation--system { color: $text-secondary; }
    Conversation > .conversation--info { color: $text-muted; }
    Conversation > .conversation--error { color: $text-error; }
    Conversation > .conversation--live { text-style: dim; }
    """

    def __init__(
        self, *, max_lines: int = 20_000, name: str | None = None, id: str | None = None
    ) -> None:
        super().__init__(name=name, id=id)
        self.max_lines = max_lines
        self.lines: list[Line] = []
        self._rows: list[list[Strip]] = []  # wrapped rows of each line
        self._row_widths: list[int] = []  # the width each line's rows were wrapped at
        self._pruned = 0  # lines dropped from the top so far (indices shift by this)
        self._anchor: tuple[Line, int, int, int] | None = None  # keep this row on top
        self._row_total = 0
        self._slots: dict[str, int] = {}  # slot -> index of its live line
        self._pending: dict[str, Line] = {}  # live updates not wrapped yet
        self._flush_scheduled = False
        self._wrap_width = 0
        self._starts: list[int] | None = None  # first row of each line, cached
        self._sync_follow: bool | None = None  # a size/scroll update is scheduled
        # rows [low, high) changed since the last sync; None: repaint all in view
        self._dirty: tuple[int, int] | None = None
        self._styles: dict[str, tuple[Style, Style, Style]] = {}  # role -> label, body, live
        self._live_wraps: dict[str, tuple[Wrapped, list[Strip]]] = {}  # slot -> last wrap
        # Finished rows (padding, background, filters applied) by the wrapped Strip
        # they show — Strips are immutable and replaced on change — so a view that
        # scrolls by one row paints one new row; the rest come from here.
        self._painted: dict[int, tuple[Strip | None, Strip]] = {}
        self._painted_key: tuple[object, ...] | None = None
        # at the bottom as of the last scroll; a change of height (the prompt
        # growing) moves the bottom without a scroll and must not end following
        self._following = True

    # ----- public API ---------------------------------------------------------

    def append(self, line: Line) -> None:
        """Add a finished line at the bottom."""
        follow = self._at_bottom()
        self._insert(len(self.lines), line)
        self._prune()
        self._changed(follow)

    def show_live(self, slot: str, line: Line) -> None:
        """Create or update the live line of `slot` (re-wrapped at most once per frame)."""
        self._pending[slot] = line
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.set_timer(LIVE_REFRESH_S, self.flush_live)

    def settle(self, slot: str, line: Line) -> None:
        """Replace the live line of `slot` with its final form (or append it)."""
        self._pending.pop(slot, None)
        self._live_wraps.pop(slot, None)
        follow = self._at_bottom()
        index = self._slots.pop(slot, None)
        if index is None:
            self._insert(len(self.lines), line)
        else:
            self._replace(index, line)
        self._prune()
        self._changed(follow)

    def flush_live(self) -> None:
        """Wrap and show every pending live update now."""
        self._flush_scheduled = False
        if not self._pending:
            return
        follow = self._at_bottom()
        pending, self._pending = self._pending, {}
        for slot, line in pending.items():
            index = self._slots.get(slot)
            if index is None:
                self._slots[slot] = len(self.lines)
                self._insert(len(self.lines), line, slot)
            else:
                self._replace(index, line, slot)
        self._prune()
        self._changed(follow)

    def clear(self) -> None:
        """Remove every line (live ones too)."""
        self.lines.clear()
        self._rows.clear()
        self._row_widths.clear()
        self._anchor = None
        self._slots.clear()
        self._pending.clear()
        self._live_wraps.clear()
        self._row_total = 0
        self._starts = None
        self.virtual_size = Size(self._wrap_width, 0)
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    @property
    def row_count(self) -> int:
        """Rows the conversation takes at the current width."""
        return self._row_total

    def visible_text(self) -> list[str]:
        """The rows in view, as plain text (for tests and accessibility)."""
        top = int(self.scroll_offset.y)
        rows = [strip for rows in self._rows for strip in rows]
        return [s.text.rstrip() for s in rows[top : top + self.size.height]]

    # ----- wrapping -------------------------------------------------------------

    def _width(self) -> int:
        return max(LABEL_WIDTH + 8, self.scrollable_content_region.width)

    def _wrap(self, line: Line, slot: str | None = None) -> list[Strip]:
        """The rows of `line` at the current width. A live line of `slot` re-wraps
        only its last row when its text grew (see `wrap.wrap_rows`)."""
        if not self.is_attached:
            return [Strip([Segment(line.display_text)])]
        width = (self._wrap_width or self._width()) - LABEL_WIDTH
        label_style, role_style, live_style = self._role_styles(line.role)
        body_style = live_style if line.live else role_style
        label = f"{line.role:<{LABEL_WIDTH - 1}} "[:LABEL_WIDTH]
        text = line.text
        if (
            len(text) <= width  # a long text is not one row: skip measuring all of it
            and "\n" not in text
            and text.isprintable()
            and cell_len(line.display_text) <= width
        ):
            # the common case: one row, nothing to wrap
            segments = [Segment(label, label_style), Segment(text, body_style)]
            if line.note:
                segments.append(Segment(f" [{line.note}]", role_style + Style(italic=True)))
            return [Strip(segments)]
        body = clean(line.display_text)
        cached = self._live_wraps.get(slot) if slot else None
        previous, old_strips = cached if cached and line.live else (None, [])
        wrapped = wrap_rows(body, width, previous)
        keep = 0
        if (
            previous is not None
            and wrapped.starts[: len(previous.starts) - 1] == previous.starts[:-1]
        ):
            keep = len(previous.starts) - 1
        blank = " " * LABEL_WIDTH
        strips = old_strips[:keep]
        for number in range(keep, len(wrapped.starts)):
            piece = body[wrapped.starts[number] : wrapped.ends[number]]
            if cell_len(piece) > width:
                piece = piece.rstrip()
            strips.append(
                Strip(
                    [
                        Segment(label if number == 0 else blank, label_style),
                        Segment(piece, body_style),
                    ]
                )
            )
        if slot and line.live:
            self._live_wraps[slot] = (wrapped, strips)
        return list(strips)

    def _role_styles(self, role: str) -> tuple[Style, Style, Style]:
        """Label, body and live-body styles of a role (from the CSS, cached)."""
        styles = self._styles.get(role)
        if styles is None:
            name = f"conversation--{role}" if role in ROLES else "conversation--system"
            body = self.get_component_rich_style(name, partial=True)
            label = body + self.get_component_rich_style("conversation--label", partial=True)
            live = body + self.get_component_rich_style("conversation--live", partial=True)
            styles = self._styles[role] = (label, body, live)
        return styles

    def _insert(self, index: int, line: Line, slot: str | None = None) -> None:
        self._dirty = None
        rows = self._wrap(line, slot)
        self.lines.insert(index, line)
        self._rows.insert(index, rows)
        self._row_widths.insert(index, self._wrap_width if self.is_attached else -1)
        self._row_total += len(rows)
        if index < len(self.lines) - 1:
            self._slots = {s: i + (i >= index) for s, i in self._slots.items()}

    def _replace(self, index: int, line: Line, slot: str | None = None) -> None:
        rows = self._wrap(line, slot)
        old = len(self._rows[index])
        if len(rows) == old and self._dirty is not None:
            # same height: only this line's rows need repainting
            start = self._row_total - sum(len(r) for r in self._rows[index:])
            low, high = self._dirty
            self._dirty = (min(low, start), max(high, start + old))
        else:
            self._dirty = None  # rows moved: repaint everything in view
        self._row_total += len(rows) - old
        self.lines[index] = line
        self._rows[index] = rows
        self._row_widths[index] = self._wrap_width if self.is_attached else -1

    def _prune(self) -> None:
        excess = len(self.lines) - self.max_lines
        if excess <= 0:
            return
        self._dirty = None
        self._row_total -= sum(len(r) for r in self._rows[:excess])
        del self.lines[:excess]
        del self._rows[:excess]
        del self._row_widths[:excess]
        self._pruned += excess
        self._slots = {s: i - excess for s, i in self._slots.items() if i >= excess}

    def _rewrap_all(self) -> None:
        self._live_wraps.clear()
        self._dirty = None
        self._wrap_width = self._width()
        self._rows = [self._wrap(line) for line in self.lines]
        self._row_widths = [self._wrap_width] * len(self.lines)
        self._row_total = sum(len(r) for r in self._rows)

    def _rewrap_line(self, index: int) -> None:
        rows = self._wrap(self.lines[index])
        self._row_total += len(rows) - len(self._rows[index])
        self._rows[index] = rows
        self._row_widths[index] = self._wrap_width

    def _rewrap(self, restyle: bool = False) -> None:
        """Re-wrap for a new width (or new styles) without blocking the event loop.

        A short conversation is re-wrapped at once. A long one (10,000 lines take
        ~1.5 s) re-wraps the rows in view now, so the next frame is right, and the
        rest in slices of a few ms between frames and keys, newest first; the row
        at the top of the view stays on top while the rows above it change.
        """
        follow = self._at_bottom()
        if len(self.lines) < REWRAP_NOW_LINES:
            self._rewrap_all()
            self._changed(follow)
            return
        anchor = None if follow else self._top_anchor()
        # The rows about to be replaced are long-lived and free of cycles (refcounting
        # frees them); keep them out of the collector so the full collections that
        # re-wrapping 10,000 lines provokes stay short (they took 40-100 ms each).
        # Collect the young generations first, so little cyclic garbage is frozen.
        gc.collect(1)
        gc.freeze()
        self._live_wraps.clear()
        self._wrap_width = self._width()
        if restyle:
            self._row_widths = [-1] * len(self.lines)
        height = max(1, self.scrollable_content_region.height)
        width = self._wrap_width
        if anchor is None:  # at the bottom: the last lines fill the view
            index, rows = len(self.lines) - 1, 0
            while index >= 0 and rows < height:
                if self._row_widths[index] != width:
                    self._rewrap_line(index)
                rows += len(self._rows[index])
                index -= 1
        else:  # from the line at the top of the view down
            index, rows = anchor[1], -anchor[2]
            while index < len(self.lines) and rows < height:
                if self._row_widths[index] != width:
                    self._rewrap_line(index)
                rows += len(self._rows[index])
                index += 1
        self._dirty = None
        self._anchor = anchor
        self._changed(follow)
        self.run_worker(self._rewrap_rest(), group="rewrap", exclusive=True, exit_on_error=False)

    async def _rewrap_rest(self) -> None:
        index = len(self.lines) - 1
        while True:
            await asyncio.sleep(REWRAP_PAUSE_S)  # a key takes several task hops: leave room
            width = self._wrap_width
            follow = self._at_bottom()
            anchor = None if follow else self._top_anchor()
            deadline = time.perf_counter() + REWRAP_SLICE_S
            index = min(index, len(self.lines) - 1)  # pruning moves lines down
            changed = False
            while index >= 0 and time.perf_counter() < deadline:
                if self._row_widths[index] != width:
                    self._rewrap_line(index)
                    changed = True
                index -= 1
            if changed:
                gc.freeze()  # the new rows too (see `_rewrap`)
                self._dirty = None
                self._anchor = anchor
                self._changed(follow)
            if index < 0:
                if all(w == self._wrap_width for w in self._row_widths):
                    return
                index = len(self.lines) - 1

    def _top_anchor(self) -> tuple[Line, int, int, int] | None:
        """The line at the top of the view, its index, the row within it, and `_pruned`."""
        top = int(self.scroll_offset.y)
        if top >= self._row_total or not self.lines:
            return None
        if self._starts is None:
            self._starts = list(accumulate((len(r) for r in self._rows), initial=0))
        index = bisect_right(self._starts, top) - 1
        return self.lines[index], index, top - self._starts[index], self._pruned

    def _anchored_top(self) -> int | None:
        """The scroll offset that puts the anchor row back on top (None: it is gone)."""
        anchor, self._anchor = self._anchor, None
        if anchor is None:
            return None
        line, index, offset, pruned = anchor
        index -= self._pruned - pruned
        if not (0 <= index < len(self.lines)) or self.lines[index] is not line:
            return None
        if self._starts is None:
            self._starts = list(accumulate((len(r) for r in self._rows), initial=0))
        return self._starts[index] + min(offset, len(self._rows[index]) - 1)

    # ----- Textual hooks --------------------------------------------------------

    def _at_bottom(self) -> bool:
        return self._following

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._following = new_value >= self.max_scroll_y

    def _changed(self, follow: bool) -> None:
        """Note a change; the size and scroll update once for a whole batch of changes."""
        self._starts = None
        if self._sync_follow is None:
            self._sync_follow = follow
            self.call_later(self._sync)

    def _sync(self) -> None:
        follow, self._sync_follow = self._sync_follow, None
        dirty, self._dirty = self._dirty, (self._row_total, 0)
        self._set_virtual_size(Size(self._wrap_width, self._row_total))
        top = self.scroll_offset.y
        bottom = max(0, self._row_total - self.scrollable_content_region.height)
        anchored = self._anchored_top()
        # force: the scrollbar that this change brings is not shown until the next
        # layout, and Textual refuses to scroll a view without one
        if follow and bottom != top:
            self.scroll_to(y=bottom, animate=False, immediate=True, force=True)
        elif not follow and anchored is not None and anchored != top:
            self.scroll_to(y=anchored, animate=False, immediate=True, force=True)
        if dirty is None or self.scroll_offset.y != top:
            self.refresh()
        elif dirty[1] > dirty[0]:
            self.refresh_lines(dirty[0], dirty[1] - dirty[0])

    def _set_virtual_size(self, size: Size) -> None:
        """Set the scrollable size; a taller conversation that already scrolls only
        updates the scrollbar (`virtual_size` is a layout reactive: assigning it
        re-arranges the whole screen, which cost ~10% of the CPU while streaming)."""
        if (
            self.show_vertical_scrollbar
            and size.width == self.virtual_size.width
            and size.height > self.scrollable_content_region.height
        ):
            self.set_reactive(ScrollView.virtual_size, size)
            compat.update_scrollbars(self, size)
        else:
            self.virtual_size = size

    def on_resize(self) -> None:
        if self._width() != self._wrap_width:
            self._rewrap()
        elif self._following:  # shorter or taller: the last row stays in view
            self._changed(True)

    def watch_show_vertical_scrollbar(self) -> None:
        """The scrollbar takes (or gives back) columns without a resize: re-wrap for them."""
        if self.is_attached and self._wrap_width and self._width() != self._wrap_width:
            self._rewrap()

    def on_mount(self) -> None:
        self._wrap_width = self._width()
        if self.lines:
            self._rewrap_all()
            self._changed(True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._painted_key = None
        if self.is_attached and self.lines:
            self._rewrap(restyle=True)
            self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        """Rows in `crop`, finished by Textual's styles cache only when not painted before."""
        scroll_x, scroll_y = self.scroll_offset
        top = self.styles.gutter.top
        base, background = self.background_colors
        key = (crop.x, crop.width, scroll_x, top, base, background, *self.get_line_filters())
        if key != self._painted_key:
            self._painted.clear()
            self._painted_key = key
        elif len(self._painted) > 4 * max(self.size.height, 64):
            self._painted.clear()  # rows that scrolled away
        painted = self._painted
        out = []
        for y in crop.line_range:
            source = self._row_at(scroll_y + y - top) if y >= top else None
            hit = painted.get(id(source))
            if hit is not None and hit[0] is source and y >= top:
                out.append(hit[1])
                continue
            strip = super().render_lines(Region(crop.x, y, crop.width, 1))[0]
            if y >= top and y < self.size.height - self.styles.gutter.bottom:
                painted[id(source)] = (source, strip)
            out.append(strip)
        return out

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        strip = self._row_at(scroll_y + y)
        if strip is None:
            return Strip.blank(width, self.rich_style)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style).apply_style(
            self.rich_style
        )

    def _row_at(self, row: int) -> Strip | None:
        if row < 0 or row >= self._row_total:
            return None
        if self._starts is None:  # rebuilt at most once per change, not per row
            self._starts = list(accumulate((len(r) for r in self._rows), initial=0))
        index = bisect_right(self._starts, row) - 1
        return self._rows[index][row - self._starts[index]]
