"""Voice failures through the app: each is one clear line, the app keeps running, /mic works again.

No PortAudio and the fd-2 redirect run the real `gemini-live --demo` in a
pty (the closest to a user's terminal: the real entry point, the real
import of sounddevice failing the way it does on a machine without
libportaudio2, and the real file descriptors); the device failures drive
the app with the pilot against a real PulseAudio whose sink is suspended
or unloaded with pactl.
"""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

from apptest import connected, texts, type_line, until
from ptyrun import PtyProgram
from voicetest import mic_on, voice_line

from gemini_live_tui.simulator import LiveSimulator

NO_PORTAUDIO = '''
import sys

class _NoPortAudio:
    """What `import sounddevice` does on a machine without libportaudio2."""

    def find_spec(self, name, path=None, target=None):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return None

sys.meta_path.insert(0, _NoPortAudio())
'''

AFTER_EXIT = """
import atexit, os
atexit.register(lambda: os.write(2, b"AFTER-EXIT-ON-FD2\\n"))
"""


def demo_in_pty(tmp_path: Path, sitecustomize: str) -> PtyProgram:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(textwrap.dedent(sitecustomize))
    env = dict(os.environ)
    env.update(TERM="xterm-256color", COLUMNS="110", LINES="30", PYTHONPATH=str(site))
    program = PtyProgram([sys.executable, "-m", "gemini_live_tui.cli", "--demo", "--text"], env)
    assert program.wait_for("ready", 60), program.text()[-2000:]
    return program


def test_without_portaudio_the_app_runs_text_chat_and_mic_says_what_to_install(tmp_path):
    program = demo_in_pty(tmp_path, NO_PORTAUDIO)
    try:
        program.type("/mic\r")
        assert program.wait_for("libportaudio2", 30), program.text()[-2000:]
        program.type("/speak devices\r")
        program.read(1.0)
        assert program.text().count("libportaudio2") >= 2
        program.type("hello there\r")
        assert program.wait_for("You said", 30), program.text()[-2000:]
        assert program.process.poll() is None
        program.type("\x03")
    finally:
        code = program.close()
    assert code == 0


def test_portaudio_noise_on_fd2_goes_to_the_log_not_the_screen(tmp_path, sink, isolated_dirs):
    program = demo_in_pty(tmp_path, AFTER_EXIT)
    try:
        program.type("/mic\r")
        assert program.wait_for("microphone on", 30), program.text()[-2000:]
        time.sleep(1.0)
        sink.unload_sink()  # PortAudio and ALSA complain from C on fd 2
        assert program.wait_for("removed", 30), program.text()[-2000:]
        program.read(1.0)
        program.type("\x03")
    finally:
        code = program.close()
        sink.load_sink()
    screen = program.text()
    log = (isolated_dirs["state"] / "gemini-live.log").read_text(errors="replace")
    assert "Expression '" in log or "ALSA lib" in log  # the noise was there…
    assert "Expression '" not in screen and "ALSA lib" not in screen  # …but not on screen
    assert "AFTER-EXIT-ON-FD2" in screen and "AFTER-EXIT" not in log  # fd 2 restored at exit
    assert code == 0


async def test_no_device_then_it_comes_back(voice_app, sim: LiveSimulator, sink, monkeypatch):
    app = voice_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        monkeypatch.setenv("PULSE_SERVER", f"unix:{sink.directory}/nobody-here")
        await type_line(pilot, "/mic")
        line = await voice_line(pilot, app, "No audio microphone")
        assert "sound server" in line
        assert app.status.mic == "off"
        await type_line(pilot, "still there?")
        await until(pilot, lambda: any("still there?" in t for t in texts(app, "model")))
        monkeypatch.setenv("PULSE_SERVER", sink.env["PULSE_SERVER"])
        await mic_on(pilot, app, sim)


async def test_busy_device_then_it_is_released(voice_app, sim: LiveSimulator, sink):
    app = voice_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        sink.suspend(True)  # held: the stream opens but never delivers audio
        await type_line(pilot, "/mic")
        line = await voice_line(pilot, app, "The microphone", 15)
        assert "no audio" in line and "another program" in line
        await until(pilot, lambda: app.status.mic == "off")
        sink.suspend(False)
        await mic_on(pilot, app, sim, "/mic on")
        assert app.is_running


async def test_device_removed_mid_stream_then_reenabled(voice_app, sim: LiveSimulator, sink):
    app = voice_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/speak")
        await voice_line(pilot, app, "speaker on: ")
        await mic_on(pilot, app, sim, more_than=3)
        sink.unload_sink()
        await until(pilot, lambda: len([t for t in texts(app, "error") if "removed" in t]) >= 2, 15)
        errors = " | ".join(texts(app, "error"))
        assert "microphone" in errors and "speaker" in errors
        await until(pilot, lambda: (app.status.mic, app.status.speaker) == ("off", "off"))
        await sim.wait_for(lambda: sim.realtime("audioStreamEnd"), 5)
        await type_line(pilot, "text still works")
        await until(pilot, lambda: any("text still works" in t for t in texts(app, "model")))
        sink.load_sink()
        sent = len(sim.realtime("audio"))
        await type_line(pilot, "/speak on")
        await voice_line(pilot, app, "speaker on: ")
        await type_line(pilot, "/mic on")
        await until(
            pilot, lambda: len([t for t in texts(app) if t.startswith("microphone on")]) == 2
        )
        await sim.wait_for(lambda: len(sim.realtime("audio")) > sent + 5, 5)
        assert app.status.mic.startswith("on") and app.status.speaker == "on"


async def test_an_unexpected_library_error_is_one_line_and_mic_works_again(
    voice_app, sim: LiveSimulator, sink, monkeypatch, caplog
):
    """Not a MediaError (livekit's FFI raising RuntimeError): one line, traceback in the log."""
    from livekit import rtc

    real = rtc.AudioProcessingModule
    calls = []

    def failing_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("ffi request failed: audio processing module\nsecond line")
        return real(*args, **kwargs)

    monkeypatch.setattr(rtc, "AudioProcessingModule", failing_once)
    app = voice_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/mic")
        line = await voice_line(pilot, app, "/mic failed")
        assert (
            line
            == "/mic failed: RuntimeError: ffi request failed: audio processing module (details in the log)"
        )
        assert not any("Traceback" in t or "second line" in t for t in texts(app))
        assert app.status.mic == "off"
        logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is RuntimeError]
        assert logged and "/mic failed unexpectedly" in logged[0].getMessage()
        await mic_on(pilot, app, sim)
        await type_line(pilot, "still there?")
        await until(pilot, lambda: any("still there?" in t for t in texts(app, "model")))
