"""Word wrap by cells: incremental growth gives exactly the full wrap."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from gemini_live_tui.tui.wrap import clean, wrap_rows

pieces = st.lists(
    st.sampled_from(["word", " ", "  ", "漢字", "😀", "\n", "longerwordthanthewidth", "a", ", "]),
    min_size=1,
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(pieces, st.integers(min_value=4, max_value=30))
@example(["  ", "  ", "word", " "], 4)  # a paragraph that begins with spaces
@example([" ", " ", "  ", "word", " ", "a"], 4)
def test_growing_text_wraps_like_a_full_wrap(parts, width):
    text, previous = "", None
    for part in parts:
        text += part
        previous = wrap_rows(text, width, previous)
    full = wrap_rows(text, width)
    assert previous.rows() == full.rows()


@settings(max_examples=200, deadline=None)
@given(pieces, st.integers(min_value=4, max_value=30))
def test_rows_fit_and_lose_nothing(parts, width):
    text = "".join(parts)
    rows = wrap_rows(text, width).rows()
    assert all(cell_len(row.rstrip()) <= width for row in rows)
    assert "".join(rows).replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_clean_drops_control_characters_but_newlines():
    assert clean("a\tb\x1b[31mc\r\nd") == "a    b[31mc\nd"
