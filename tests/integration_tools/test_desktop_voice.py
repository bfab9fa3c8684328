"""Tools beside the real audio devices, through the app, on a PulseAudio null sink.

The simulator calls `desktop_set_speaker` and `desktop_get_state`; the app
runs them through the same code as /speak (`app.feature_set.voice`), so the speaker
really opens on the sink, the conversation says so, the status bar shows it,
and the answer the simulator received reports the new state. And a
push-to-talk turn ends with `activityEnd`, never `audioStreamEnd`.
"""

from __future__ import annotations

from typing import Any

from apptest import connected, final_tool_answer, texts, type_line, until
from voicetest import voice_line

from gemini_live_tui.config import AudioSettings
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.tui.app import GeminiLiveApp
from gemini_live_tui.tui.voice_setup import voice_activity_config


async def answer_to(sim: LiveSimulator, name: str, args: dict[str, Any] | None = None) -> Any:
    envelope = await final_tool_answer(sim, await sim.call_tool(name, args))
    assert envelope["ok"] is True, envelope
    return envelope["result"]


def playing_streams(pulse: Any) -> list[str]:
    """The sink's input streams (each open speaker is one)."""
    return pulse.pactl("list", "short", "sink-inputs").splitlines()


def status_line(app: GeminiLiveApp) -> str:
    return str(app.query_one("#status").render())


async def test_the_model_switches_the_speaker_on_and_off(tools_app, sim, sink):
    app = tools_app("desktop_get_state", "desktop_set_speaker")
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        assert "speak off" in status_line(app)
        before = playing_streams(sink)
        state = await answer_to(sim, "desktop_get_state")
        assert state["speaker"] == {"on": False, "device": None}

        result = await answer_to(sim, "desktop_set_speaker", {"on": True, "device": "pulse"})
        assert result == {"on": True, "device": "pulse"}
        await until(pilot, lambda: any(t.startswith("speaker on: pulse") for t in texts(app)))
        await until(pilot, lambda: "speak on" in status_line(app))
        state = await answer_to(sim, "desktop_get_state")
        assert state["speaker"] == {"on": True, "device": "pulse"}
        assert state["microphone"]["on"] is False  # only the speaker was asked for
        assert len(playing_streams(sink)) == len(before) + 1  # a stream really plays into the sink

        result = await answer_to(sim, "desktop_set_speaker", {"on": False})
        assert result["on"] is False
        await until(pilot, lambda: any(t.startswith("speaker off") for t in texts(app)))
        await until(pilot, lambda: "speak off" in status_line(app))
        state = await answer_to(sim, "desktop_get_state")
        assert state["speaker"]["on"] is False
        await until(pilot, lambda: len(playing_streams(sink)) == len(before))
        await until(pilot, lambda: "desktop_set_speaker(on=False) → ok" in " ".join(texts(app)))


async def test_push_to_talk_ends_with_activity_end_never_audio_stream_end(tools_app, sim, sink):
    """With automatic activity detection disabled the service takes `activityEnd`, not
    `audioStreamEnd` (that one only flushes its own detector): releasing the floor and
    turning the mic off send no `audioStreamEnd`."""
    audio = AudioSettings(push_to_talk=True)
    setup = Setup(
        model="models/gemini-3.8-live",
        response_modalities=("AUDIO",),  # 3.8 refuses TEXT
        voice_activity=voice_activity_config(audio),
    )
    app = tools_app("set_timer", audio=audio, setup=setup)
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+t")  # turns the mic on and takes the floor
        await until(pilot, lambda: app.status.mic.startswith("floor "), 5)
        await sim.wait_for(lambda: sim.realtime("audio"), 5)
        await pilot.press("ctrl+t")  # gives the floor back
        await sim.wait_for(lambda: sim.realtime("activityEnd"), 5)
        await type_line(pilot, "/mic off")
        await voice_line(pilot, app, "microphone off")
        await pilot.pause(0.5)
    assert sim.realtime("audioStreamEnd") == []
    assert len(sim.realtime("activityStart")) == len(sim.realtime("activityEnd")) == 1
