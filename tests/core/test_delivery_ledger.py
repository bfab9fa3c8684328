"""The delivery ledger on its own: which sent messages a resumable handle covers."""

from __future__ import annotations

from gemini_live_tui.live import events as ev
from gemini_live_tui.live.delivery import DeliveryLedger, Outgoing
from gemini_live_tui.live.messages import ActivityEnd, RealtimeText

HANDLE = ev.ResumptionUpdate("h", True)


def sent(ledger: DeliveryLedger, message) -> Outgoing:
    item = Outgoing(message, 0.0)
    ledger.sent(item)
    return item


def texts(items) -> list[str]:
    return [item.message.text for item in items]


def test_a_handle_before_the_answer_began_covers_nothing() -> None:
    ledger = DeliveryLedger()
    sent(ledger, RealtimeText("q"))
    ledger.on_event(HANDLE)
    assert texts(ledger.kept) == ["q"]
    ledger.on_event(ev.ModelText("a"))
    ledger.on_event(ev.TurnComplete())
    ledger.on_event(HANDLE)
    assert ledger.kept == ()


def test_the_tail_of_an_older_answer_does_not_count_for_a_new_turn() -> None:
    ledger = DeliveryLedger()
    sent(ledger, RealtimeText("q1"))
    ledger.on_event(ev.ModelText("answer to q1"))
    sent(ledger, RealtimeText("q2"))  # typed while q1's answer streams
    ledger.on_event(ev.ModelText(" more"))
    ledger.on_event(ev.TurnComplete())
    ledger.on_event(HANDLE)
    assert texts(ledger.kept) == ["q2"]
    ledger.on_event(ev.ModelText("answer to q2"))
    ledger.on_event(HANDLE)
    assert ledger.kept == ()


def test_an_answered_turn_covers_what_was_sent_before_it_and_signals_go_with_any_handle() -> None:
    ledger = DeliveryLedger()
    sent(ledger, ActivityEnd())
    ledger.on_event(HANDLE)
    assert ledger.kept == ()


def test_a_turn_cut_three_times_is_given_up() -> None:
    ledger = DeliveryLedger()
    item = sent(ledger, RealtimeText("poison"))
    for attempt in range(1, 4):
        ledger.on_event(ev.ModelText("You said"))
        given_up = ledger.connection_lost(cut=True)
        if attempt < 3:
            assert given_up == [] and ledger.take_replay() == [item]
            ledger.sent(item)
    assert given_up == [item] and ledger.kept == ()


def test_a_finished_answer_or_a_goaway_is_not_a_cut() -> None:
    ledger = DeliveryLedger()
    item = sent(ledger, RealtimeText("q"))
    ledger.on_event(ev.ModelText("a"))
    ledger.on_event(ev.TurnComplete())
    assert ledger.connection_lost(cut=True) == [] and item.cuts == 0
    ledger.take_replay()
    ledger.sent(item)
    ledger.on_event(ev.ModelText("a"))
    assert ledger.connection_lost(cut=False) == [] and item.cuts == 0
