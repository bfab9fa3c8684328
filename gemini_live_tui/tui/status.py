"""Status bar fields as one value, and how they read in a given width.

The app owns a `StatusFields` and replaces it (`dataclasses.replace`) when
something changes; the status bar widget only renders it. Audio, screen
sharing and tools plug in by setting their field — nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len

from ..live.events import Phase


@dataclass(frozen=True, slots=True)
class StatusFields:
    """Everything the status bar shows."""

    phase: Phase = Phase.CLOSED
    attempt: int = 0
    mic: str = "off"
    speaker: str = "off"
    screen: str = "off"
    resumable: bool = False
    tokens: int = 0
    dropped_audio: int = 0
    mic_dropped: int = 0  # microphone audio lost before the session (overruns, slow network)
    underruns: int = 0  # the speaker ran dry mid-reply
    lagged: int = 0
    send_errors: int = 0
    upload: str | None = None  # "talk.wav 3.2/10.0 s" while a file streams
    staged: int = 0  # setup changes waiting for `apply`
    offline: bool = False  # no credential: there is no session at all


def format_tokens(count: int) -> str:
    """1234 -> "1.2k", 12 -> "12"."""
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f}M"
    if count >= 1000:
        return f"{count / 1000:.1f}k"
    return str(count)


def status_parts(fields: StatusFields) -> list[str]:
    """The pieces of the bar, most important first."""
    phase = "offline" if fields.offline else fields.phase.value
    if fields.phase is Phase.RECONNECTING and fields.attempt:
        phase += f" #{fields.attempt}"
    parts = [phase]
    if fields.upload:
        parts.append(f"sending {fields.upload}")
    parts += [f"mic {fields.mic}", f"speak {fields.speaker}", f"screen {fields.screen}"]
    parts.append("resumable" if fields.resumable else "not resumable")
    if fields.tokens:
        parts.append(f"{format_tokens(fields.tokens)} tok")
    if fields.staged:
        parts.append(f"{fields.staged} staged")
    for count, name in (
        (fields.dropped_audio + fields.mic_dropped, "dropped"),
        (fields.underruns, "underruns"),
        (fields.lagged, "lagged"),
        (fields.send_errors, "send errors"),
    ):
        if count:
            parts.append(f"{count} {name}")
    return parts


def render_status(fields: StatusFields, width: int) -> str:
    """The bar's text in at most `width` cells: parts that do not fit are left out,
    counters of problems are kept before the device states."""
    parts = status_parts(fields)
    text = " · ".join(parts)
    if cell_len(text) <= width:
        return text
    # Keep phase, upload and problem counters; drop device/resumable pieces from the middle.
    essential = [parts[0]] + [
        p for p in parts[1:] if p.startswith("sending") or p.split(" ", 1)[0].isdigit()
    ]
    text = " · ".join(essential)
    return text if cell_len(text) <= width else text[: max(0, width - 1)] + "…"
