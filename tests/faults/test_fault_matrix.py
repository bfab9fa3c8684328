"""The fault matrix: every way the server can fail, at every stage of a turn.

Each case drives the real app against the simulator and checks what a user
would care about: the app keeps running, the phase ends up right, every line
the user typed reaches the server (counted at the simulator), and no
traceback reaches the screen.
"""

from __future__ import annotations

import asyncio
import base64
import json
import wave
from collections.abc import Awaitable, Callable
from pathlib import Path

import numpy as np
import pytest
from apptest import connected, texts, type_line, until

from gemini_live_tui.live.events import Phase
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.simulator.voice import synthesize_words
from gemini_live_tui.tui.app import GeminiLiveApp


def screen_text(app: GeminiLiveApp) -> str:
    return "\n".join(app.conversation.visible_text()) + "\n" + "\n".join(texts(app))


def assert_healthy(app: GeminiLiveApp, sim: LiveSimulator, typed: list[str]) -> None:
    assert app.is_running
    assert "Traceback" not in screen_text(app)
    received = sim.texts()
    missing = [t for t in typed if t not in received]
    assert not missing, f"lost user text: {missing}"
    # order kept: the first arrival of each typed line comes in typing order
    firsts = [received.index(t) for t in typed]
    assert firsts == sorted(firsts)


Fault = Callable[[LiveSimulator], Awaitable[None]]


async def drop(sim: LiveSimulator) -> None:
    await sim.drop()


async def goaway(sim: LiveSimulator) -> None:
    await sim.send_goaway(0.5)


async def close_1011(sim: LiveSimulator) -> None:
    await sim.close_with(1011, "Internal error encountered.")


FAULTS = {"drop": drop, "goaway": goaway, "close-1011": close_1011}


def drop_setups(sim: LiveSimulator, count: int) -> None:
    sim.drop_next_setups = count


def close_setups_1011(sim: LiveSimulator, count: int) -> None:
    sim.close_next_setups = [(1011, "Internal error encountered.")] * count


def goaway_setups(sim: LiveSimulator, count: int) -> None:
    sim.goaway_next_setups = count


SETUP_FAULTS = {"drop": drop_setups, "close-1011": close_setups_1011, "goaway": goaway_setups}


@pytest.mark.parametrize("fault", SETUP_FAULTS)
async def test_fault_before_setup_complete(make_app, sim, fault):
    """Two setups fail before setupComplete; the third connection carries the typed line."""
    SETUP_FAULTS[fault](sim, 2)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await type_line(pilot, "typed while connecting")
        await connected(pilot)
        await until(pilot, lambda: texts(app, "model"), timeout=10)
        await pilot.pause(0.3)
        assert app.chat.phase is Phase.CONNECTED
        assert_healthy(app, sim, ["typed while connecting"])
        assert sim.texts().count("typed while connecting") == 1, "delivered exactly once"
        # a bounded number of tries: one per failed setup, then the one that works
        assert len(sim.connections) == 3
        assert [c.session is not None for c in sim.connections] == [False, False, True]
        if fault == "goaway":
            assert sum("goAway" in m for _, m in sim.sent) == 2


@pytest.mark.parametrize("fault", FAULTS)
async def test_fault_mid_text_reply(make_app, sim, fault):
    sim.word_delay = 0.02
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "tell me a long story")
        await until(pilot, lambda: app.chat.reply)
        await FAULTS[fault](sim)
        await type_line(pilot, "typed during the fault")
        await until(pilot, lambda: len(sim.setups()) >= 2 and app.chat.phase is Phase.CONNECTED, 10)
        await sim.wait_for(lambda: "typed during the fault" in sim.texts(), timeout=10)
        await until(
            pilot, lambda: any("typed during the fault" in t for t in texts(app, "model")), 10
        )
        assert_healthy(app, sim, ["tell me a long story", "typed during the fault"])


@pytest.mark.parametrize("fault", FAULTS)
async def test_fault_mid_audio_reply(make_app, sim, fault):
    sim.audio_speed = 2.0
    app = make_app(text=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "speak a long answer")
        await sim.wait_for(lambda: any("inlineData" in json.dumps(m) for _, m in sim.sent[-3:]), 5)
        await FAULTS[fault](sim)
        await type_line(pilot, "after the audio fault")
        await until(pilot, lambda: len(sim.setups()) >= 2 and app.chat.phase is Phase.CONNECTED, 10)
        await sim.wait_for(lambda: "after the audio fault" in sim.texts(), timeout=10)
        assert_healthy(app, sim, ["speak a long answer", "after the audio fault"])


