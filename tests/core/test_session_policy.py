"""The session's policy on a fake clock: no socket, no event loop, times in milliseconds.

`SessionPolicy` decides when to reconnect, what a close means, what a GoAway
waits for, what is replayed and what is given up; these tests drive it the
way the asyncio driver does and check what a user would see: the messages
that reach the model, in which order, and the phases and notices published.
"""

from __future__ import annotations

import random

import pytest

from gemini_live_tui.live import events as ev
from gemini_live_tui.live.errors import SessionClosed
from gemini_live_tui.live.messages import (
    ActivityEnd,
    ActivityStart,
    ClientMessage,
    FunctionResponse,
    RealtimeAudio,
    RealtimeText,
    RealtimeVideo,
    Setup,
    ToolResponse,
)
from gemini_live_tui.live.session_policy import (
    ConnectAfter,
    GiveUp,
    SessionPolicy,
    SessionSettings,
)

SETUP = Setup(model="models/x", response_modalities=("TEXT",))


class MaxJitter(random.Random):
    """Jitter that always picks the top of its range, so delays are exact."""

    def uniform(self, a: float, b: float) -> float:
        return b


def make(**settings: object) -> SessionPolicy:
    return SessionPolicy(SETUP, SessionSettings(**settings), rng=MaxJitter())  # type: ignore[arg-type]


def connect(
    policy: SessionPolicy, now: float = 0.0, *, events: list[ev.Event] | None = None
) -> Setup:
    """One attempt that reaches setupComplete; returns the setup it sent."""
    decision = policy.next_attempt()
    assert isinstance(decision, ConnectAfter)
    policy.connecting()
    setup = policy.setup_message()
    assert policy.on_events([*(events or []), ev.SetupComplete()], now)
    return setup


def drain(policy: SessionPolicy, now: float = 0.0) -> list[ClientMessage]:
    """Everything the writer may send now, as it would send it."""
    out = []
    while True:
        item, _ = policy.next_to_send(now)
        if item is None:
            return out
        policy.sent(item, now)
        out.append(item.message)


def send(policy: SessionPolicy, message: ClientMessage, now: float) -> None:
    """`submit`, writing at once what the policy hands back (as `LiveSession.send` does)."""
    for item in policy.submit(message, now):
        policy.sent(item, now)


def texts(messages: list[ClientMessage]) -> list[str]:
    return [m.text for m in messages if isinstance(m, RealtimeText)]


def lose(
    policy: SessionPolicy, now: float, reason: str = "connection lost (no close frame)"
) -> None:
    assert policy.classify_close(None, reason, during_setup=False) == "retry"
    policy.on_close(reason)
    policy.connection_ended(now)


def answer(policy: SessionPolicy, now: float, handle: str = "h") -> None:
    policy.on_events(
        [ev.ModelText("ok"), ev.TurnComplete(), ev.ResumptionUpdate(handle, True)], now
    )


def published(policy: SessionPolicy, kind: type) -> list:
    return [e for e in policy.take_events() if isinstance(e, kind)]


# ----- backoff and attempts -------------------------------------------------


def test_backoff_first_retry_immediate_then_exponential_capped_then_give_up() -> None:
    policy = make(max_attempts=5, backoff_base=0.2, backoff_cap=0.4)
    delays = []
    while isinstance(decision := policy.next_attempt(), ConnectAfter):
        delays.append(decision.delay_ms)
        policy.connecting()
        policy.connect_failed("refused")
    assert delays == [0.0, 0.0, 200.0, 400.0, 400.0, 400.0]
    assert isinstance(decision, GiveUp)
    assert "gave up after 5 attempts: refused" in decision.reason
    assert policy.phase.phase is ev.Phase.CLOSED and not policy.phase.final
    policy.start()  # /reconnect after giving up: counted afresh
    assert policy.next_attempt() == ConnectAfter(0.0)


def test_jitter_keeps_each_delay_between_half_and_all_of_the_step() -> None:
    policy = SessionPolicy(SETUP, SessionSettings(backoff_base=1.0, backoff_cap=8.0))
    for attempt, step in ((2, 1000), (3, 2000), (4, 4000), (9, 8000)):
        for _ in range(50):
            assert step * 0.5 <= policy.backoff_ms(attempt) <= step


