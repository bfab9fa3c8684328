"""Voice controls through the app: devices, the profile, autostart, mute, push-to-talk, VAD setup.

Everything is typed (or pressed) in the real app, against the simulator and
a real PulseAudio; the profile is the real file in the test's config folder.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from apptest import connected, final_tool_answer, texts, type_line, until
from voicetest import mic_on, voice_line

from gemini_live_tui.config import AudioSettings, load_profile
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.tui.voice_setup import voice_activity_config


async def test_devices_are_listed_picked_saved_and_autostarted(voice_app, sim, sink):
    app = voice_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/mic devices")
        await voice_line(pilot, app, "/mic use ID|NAME picks one")
        listed = texts(app, "info")
        assert any(": pulse (ALSA)" in t for t in listed)
        assert any(": default (ALSA)" in t and "(default)" in t for t in listed)
        await type_line(pilot, "/mic use PULSE")
        await voice_line(pilot, app, "microphone: ")
        await type_line(pilot, "/speak use pulse")
        await voice_line(pilot, app, "speaker: ")
        await type_line(pilot, "/speak use hdmi")
        assert "No speaker named 'hdmi'" in await voice_line(pilot, app, "No speaker named")
        await type_line(pilot, "/mic autostart on")
        await voice_line(pilot, app, "the microphone will turn on at launch")
        await type_line(pilot, "/speak autostart on")
        await voice_line(pilot, app, "the speaker will turn on at launch")
        assert app.status.mic == "off" and app.status.speaker == "off"
    audio = load_profile().audio
    assert (audio.mic_device, audio.speaker_device) == ("pulse", "pulse")
    assert audio.mic_autostart and audio.speaker_autostart

    again = voice_app(audio=audio)  # the next launch, as cli.build_options passes it
    async with again.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        await until(
            pilot, lambda: again.status.mic.startswith("on ") and again.status.speaker == "on"
        )
        state = await again.feature_set.voice.get_state()
        assert state["microphone"]["device"] == "pulse" and state["speaker"]["device"] == "pulse"
        await sim.wait_for(lambda: len(sim.realtime("audio")) > 5, 5)


async def test_mute_stops_sending_and_says_so(voice_app, sim: LiveSimulator, sink):
    app = voice_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/mic mute")
        await voice_line(pilot, app, "the microphone is off")
        await mic_on(pilot, app, sim, more_than=3)
        await type_line(pilot, "/mic mute")
        await voice_line(pilot, app, "microphone muted")
        await until(pilot, lambda: app.status.mic == "muted", 2)
        await sim.wait_for(lambda: sim.realtime("audioStreamEnd"), 5)
        await pilot.pause(0.3)
        muted_at = len(sim.realtime("audio"))
        await pilot.pause(0.5)
        assert len(sim.realtime("audio")) == muted_at  # nothing while muted
        await type_line(pilot, "/mic unmute")
        await voice_line(pilot, app, "microphone unmuted")
        await sim.wait_for(lambda: len(sim.realtime("audio")) > muted_at + 3, 5)


async def test_push_to_talk_holds_the_floor_with_ctrl_t(voice_app, sim, sink, speech_wav):
    app = voice_app(audio=AudioSettings(push_to_talk=True))
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        config = sim.setups()[-1]["realtimeInputConfig"]
        assert config == {"automaticActivityDetection": {"disabled": True}}
        await type_line(pilot, "/mic")
        assert "Ctrl-T" in await voice_line(pilot, app, "microphone on: ")
        await until(pilot, lambda: app.status.mic.startswith("ptt "))
        player = sink.play_file(speech_wav(4.0))
        await pilot.pause(0.8)
        assert sim.realtime("audio") == []  # talking without the floor sends nothing
        pressed = time.perf_counter()
        await pilot.press("ctrl+t")
        await sim.wait_for(lambda: sim.realtime("activityStart"), 5)
        await until(pilot, lambda: app.status.mic.startswith("floor "), 2)
        await pilot.pause(1.5)
        held = time.perf_counter() - pressed
        await pilot.press("ctrl+t")
        await sim.wait_for(lambda: sim.realtime("activityEnd"), 5)
        await until(pilot, lambda: app.status.mic.startswith("ptt "), 2)
        heard = await until(pilot, lambda: [t for t in texts(app, "you") if "[heard" in t], 10)
        player.terminate()
    seconds = float(heard[0].split()[1])
    print(f"push-to-talk: floor held {held:.2f} s, the simulator heard {seconds:.2f} s")
    assert abs(seconds - held) < 0.3, (heard, held)  # what was said while holding the floor
    kinds = [
        next(iter(r.message["realtimeInput"]))
        for r in sim.received
        if "realtimeInput" in r.message and "text" not in r.message["realtimeInput"]
    ]
    first, last = kinds.index("activityStart"), kinds.index("activityEnd")
    assert set(kinds[first + 1 : last]) == {"audio"} and "audio" not in kinds[:first]


async def test_push_to_talk_key_explains_itself_when_the_profile_has_it_off(voice_app, sink):
    app = voice_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+t")
        line = await voice_line(pilot, app, "Ctrl-T is push-to-talk")
        assert "push_to_talk = true" in line
        assert app.status.mic == "off"


async def test_vad_settings_of_the_profile_reach_the_setup(voice_app, sim: LiveSimulator):
    audio = AudioSettings(
        start_sensitivity="low",
        end_sensitivity="HIGH",
        prefix_padding_ms=40,
        silence_duration_ms=800,
    )
    app = voice_app(audio=audio)
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
    assert sim.setups()[-1]["realtimeInputConfig"] == {
        "automaticActivityDetection": {
            "startOfSpeechSensitivity": "START_SENSITIVITY_LOW",
            "endOfSpeechSensitivity": "END_SENSITIVITY_HIGH",
            "prefixPaddingMs": 40,
            "silenceDurationMs": 800,
        }
    }
    assert voice_activity_config(AudioSettings()) is None  # server defaults: nothing sent
    assert voice_activity_config(replace(audio, push_to_talk=True)).disabled


async def test_the_model_switches_the_microphone_with_the_desktop_tool(voice_app, sim, sink):
    app = voice_app(tools=frozenset({"desktop_set_microphone", "desktop_get_state"}))
    registry = app.options.registry
    declared = tuple(registry.declarations(["desktop_get_state", "desktop_set_microphone"]))
    app.base_setup = replace(app.base_setup, tools=declared)
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("desktop_set_microphone", {"on": True, "device": "pulse"})
        response = await final_tool_answer(sim, call)
        assert response["result"]["on"] is True and response["result"]["device"] == "pulse"
        await voice_line(pilot, app, "microphone on: ")
        await until(pilot, lambda: app.status.mic.startswith("on "))
        call = await sim.call_tool("desktop_get_state")
        state = (await final_tool_answer(sim, call))["result"]
        assert state["microphone"]["on"] is True and state["speaker"]["on"] is False


def test_a_bad_vad_setting_in_the_profile_stops_the_launch_with_the_reason(capsys):
    from gemini_live_tui.cli import main
    from gemini_live_tui.config import ConfigError, Profile, profile_path, save_profile

    with pytest.raises(ConfigError):  # the app never writes a value it would refuse
        save_profile(Profile(audio=AudioSettings(start_sensitivity="medium")))
    path = profile_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[audio]\nstart_sensitivity = "medium"\n')  # the user's own edit
    assert main(["--demo"]) == 2
    assert capsys.readouterr().err == (
        f"gemini-live: {path}: [audio] start_sensitivity = 'medium': use one of high, low\n"
    )