@pytest.mark.parametrize("fault", FAULTS)
async def test_fault_during_file_upload(make_app, sim, fault, isolated_dirs):
    path = Path(isolated_dirs["cwd"]) / "talk.wav"
    pcm = synthesize_words(["one", "two", "three", "four", "five", "six"], rate=16000)
    pcm += bytes(16000 * 2)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "@talk.wav what did I say?")
        await sim.wait_for(lambda: len(sim.realtime("audio")) >= 10, timeout=5)  # 0.4 s in
        await FAULTS[fault](sim)
        await until(pilot, lambda: len(sim.setups()) >= 2 and app.chat.phase is Phase.CONNECTED, 10)
        await sim.wait_for(lambda: "what did I say?" in sim.texts(), timeout=15)
        assert_healthy(app, sim, ["what did I say?"])
        assert sim.realtime("audioStreamEnd"), "the stream end still goes out"


@pytest.mark.parametrize("seconds", [1.0, 0.35], ids=["before-the-answer", "as-it-answers"])
@pytest.mark.parametrize("fault", FAULTS)
async def test_fault_during_a_tool_call_loses_no_tool_result(make_app, sim, fault, seconds):
    """The resumed session never saw the call: its result reaches the model as a
    message on the new connection, never as a response to an id it did not issue."""
    # set_timer is on by default; 3.8 Live runs calls NON_BLOCKING, so a slow one
    # gets a "continuing" notice at once and its result later
    app = make_app(setup=Setup(model="models/gemini-3.8-live", response_modalities=("AUDIO",)))
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("set_timer", {"seconds": seconds})
        await sim.wait_for(lambda: any(r["id"] == call for r in sim.tool_responses()))  # notice
        await FAULTS[fault](sim)
        await until(pilot, lambda: len(sim.setups()) >= 2 and app.chat.phase is Phase.CONNECTED, 10)

        def carried() -> list[str]:
            return [t for t in sim.texts() if call in t and "set_timer" in t]

        await sim.wait_for(carried, timeout=10)
        await pilot.pause(0.3)
        later_answers = [
            f
            for r in sim.received
            if r.connection >= 2
            for f in r.message.get("toolResponse", {}).get("functionResponses", [])
        ]
        assert later_answers == [], "no tool response for an id the new connection never issued"
        assert len(carried()) == 1
        assert '"ok": true' in carried()[0]
        await until(pilot, lambda: any("went to the model as a message" in t for t in texts(app)))
        await until(pilot, lambda: any(call in t for t in texts(app, "model")), 10)
        assert_healthy(app, sim, [])


async def test_handle_rejected_on_resume_starts_fresh_and_says_so(make_app, sim):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "first")
        await until(pilot, lambda: texts(app, "model"))
        sim.forget_handles()
        await sim.drop()
        await until(
            pilot, lambda: any("fresh" in t or "context" in t.lower() for t in texts(app)), 10
        )
        await until(pilot, lambda: app.chat.phase is Phase.CONNECTED, 10)
        await type_line(pilot, "second")
        await sim.wait_for(lambda: "second" in sim.texts())
        assert_healthy(app, sim, ["first", "second"])


@pytest.mark.parametrize(
    "seconds", [pytest.param(60, marks=pytest.mark.slow), 6], ids=["60s", "6s"]
)
async def test_server_stall_keeps_the_app_responsive(make_app, sim, seconds):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        sim.stall()
        await type_line(pilot, "anyone there?")
        for _ in range(6):  # a long time without a frame; typing still echoes at once
            await pilot.pause(seconds / 6)
            await pilot.press("x")
            assert app.prompt.value.endswith("x")
        assert app.chat.phase is Phase.CONNECTED
        sim.stall(False)
        await until(pilot, lambda: any("anyone there?" in t for t in texts(app, "model")), 10)
        assert_healthy(app, sim, ["anyone there?"])