def test_a_connection_that_proved_itself_resets_the_count_and_a_quick_close_does_not() -> None:
    policy = make(stable_after=10.0, backoff_base=1.0, backoff_cap=60.0)
    connect(policy, 0)
    lose(policy, 500)  # up half a second, nothing said: a failed attempt
    assert policy.next_attempt() == ConnectAfter(0.0)  # attempt 1 is immediate
    connect(policy, 1000)
    lose(policy, 1500)
    assert policy.next_attempt() == ConnectAfter(1000.0)  # attempt 2 waits
    connect(policy, 3000)
    lose(policy, 13_000)  # up ten seconds: proved
    assert policy.next_attempt() == ConnectAfter(0.0)
    connect(policy, 13_000)
    policy.on_events([ev.ModelText("hi")], 13_100)  # the model answered: proved too
    lose(policy, 13_200)
    assert policy.next_attempt() == ConnectAfter(0.0)


# ----- what a close means -----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason", "during_setup", "sent_handle", "goaway", "verdict"),
    [
        (1011, "internal error", False, False, False, "retry"),
        (None, "no close frame", False, False, False, "retry"),
        (1007, "bad request", False, False, False, "final"),
        (1008, "API key not valid", True, False, False, "final"),
        (1008, "Operation aborted", False, False, True, "retry"),
        (1008, "Operation aborted", False, False, False, "final"),
        (1008, "Session not found", True, True, False, "stale_handle"),
        (1008, "Session not found", True, False, False, "final"),
    ],
)
def test_a_close_is_retried_final_or_a_stale_handle(
    code: int | None, reason: str, during_setup: bool, sent_handle: bool, goaway: bool, verdict: str
) -> None:
    policy = make()
    policy.handle = "old" if sent_handle else None
    policy.next_attempt()
    policy.connecting()
    policy.setup_message()
    if goaway:
        policy.on_events([ev.SetupComplete(), ev.GoAway(5.0)], 0)
    assert policy.classify_close(code, reason, during_setup=during_setup) == verdict


def test_a_close_asked_for_is_never_final() -> None:
    policy = make()
    connect(policy)
    policy.reconnect()
    assert policy.classify_close(1008, "policy violation", during_setup=False) == "retry"


def test_a_stale_handle_starts_fresh_and_says_the_context_is_gone() -> None:
    policy = make()
    connect(policy)
    policy.on_events([ev.ResumptionUpdate("h1", True)], 10)
    lose(policy, 20)
    policy.take_events()
    assert connect_handle(policy) == "h1"
    policy.stale_handle("Session not found (code 1008)")
    lost = published(policy, ev.ContextLost)
    assert lost and "started fresh" in lost[0].reason
    assert connect(policy, 30).resumption_handle is None


def connect_handle(policy: SessionPolicy) -> str | None:
    policy.next_attempt()
    policy.connecting()
    return policy.setup_message().resumption_handle


def test_a_final_close_after_setup_closes_the_session_with_the_reason() -> None:
    policy = make()
    connect(policy)
    policy.take_events()
    policy.connection_ended(100, final=True)
    policy.connect_final("quota exceeded (code 1008)")
    closed = ev.PhaseChanged(ev.Phase.CLOSED, 0, "quota exceeded (code 1008)", final=True)
    assert policy.phase == closed
    assert published(policy, ev.PhaseChanged) == [closed], "said once"


def test_a_reconnect_asked_for_resumes_unless_fresh() -> None:
    policy = make()
    connect(policy)
    policy.on_events([ev.ResumptionUpdate("h1", True)], 0)
    policy.reconnect()
    assert policy.end_reason(10) == "reconnect requested"
    policy.connection_ended(10)
    assert policy.next_attempt() == ConnectAfter(0.0)
    assert connect(policy, 20).resumption_handle == "h1"
    policy.reconnect(fresh=True)
    policy.connection_ended(30)
    assert connect(policy, 40).resumption_handle is None


# ----- GoAway -------------------------------------------------------------------


def test_goaway_ends_an_idle_connection_at_once_without_counting_a_failure() -> None:
    policy = make(backoff_base=1.0)
    connect(policy)
    policy.on_events([ev.GoAway(10.0)], 100)
    assert policy.end_reason(100) == "server sent GoAway"
    policy.connection_ended(100)
    assert policy.next_attempt() == ConnectAfter(0.0)
    # A second unproved GoAway in a row is a server in a loop: it counts.
    connect(policy, 200)
    policy.on_events([ev.GoAway(10.0)], 300)
    assert policy.end_reason(300)
    policy.connection_ended(300)
    assert policy.next_attempt() == ConnectAfter(1000.0)


def test_goaway_waits_for_a_streaming_reply_up_to_time_left_less_the_margin() -> None:
    policy = make(goaway_margin=1.0)
    connect(policy)
    policy.on_events([ev.ModelText("Once upon")], 0)
    policy.on_events([ev.GoAway(5.0)], 1000)
    assert policy.deadline() == 5000
    assert policy.end_reason(4999) is None
    assert policy.end_reason(5000) == "server sent GoAway"


