"""`user_turn_open`: when the tool bridge considers the user mid-turn (pure, no app)."""

from __future__ import annotations

import pytest

from gemini_live_tui.live import events as ev
from gemini_live_tui.tui.tool_bridge import user_turn_open


def after(*events: ev.Event, start: bool = False) -> bool:
    state = start
    for event in events:
        state = user_turn_open(state, event)
    return state


def test_transcribed_words_open_the_turn_until_finished() -> None:
    assert after(ev.InputTranscription("hello")) is True
    assert after(ev.InputTranscription("hello"), ev.InputTranscription(" there")) is True
    assert after(ev.InputTranscription("hello"), ev.InputTranscription(" you", True)) is False
    assert after(ev.InputTranscription("")) is False  # no words, no turn


@pytest.mark.parametrize(
    "event",
    [
        ev.TurnComplete(),
        ev.GenerationComplete(),
        ev.ModelText("Sure"),
        ev.OutputTranscription("Sure"),
        ev.ModelAudio(b"\0\0"),
        ev.PhaseChanged(ev.Phase.RECONNECTING),
    ],
    ids=lambda e: type(e).__name__,
)
def test_the_model_answering_or_the_connection_changing_closes_it(event: ev.Event) -> None:
    assert after(ev.InputTranscription("hello"), event) is False


def test_other_events_leave_it_as_it_was() -> None:
    assert after(ev.Interrupted(), start=True) is True  # a barge-in: the user is speaking
    assert after(ev.Usage(1, 2, 3), start=True) is True
    assert after(ev.Interrupted()) is False