BAD_FRAMES = {
    "malformed": b"{this is not json",
    "truncated": b'{"serverContent": {"modelTurn": {"parts": [{"text": "cut',
    "not-an-object": b"[1, 2, 3]",
    "wrong-shape": json.dumps({"serverContent": {"modelTurn": {"parts": "x"}}}).encode(),
    "unknown-keys": json.dumps(
        {"brandNewThing": {"a": 1}, "serverContent": {"future": True}}
    ).encode(),
    "huge-10MB": json.dumps(
        {"serverContent": {"modelTurn": {"parts": [{"text": "big:" + "x" * 10_000_000}]}}}
    ).encode(),
}


# Numbers that once escaped the decoder as ValueError (json's 4,300-digit
# limit) or OverflowError (int() of 1e400) instead of a ProtocolError.
DECODER_ESCAPES = {
    "integer-of-5000-digits": b'{"usageMetadata": {"totalTokenCount": ' + b"9" * 5000 + b"}}",
    "usage-1e400": b'{"usageMetadata": {"totalTokenCount": 1e400}}',
}
BAD_FRAMES.update(DECODER_ESCAPES)


@pytest.mark.parametrize(
    "kind",
    list(BAD_FRAMES),
)
async def test_bad_frames_do_not_break_the_app(make_app, sim, kind):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await sim.send_raw(BAD_FRAMES[kind])
        await pilot.pause(0.2)
        await type_line(pilot, "still working?")
        await until(pilot, lambda: any("still working?" in t for t in texts(app, "model")), 10)
        assert app.chat.phase is Phase.CONNECTED
        assert_healthy(app, sim, ["still working?"])
        errors = texts(app, "error")
        if kind in ("malformed", "truncated", "not-an-object", "wrong-shape", *DECODER_ESCAPES):
            assert errors, "a malformed frame is reported"
        if kind == "unknown-keys":
            assert not errors, "unknown keys are ignored silently"


@pytest.mark.parametrize("outage", [0.0, 1.5], ids=["quick-resume", "1.5s-outage"])
@pytest.mark.parametrize("fault", FAULTS)
async def test_mic_rate_audio_survives_the_fault(make_app, sim, fault, outage):
    """Realtime audio sent across a fault: each chunk is delivered or counted as stale.

    Media older than the session's `media_max_age` (1 s) is dropped on purpose
    and counted in `stats.media_dropped`; nothing may vanish without a count,
    and nothing is delivered twice (media is never replayed).

    The fault lands between chunks, once the simulator has read chunk 20: a
    chunk still in the socket when the server aborts is lost in flight, which
    no client can see (TCP gives no per-message ack), so it would blur what
    this test is about: the session's own accounting after the fault. With an
    outage (the simulator holds back setupComplete for 1.5 s) the chunks queued
    early in it are stale when the session is ready again.
    """
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        session = app.session
        assert session is not None
        sent = 50
        for n in range(sent):
            # each chunk says which one it is, so repeats would show
            chunk = np.full(640, n, dtype="<i2").tobytes()
            await session.send_audio(chunk)
            if n == 20:
                await sim.wait_for(lambda: len(sim.realtime("audio")) == 21)
                await FAULTS[fault](sim)
                if outage:
                    sim.stall()
                    asyncio.get_running_loop().call_later(outage, sim.stall, False)
            await pilot.pause(0.02)
        await until(pilot, lambda: len(sim.setups()) >= 2 and app.chat.phase is Phase.CONNECTED, 10)
        await pilot.pause(0.5)  # let the outbox drain or age out
        await type_line(pilot, "after the mic fault")
        await sim.wait_for(lambda: "after the mic fault" in sim.texts(), timeout=10)
        assert_healthy(app, sim, ["after the mic fault"])
        delivered = [
            int(np.frombuffer(base64.b64decode(a["data"]), dtype="<i2")[0])
            for a in sim.realtime("audio")
        ]
        assert len(delivered) == len(set(delivered)), "no chunk delivered twice"
        assert delivered == sorted(delivered), "chunks keep their order"
        dropped = session.stats.media_dropped
        lost = sorted(set(range(sent)) - set(delivered))
        if outage:
            assert dropped > 0, "chunks queued early in the outage were stale"
        assert len(delivered) + dropped == sent, (
            f"{len(delivered)} delivered + {dropped} counted stale != {sent} sent; "
            f"missing chunks {lost}"
        )
