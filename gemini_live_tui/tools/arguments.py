"""Checked access to the arguments the model sends.

The model's arguments are JSON of any shape, whatever the declaration says;
these readers turn a wrong type or a value out of range into a `ToolError`
that names the argument, instead of a TypeError deep inside a tool.
"""

from __future__ import annotations

from typing import Any

from .errors import ToolError

_MISSING = object()


def get_str(args: dict[str, Any], name: str, default: Any = _MISSING) -> str:
    """A string argument; required unless a default is given."""
    value = args.get(name, _MISSING)
    if value is _MISSING or value is None:
        if default is _MISSING:
            raise ToolError(f"argument {name!r} is required")
        return default
    if not isinstance(value, str):
        raise ToolError(f"argument {name!r} must be a string, not {type(value).__name__}")
    if "\x00" in value:
        raise ToolError(f"argument {name!r} must not contain NUL characters")
    return value


def get_number(
    args: dict[str, Any],
    name: str,
    default: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """A number argument within [minimum, maximum]."""
    value = args.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ToolError(f"argument {name!r} must be a number, not {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ToolError(f"argument {name!r} must be at least {minimum:g}, got {value:g}")
    if maximum is not None and value > maximum:
        raise ToolError(f"argument {name!r} must be at most {maximum:g}, got {value:g}")
    return float(value)


def get_int(
    args: dict[str, Any],
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """An integer argument within [minimum, maximum] (a float with no fraction is accepted)."""
    value = get_number(args, name, default, minimum=minimum, maximum=maximum)
    if value != int(value):
        raise ToolError(f"argument {name!r} must be a whole number, got {value:g}")
    return int(value)


def get_bool(args: dict[str, Any], name: str, default: Any = _MISSING) -> bool:
    """A boolean argument; required unless a default is given."""
    value = args.get(name)
    if value is None:
        if default is _MISSING:
            raise ToolError(f"argument {name!r} is required")
        return default
    if not isinstance(value, bool):
        raise ToolError(f"argument {name!r} must be true or false, not {value!r}")
    return value


def get_str_list(args: dict[str, Any], name: str) -> list[str]:
    """A required, non-empty list of strings."""
    value = args.get(name)
    if not isinstance(value, list) or not value:
        raise ToolError(f"argument {name!r} must be a non-empty list of strings")
    for item in value:
        if not isinstance(item, str):
            raise ToolError(f"argument {name!r} must hold only strings, found {item!r}")
        if "\x00" in item:
            raise ToolError(f"argument {name!r} must not contain NUL characters")
    return list(value)
