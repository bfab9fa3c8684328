"""Status bar text and the persisted input history."""

from __future__ import annotations

import stat
import threading

from rich.cells import cell_len

from gemini_live_tui.live.events import Phase
from gemini_live_tui.tui.history import InputHistory, history_path
from gemini_live_tui.tui.status import StatusFields, render_status


def test_status_shows_phase_attempt_and_nonzero_counters_only():
    fields = StatusFields(phase=Phase.RECONNECTING, attempt=3, resumable=True, tokens=1234)
    text = render_status(fields, 200)
    assert text.startswith("reconnecting #3 · ")
    assert "resumable" in text and "1.2k tok" in text
    assert "dropped" not in text and "lagged" not in text
    problems = StatusFields(dropped_audio=2, lagged=5, send_errors=1)
    text = render_status(problems, 200)
    assert "2 dropped" in text and "5 lagged" in text and "1 send errors" in text


def test_status_fits_narrow_width_and_keeps_problem_counters():
    fields = StatusFields(phase=Phase.CONNECTED, lagged=7, upload="talk.wav 1.0/9.0 s")
    text = render_status(fields, 50)
    assert cell_len(text) <= 50
    assert "7 lagged" in text and "talk.wav" in text


def test_history_persists_per_profile_private():
    history = InputHistory.load("work")
    history.add("first")
    history.add("second")
    history.add("second")  # a repeat is not stored twice
    assert history.flush(5)  # written by the writer thread, off the caller's loop
    path = history_path("work")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = InputHistory.load("work")
    assert again.entries == ["first", "second"]
    assert InputHistory.load("other").entries == []


def test_history_walk_keeps_the_draft():
    history = InputHistory(None, ["a", "b"])
    assert history.previous("draft") == "b"
    assert history.previous("b") == "a"
    assert history.previous("a") is None
    assert history.next() == "b"
    assert history.next() == "draft"
    assert history.next() is None


def test_damaged_history_lines_are_skipped():
    path = history_path("default")
    path.parent.mkdir(parents=True)
    path.write_text('"ok"\nnot json\n42\n"fine"\n')
    assert InputHistory.load("default").entries == ["ok", "fine"]


def test_header_keeps_the_phase_visible_when_narrow():
    from gemini_live_tui.tui.widgets.header import header_text

    label = "models/gemini-3.1-flash-live-preview"
    assert header_text(label, "connected", 100) == f"gemini-live · {label} · connected"
    narrow = header_text(label, "reconnecting", 40)
    assert narrow.endswith("reconnecting") and cell_len(narrow) <= 40
    assert header_text("vertex:us-central1 gemini-x", "connected", 40).startswith("vertex:")


def test_history_is_written_off_the_calling_thread_in_order(monkeypatch):
    from gemini_live_tui.tui import history as history_module

    writers: list[str] = []
    real = history_module.write_private

    def recording(path, text):
        writers.append(threading.current_thread().name)
        real(path, text)

    monkeypatch.setattr(history_module, "write_private", recording)
    history = InputHistory.load("fast")
    for number in range(200):
        history.add(f"line {number}")
    assert history.flush(5)
    assert writers and "MainThread" not in writers
    assert len(writers) <= 200  # snapshots not written yet are replaced by newer ones
    path = history_path("fast")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert InputHistory.load("fast").entries == [f"line {n}" for n in range(200)]
    assert not list(path.parent.glob(".*.tmp"))  # atomic: no temp file left behind
