"""The tool registry: which tools exist, how they are declared, how they run.

The TUI stages tools with /tools and puts `registry.declarations(enabled)`
into the setup; the runner looks calls up here. A spec is plain data, so a
tool is one module that builds one `ToolSpec` and nothing else has to know
about it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..live.models import lookup

JsonDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class CallContext:
    """What an executor may use besides its arguments."""

    call_id: str
    confirm: Callable[[tuple[str, ...]], Awaitable[bool]]
    """Ask the user to allow this exact argv (True = allowed)."""


Executor = Callable[[JsonDict, CallContext], Awaitable[Any]]
"""Runs one call; returns the JSON result, raises `ToolError` to refuse or fail."""


def compact(value: Any, limit: int = 80) -> str:
    """A one-line JSON rendering of `value`, cut to `limit` characters."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One tool: its declaration for the setup and its executor.

    A server-side tool (google_search) has `server_tool` (the setup entry)
    and no declaration or executor: the service runs it.
    """

    name: str
    summary: str
    """One line for `/tools list`."""
    default_enabled: bool
    declaration: JsonDict | None = None
    """A `FunctionDeclaration` in wire form (camelCase, OpenAPI-subset schema)."""
    execute: Executor | None = None
    server_tool: JsonDict | None = None
    summarize: Callable[[Any], str] = compact
    """Turns a successful result into a few words for the conversation."""


class ToolRegistry:
    """Tools by name, in the order they were added."""

    def __init__(self, specs: Iterable[ToolSpec] = ()) -> None:
        self._specs: dict[str, ToolSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: ToolSpec) -> None:
        """Register a tool; a name may be registered once."""
        if spec.name in self._specs:
            raise ValueError(f"tool {spec.name!r} is already registered")
        if (spec.server_tool is None) == (spec.execute is None):
            raise ValueError(f"tool {spec.name!r} needs either an executor or a server_tool")
        self._specs[spec.name] = spec

    def get(self, name: str) -> ToolSpec | None:
        """The spec for `name`, or None."""
        return self._specs.get(name)

    def names(self) -> list[str]:
        """All tool names, in registration order."""
        return list(self._specs)

    def default_enabled(self) -> set[str]:
        """The names enabled when the user has not chosen."""
        return {s.name for s in self._specs.values() if s.default_enabled}

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[ToolSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def declarations(self, enabled: Iterable[str], *, non_blocking: bool = False) -> list[JsonDict]:
        """The `setup.tools` list for the enabled tools.

        One `{"functionDeclarations": [...]}` entry for the client-side tools,
        plus each enabled server-side tool (e.g. `{"googleSearch": {}}`).
        With `non_blocking`, functions are declared `NON_BLOCKING` so the model
        keeps talking while they run (only some models support it: see
        `supports_non_blocking`).
        """
        wanted = set(enabled)
        unknown = wanted - set(self._specs)
        if unknown:
            raise ValueError(f"unknown tools: {', '.join(sorted(unknown))}")
        functions: list[JsonDict] = []
        servers: list[JsonDict] = []
        for spec in self._specs.values():
            if spec.name not in wanted:
                continue
            if spec.server_tool is not None:
                servers.append(dict(spec.server_tool))
            elif spec.declaration is not None:
                declaration = dict(spec.declaration)
                if non_blocking:
                    declaration["behavior"] = "NON_BLOCKING"
                functions.append(declaration)
        tools: list[JsonDict] = []
        if functions:
            tools.append({"functionDeclarations": functions})
        return tools + servers


def supports_non_blocking(model: str) -> bool:
    """Whether `model` runs function calls NON_BLOCKING (the model catalog decides).

    3.8 Live runs them in the background by default, 3.8 extended thinking
    only that way, the 2.5 native-audio models when declared so; 3.1 Flash
    Live and unknown models take synchronous (blocking) calls only.
    """
    return lookup(model).non_blocking
