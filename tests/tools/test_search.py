"""google_search: declared as the service's tool; its sources shown as lines."""

from __future__ import annotations

from gemini_live_tui.live.events import Grounding
from gemini_live_tui.tools import describe_grounding


def test_grounding_lines_show_queries_and_unique_sources() -> None:
    grounding = Grounding(
        sources=(
            ("Example", "https://example.com/a"),
            ("Example again", "https://example.com/a"),
            ("https://b.org", "https://b.org"),
        ),
        queries=("weather paris", "paris forecast"),
    )
    assert describe_grounding(grounding) == [
        "searched: weather paris; paris forecast",
        "source: Example <https://example.com/a>",
        "source: <https://b.org>",
    ]


def test_many_sources_are_cut_with_a_count() -> None:
    grounding = Grounding(sources=tuple((f"s{i}", f"https://s{i}.io") for i in range(8)))
    lines = describe_grounding(grounding, limit=3)
    assert lines[-1] == "… and 5 more sources" and len(lines) == 4