def test_goaway_ends_when_the_reply_finishes() -> None:
    policy = make()
    connect(policy)
    policy.on_events([ev.ModelText("Once upon"), ev.GoAway(30.0)], 0)
    assert policy.end_reason(100) is None
    policy.on_events([ev.TurnComplete()], 200)
    assert policy.end_reason(200) == "server sent GoAway"


def test_goaway_waits_only_briefly_for_turn_complete_after_generation_complete() -> None:
    policy = make()
    connect(policy)
    policy.on_events([ev.ModelText("done"), ev.GoAway(30.0)], 0)
    policy.on_events([ev.GenerationComplete()], 1000)
    assert policy.deadline() == 1500
    assert policy.end_reason(1499) is None
    assert policy.end_reason(1500)


def test_goaway_waits_for_an_open_tool_call_and_its_covered_answer() -> None:
    policy = make()
    connect(policy)
    call = ev.FunctionCall("c1", "read_file")
    policy.on_events([ev.ToolCall((call,)), ev.GoAway(20.0)], 0)
    assert policy.end_reason(1000) is None, "the call is still open"
    direct = policy.submit(ToolResponse((FunctionResponse("c1", "read_file", {"ok": 1}),)), 2000)
    assert [type(item.message) for item in direct] == [ToolResponse]
    policy.sent(direct[0], 2000)
    assert policy.end_reason(2500) is None, "the answer is not covered by a handle yet"
    policy.on_events([ev.ModelText("it says")], 3000)
    policy.on_events([ev.TurnComplete(), ev.ResumptionUpdate("h2", True)], 3500)
    assert policy.end_reason(3500) == "server sent GoAway"


def test_after_a_goaway_the_aborted_close_is_retried_and_its_cut_not_counted() -> None:
    policy = make()
    connect(policy)
    send(policy, RealtimeText("long question"), 0)
    drain(policy)
    policy.on_events([ev.ModelText("part"), ev.GoAway(1.0)], 10)
    for n in range(4):  # more than MAX_CUTS: a GoAway's close is never a cut
        assert policy.classify_close(1008, "Operation aborted", during_setup=False) == "retry"
        policy.on_close("Operation aborted (code 1008)")
        policy.connection_ended(20 + n)
        connect(policy, 30 + n)
        assert texts(drain(policy, 30 + n)) == ["long question"]
        policy.on_events([ev.ModelText("part"), ev.GoAway(1.0)], 40 + n)
    assert published(policy, ev.NotDelivered) == []


# ----- replay and delivery ------------------------------------------------------


def test_nothing_goes_before_setup_complete_and_what_waited_goes_in_order() -> None:
    policy = make()
    assert policy.submit(RealtimeText("one"), 0) == []
    send(policy, ActivityStart(), 0)
    send(policy, RealtimeText("two"), 0)
    assert policy.next_to_send(0) == (None, None)
    connect(policy, 10)
    out = drain(policy, 10)
    assert texts(out) == ["one"], "the second waited turn waits for the first one's answer"
    assert isinstance(out[1], ActivityStart)
    answer(policy, 20)
    assert texts(drain(policy, 20)) == ["two"]


def test_a_text_lost_with_the_connection_is_replayed_and_a_covered_one_is_not() -> None:
    policy = make()
    connect(policy)
    send(policy, RealtimeText("covered"), 0)
    drain(policy)
    answer(policy, 100)  # the answer began, then a resumable handle: covered
    send(policy, RealtimeText("in flight"), 200)
    drain(policy, 200)
    lose(policy, 300)
    connect(policy, 400)
    assert texts(drain(policy, 400)) == ["in flight"]
    assert policy.stats.replayed == 1


def test_replayed_turns_go_one_answer_at_a_time_or_after_the_quiet_timeout() -> None:
    policy = make(replay_answer_timeout=20.0)
    connect(policy)
    for text in ("a", "b", "c"):
        send(policy, RealtimeText(text), 0)
    lose(policy, 10)  # none was answered: all three wait for the next connection
    connect(policy, 100)
    assert texts(drain(policy, 100)) == ["a"]
    answer(policy, 200)
    assert texts(drain(policy, 200)) == ["b"]
    item, wake_at = policy.next_to_send(300)
    assert item is None and wake_at == 200 + 20_000
    policy.on_events([ev.ModelText("a long answer")], 15_000)  # still talking: wait on
    assert policy.next_to_send(21_000)[0] is None
    assert texts(drain(policy, 35_000)) == ["c"], "the server said nothing for 20 s"


