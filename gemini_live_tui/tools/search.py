"""`google_search`: the service's own search tool, and how its sources are shown.

The client does not run it: enabling it adds `{"googleSearch": {}}` to the
setup, and the server grounds answers in web results. The sources come
back in `groundingMetadata`, which the live layer decodes into a
`Grounding` event; `describe_grounding` turns that into lines for the
conversation.
"""

from __future__ import annotations

from ..live.events import Grounding
from .registry import ToolSpec

SPEC = ToolSpec(
    name="google_search",
    summary="let the model search the web (run by the service; sources are shown)",
    default_enabled=True,
    server_tool={"googleSearch": {}},
)


def describe_grounding(grounding: Grounding, limit: int = 5) -> list[str]:
    """Conversation lines for the search queries and sources of a `Grounding` event."""
    lines: list[str] = []
    if grounding.queries:
        lines.append("searched: " + "; ".join(grounding.queries))
    first_of: dict[str, str] = {}
    for title, uri in grounding.sources:
        first_of.setdefault(uri, title)
    sources = [(title, uri) for uri, title in first_of.items()]
    for title, uri in sources[:limit]:
        lines.append(f"source: {title} <{uri}>" if title != uri else f"source: <{uri}>")
    if len(sources) > limit:
        lines.append(f"… and {len(sources) - limit} more sources")
    return lines
