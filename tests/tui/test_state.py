"""The conversation reducer, called directly: what the user would see happen."""

from __future__ import annotations

from gemini_live_tui.live import events as ev
from gemini_live_tui.tui import state as st
from gemini_live_tui.tui.lines import Line


def run(events, state=None):
    state = state or st.ChatState()
    effects = []
    for event in events:
        state, more = st.on_event(state, event)
        effects += more
    return state, effects


def test_reply_streams_as_one_live_line_and_settles_on_turn_complete():
    state, effects = run([ev.ModelText("Hel"), ev.ModelText("lo"), ev.TurnComplete()])
    assert effects[0] == st.ShowLive("reply", Line("model", "Hel", live=True))
    assert effects[1] == st.ShowLive("reply", Line("model", "Hello", live=True))
    assert effects[2] == st.Settle("reply", Line("model", "Hello"))
    assert state.reply == ""


def test_generation_complete_settles_without_turn_complete():
    _, effects = run([ev.OutputTranscription("Hi"), ev.GenerationComplete()])
    assert effects[-1] == st.Settle("reply", Line("model", "Hi"))


def test_interrupted_reply_is_marked_and_playback_flushed():
    _, effects = run([ev.OutputTranscription("Once upon"), ev.Interrupted()])
    assert st.FlushPlayback() in effects
    assert effects[-1] == st.Settle("reply", Line("model", "Once upon", note="interrupted"))


def test_input_transcription_fragments_grow_one_line():
    state, effects = run(
        [
            ev.InputTranscription("what "),
            ev.InputTranscription("time"),
            ev.InputTranscription("", True),
        ]
    )
    shows = [e for e in effects if isinstance(e, st.ShowLive)]
    assert {e.slot for e in shows} == {"heard"}
    assert effects[-1] == st.Settle("heard", Line("you", "what time"))


def test_model_answer_settles_the_spoken_turn_first():
    _, effects = run([ev.InputTranscription("hi"), ev.OutputTranscription("Hello")])
    assert effects[1] == st.Settle("heard", Line("you", "hi"))
    assert effects[2] == st.ShowLive("reply", Line("model", "Hello", live=True))


def test_thoughts_have_their_own_line():
    _, effects = run([ev.ModelText("hmm", thought=True), ev.ModelText("Yes"), ev.TurnComplete()])
    settled = [e.line for e in effects if isinstance(e, st.Settle)]
    assert settled == [Line("thought", "hmm"), Line("model", "Yes")]


def test_greeting_is_sent_once_at_start_and_not_again_on_reconnects():
    state, effects = st.on_start(st.ChatState(greeting="Say hello"))
    assert effects == [st.SendText("Say hello")]
    assert state.greeted
    state, again = st.on_start(state)
    _, after_setups = run([ev.SetupComplete(), ev.SetupComplete()], state)
    assert again == [] and after_setups == []


def test_closed_phase_shows_the_reason_and_how_to_retry():
    _, effects = run(
        [
            ev.PhaseChanged(ev.Phase.CONNECTED),
            ev.ModelText("par"),
            ev.PhaseChanged(ev.Phase.CLOSED, reason="API key not valid (code 1008)", final=True),
        ]
    )
    assert st.Settle("reply", Line("model", "par", note="cut off")) in effects
    assert effects[-1] == st.Post(
        Line("error", "connection closed: API key not valid (code 1008) — /reconnect to try again")
    )


def test_tool_call_is_shown_and_handed_on():
    call = ev.FunctionCall("c1", "set_timer", {"seconds": 30})
    _, effects = run([ev.ToolCall((call,))])
    assert effects == [
        st.Post(Line("tool", "set_timer(seconds=30) …")),
        st.RunTools((call,)),
    ]


def test_usage_resumption_and_grounding():
    state, effects = run(
        [
            ev.Usage(10, 5, 15),
            ev.ResumptionUpdate("h1", True),
            ev.Grounding((("Example", "https://example.com"),), ("cats",)),
        ]
    )
    assert state.total_tokens == 15 and state.resumable
    texts = [e.line.text for e in effects]
    assert texts == ["searched: cats", "source: Example <https://example.com>"]
    state, _ = run([ev.ResumptionUpdate(None, False)], state)
    assert not state.resumable


def test_audio_goes_to_the_speaker_effect():
    _, effects = run([ev.ModelAudio(b"\0\0", 24000)])
    assert effects == [st.PlayAudio(b"\0\0", 24000)]


def test_a_message_given_up_is_one_error_line_naming_it():
    long = "please summarise " + "the whole thing " * 10
    _, effects = run([ev.NotDelivered(long, 3)])
    [post] = effects
    assert post.line.role == "error" and "\n" not in post.line.text
    assert post.line.text.startswith("not delivered: “please summarise the whole thing")
    assert "cut off by a lost connection 3 times; send it again to retry" in post.line.text


def test_a_tool_result_carried_as_text_is_said():
    _, effects = run([ev.ToolResultCarried(("set_timer",), ("call-1",))])
    [post] = effects
    assert post.line == Line(
        "system",
        "the connection was lost while set_timer ran; its result went to the model as a message",
    )
