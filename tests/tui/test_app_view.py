"""What the view and the status bar show: the dim streaming reply, transcripts
that grow one line, and the session's problem counters when they are non-zero."""

from __future__ import annotations

import numpy as np
import soundfile as sf
from apptest import connected, texts, type_line, until
from textual.geometry import Region

from gemini_live_tui.live.events import Phase
from gemini_live_tui.live.messages import FunctionResponse


def model_text_brightness(app) -> list[float]:
    """Brightness (0–255) of the reply's text on each painted row that starts a model
    line, as it goes to the terminal (Textual turns `dim` into a dimmer colour)."""
    view = app.conversation
    strips = view.render_lines(Region(0, 0, view.size.width, view.size.height))
    out = []
    for strip in strips:
        segments = [s for s in strip if s.text.strip()]
        if len(segments) > 1 and segments[0].text.strip() == "model":
            body = segments[1].style
            assert body is not None and body.color is not None
            if body.dim:  # a terminal that shows dim itself
                out.append(0.0)
            else:
                out.append(sum(body.color.get_truecolor()) / 3)
    return out


def status_text(app) -> str:
    return str(app.query_one("#status").render())


async def test_streaming_reply_is_dim_until_the_turn_ends(make_app, sim):
    sim.word_delay = 0.03
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "tell me a long story")
        await until(pilot, lambda: app.chat.reply and model_text_brightness(app))
        [streaming] = model_text_brightness(app)
        await until(pilot, lambda: not app.chat.reply, timeout=15)
        await until(pilot, lambda: not app.conversation.lines[-1].live)
        await pilot.pause()
        [settled] = model_text_brightness(app)
        assert streaming < settled - 30, (streaming, settled)  # dim while it streams


async def test_output_transcription_fragments_grow_one_line(make_app, sim):
    app = make_app(text=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        for fragment in ("The weather ", "is sunny ", "today."):
            await sim.send_message({"serverContent": {"outputTranscription": {"text": fragment}}})
            await until(pilot, lambda f=fragment: app.chat.reply.endswith(f))
        await pilot.pause(0.1)  # past the live line's coalescing interval
        model = [ln for ln in app.conversation.lines if ln.role == "model"]
        assert [(ln.text, ln.live) for ln in model] == [("The weather is sunny today.", True)]
        await sim.send_message({"serverContent": {"outputTranscription": {"finished": True}}})
        await sim.send_message({"serverContent": {"turnComplete": True}})
        await until(pilot, lambda: not app.conversation.lines[-1].live)
        model = [ln for ln in app.conversation.lines if ln.role == "model"]
        assert [(ln.text, ln.live) for ln in model] == [("The weather is sunny today.", False)]
        assert "model  The weather is sunny today." in app.conversation.visible_text()


async def test_status_bar_shows_lagged_events_from_a_slow_subscriber(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        assert "lagged" not in status_text(app)
        assert app.session is not None
        slow = app.session.subscribe(maxsize=2)  # a listener that never reads
        await type_line(pilot, "tell me something long")
        await until(pilot, lambda: texts(app, "model") and not app.chat.reply, timeout=10)
        lagged = await until(pilot, lambda: app.session.lagged)
        shown = await until(pilot, lambda: f"{lagged} lagged" in status_text(app))
        assert shown
        slow.close()


async def test_status_bar_shows_send_errors(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        assert "send errors" not in status_text(app)
        assert app.session is not None
        # a tool result that cannot be encoded as JSON: the session counts a send error
        await app.session.send_tool_response([FunctionResponse("c1", "t", {"v": object()})])
        await until(pilot, lambda: app.session.stats.send_errors == 1)
        await until(pilot, lambda: "1 send errors" in status_text(app))
        assert app.is_running


async def test_status_bar_shows_dropped_audio(make_app, sim, isolated_dirs):
    cwd = isolated_dirs["cwd"]
    sf.write(cwd / "speech.wav", np.zeros(16000 * 3, dtype=np.int16), 16000, subtype="PCM_16")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        assert "dropped" not in status_text(app)
        # the server ends the session for good mid-stream; the rest of the audio cannot
        # go out and, once older than a second, is dropped rather than replayed late
        await type_line(pilot, "@speech.wav")
        await sim.wait_for(lambda: sim.realtime("audio"))
        await sim.close_with(1008, "policy violation")
        await until(pilot, lambda: app.chat.phase is Phase.CLOSED)
        dropped = await until(pilot, lambda: app.session.stats.media_dropped, timeout=10)
        assert dropped > 0
        await until(pilot, lambda: "dropped" in status_text(app))
        assert app.is_running