def test_a_turn_cut_three_times_is_given_up_and_the_line_after_it_still_goes() -> None:
    policy = make()
    connect(policy)
    send(policy, RealtimeText("poison"), 0)
    drain(policy)
    notices: list[ev.NotDelivered] = []
    for n in range(3):
        policy.on_events([ev.ModelText("answer…")], 10 * n + 1)  # its answer began …
        lose(policy, 10 * n + 2)  # … and the connection died under it
        notices += published(policy, ev.NotDelivered)
        if n < 2:
            connect(policy, 10 * n + 3)
            assert texts(drain(policy, 10 * n + 3)) == ["poison"]
    assert [(n.text, n.attempts) for n in notices] == [("poison", 3)]
    send(policy, RealtimeText("after"), 40)
    connect(policy, 50)
    assert texts(drain(policy, 50)) == ["after"]


# ----- tool-call holds -------------------------------------------------------------


def test_a_result_for_an_older_connections_call_is_carried_as_text() -> None:
    policy = make()
    connect(policy)
    policy.on_events([ev.ToolCall((ev.FunctionCall("c1", "search"),))], 0)
    lose(policy, 10)
    connect(policy, 20)
    policy.take_events()
    direct = policy.submit(ToolResponse((FunctionResponse("c1", "search", {"hits": 2}),)), 30)
    assert len(direct) == 1 and isinstance(direct[0].message, RealtimeText)
    assert "search (call c1) returned" in direct[0].message.text
    assert published(policy, ev.ToolResultCarried) == [ev.ToolResultCarried(("search",), ("c1",))]


def test_a_tool_response_goes_ahead_of_replayed_turns_waiting_for_an_answer() -> None:
    policy = make()
    connect(policy)
    send(policy, RealtimeText("look it up"), 0)
    send(policy, RealtimeText("and then?"), 0)
    lose(policy, 5)
    connect(policy, 10)
    assert texts(drain(policy, 10)) == ["look it up"]
    policy.on_events([ev.ToolCall((ev.FunctionCall("c2", "search"),))], 20)
    send(policy, ToolResponse((FunctionResponse("c2", "search"),)), 30)
    out = drain(policy, 30)
    assert [type(m) for m in out] == [ToolResponse], "the waiting turn waits for the answer"


def test_an_interim_tool_answer_is_not_replayed() -> None:
    policy = make()
    connect(policy)
    policy.on_events([ev.ToolCall((ev.FunctionCall("c3", "run"),))], 0)
    interim = FunctionResponse("c3", "run", {"progress": 1}, will_continue=True)
    for item in policy.submit(ToolResponse((interim,)), 10):
        policy.sent(item, 10)
    lose(policy, 20)
    connect(policy, 30)
    assert drain(policy, 30) == []


# ----- one queue, a policy per kind ---------------------------------------------------


def test_a_waiting_video_frame_is_replaced_by_a_newer_one_in_its_place() -> None:
    policy = make()
    send(policy, RealtimeVideo(b"old"), 0)
    send(policy, RealtimeText("what do you see?"), 0)
    send(policy, RealtimeVideo(b"new"), 0)
    connect(policy, 10)
    out = drain(policy, 10)
    assert [type(m) for m in out] == [RealtimeVideo, RealtimeText]
    assert out[0].data == b"new" and policy.stats.media_dropped == 1
    assert policy.stats.video_replaced == 1


def test_audio_is_dropped_by_age_and_by_count_but_signals_never() -> None:
    policy = make(media_max_age=1.0, max_queued_audio=3)
    send(policy, RealtimeAudio(b"stale"), 0)
    send(policy, ActivityStart(), 0)
    for n in range(5):
        send(policy, RealtimeAudio(bytes([n])), 1500)
    send(policy, ActivityEnd(), 1500)
    connect(policy, 1600)
    out = drain(policy, 1600)
    assert [type(m).__name__ for m in out] == [
        "ActivityStart",
        "RealtimeAudio",
        "RealtimeAudio",
        "RealtimeAudio",
        "ActivityEnd",
    ]
    assert [m.pcm for m in out if isinstance(m, RealtimeAudio)] == [b"\x02", b"\x03", b"\x04"]
    assert policy.stats.media_dropped == 3


def test_a_send_that_failed_goes_back_in_its_place() -> None:
    policy = make()
    connect(policy)
    policy.submit(RealtimeText("one"), 0, write_now=False)
    policy.submit(RealtimeText("two"), 0, write_now=False)
    first, _ = policy.next_to_send(0)
    assert first is not None
    policy.send_failed(first, lost=True)
    assert policy.next_to_send(0) == (None, None), "nothing more goes to a closed socket"
    lose(policy, 10)
    connect(policy, 20)
    assert texts(drain(policy, 20)) == ["one"]


def test_sends_after_close_are_refused() -> None:
    policy = make()
    policy.close()
    with pytest.raises(SessionClosed):
        policy.submit(RealtimeText("late"), 0)
