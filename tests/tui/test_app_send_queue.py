"""The send queue under real use: a long audio file can be stopped (Esc,
/cancel) and later messages say what they wait behind; files attached while
disconnected go with their text once connected, or are named as not sent."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
import soundfile as sf
from apptest import connected, texts, type_line, until
from livesim import session_factory
from PIL import Image

from gemini_live_tui.live.events import Phase
from gemini_live_tui.live.session import SessionSettings


@pytest.fixture
def long_wav(isolated_dirs):
    path = isolated_dirs["cwd"] / "lecture.wav"
    t = np.arange(30 * 16000) / 16000
    sf.write(path, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000, subtype="PCM_16")
    return path


@pytest.fixture
def patient_app(make_app, sim):
    """The app with a session that retries for longer than the outages below (~1.5 s)."""

    settings = SessionSettings(backoff_base=0.2, backoff_cap=0.5)
    return lambda: make_app(session_factory=session_factory(sim.base_url, settings=settings))


def system_lines(app, part: str) -> list[str]:
    return [t for t in texts(app, "system") if part in t]


@pytest.mark.parametrize("how", ["escape", "/cancel"])
async def test_a_long_audio_file_can_be_stopped_and_the_next_message_goes(
    make_app, sim, long_wav, how
):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "@lecture.wav summarise this")
        await until(pilot, lambda: app.status.upload)
        await sim.wait_for(lambda: len(sim.realtime("audio")) >= 5)
        await type_line(pilot, "a later question")
        waiting = await until(pilot, lambda: system_lines(app, "waiting behind lecture.wav"))
        assert waiting[0].endswith("s sent) — Esc or /cancel stops it")
        if how == "escape":
            await pilot.press("escape")
        else:
            await type_line(pilot, "/cancel")
        stopped = await until(pilot, lambda: system_lines(app, "stopped: lecture.wav"))
        assert stopped[0].endswith("; the rest of that message was not sent")
        await sim.wait_for(lambda: sim.texts(), timeout=3)
        assert sim.texts() == ["a later question"]
        assert sim.realtime("audioStreamEnd")
        assert len(sim.audio_pcm()) / 2 / 16000 < 10  # stopped long before 30 s
        await until(pilot, lambda: app.status.upload is None)
        await type_line(pilot, "/cancel")
        assert texts(app, "system")[-1] == "nothing is being sent"


@pytest.fixture
def chart(isolated_dirs):
    Image.new("RGB", (32, 32), "green").save(isolated_dirs["cwd"] / "chart.png")


async def test_an_image_attached_while_disconnected_goes_with_its_text(patient_app, sim, chart):
    app = patient_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        sim.http_reject_status = 503  # the service is away for a while
        await sim.drop()
        await until(pilot, lambda: app.chat.phase is not Phase.CONNECTED)
        await type_line(pilot, "@chart.png what does this show?")
        await until(pilot, lambda: system_lines(app, "chart.png will go with the text"))
        await asyncio.sleep(1.5)  # longer than the session keeps waiting media
        sim.http_reject_status = None
        await sim.wait_for(lambda: sim.texts(), timeout=10)
        assert sim.texts() == ["what does this show?"]
        assert len(sim.video_frames()) == 1
        order = [
            next(iter(r.message["realtimeInput"]))
            for r in sim.received
            if "realtimeInput" in r.message
        ]
        assert order == ["video", "text"]


async def test_an_image_when_the_session_closed_for_good_is_named_as_not_sent(make_app, sim, chart):
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        await sim.close_with(1008, "API key not valid")
        await until(pilot, lambda: app.chat.phase is Phase.CLOSED)
        await type_line(pilot, "@chart.png what does this show?")
        line = await until(pilot, lambda: [t for t in texts(app, "error") if "chart.png" in t])
        assert line[0].startswith("not connected — chart.png not sent: ")
        assert app.is_running


async def test_audio_lost_to_a_drop_mid_stream_is_named(patient_app, sim, isolated_dirs):
    path = isolated_dirs["cwd"] / "memo.wav"
    t = np.arange(4 * 16000) / 16000
    sf.write(path, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 16000)

    app = patient_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "@memo.wav what did I say?")
        await sim.wait_for(lambda: len(sim.realtime("audio")) >= 5)
        sim.http_reject_status = 503
        await sim.drop()
        await asyncio.sleep(1.6)
        sim.http_reject_status = None
        line = await until(
            pilot, lambda: [t for t in texts(app, "error") if t.startswith("memo.wav: part")], 10
        )
        assert "audio chunks were dropped while the connection was down" in line[0]
        await sim.wait_for(lambda: sim.texts() == ["what did I say?"], timeout=10)
