"""Failure modes: each gives a DeviceError with a clear line, the app keeps running, and re-enabling works."""

import os
import subprocess
import sys
import textwrap

import pytest
from polling import eventually
from system_packages import require_portaudio, require_portaudio_library

from gemini_live_tui.media.audio.devices import device_error
from gemini_live_tui.media.audio.engine import VoiceEngine, VoiceSettings
from gemini_live_tui.media.errors import DeviceError


def _engine(wire, **settings) -> tuple[VoiceEngine, list[DeviceError]]:
    errors: list[DeviceError] = []
    engine = VoiceEngine(
        wire.send_audio,
        wire.send_audio_stream_end,
        settings=VoiceSettings(stall_timeout=2.0, startup_timeout=3.0, **settings),
        on_error=errors.append,
    )
    return engine, errors


MIC_IN_A_FRESH_PYTHON = textwrap.dedent(
    """
    import asyncio, sys
    import gemini_live_tui.media.audio.engine as engine_module
    assert "sounddevice" not in sys.modules, "sounddevice imported eagerly"
    from gemini_live_tui.media.errors import DeviceError
    def send(*a): pass
    async def main():
        engine = engine_module.VoiceEngine(send, send)
        try:
            await engine.start_mic()
        except DeviceError as exc:
            print("ERROR:", exc)
        print("still running:", engine.status().mic_on)
    asyncio.run(main())
    """
)


def mic_in_a_fresh_python(prelude: str = "", **env: str) -> str:
    """`/mic` on a voice engine in a new Python (after `prelude`); what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(prelude) + MIC_IN_A_FRESH_PYTHON],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_without_portaudio_the_app_imports_and_mic_says_what_to_install() -> None:
    # A machine without libportaudio2: ctypes cannot find the library.
    out = mic_in_a_fresh_python(
        """
        import ctypes.util
        real = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None if "portaudio" in name else real(name)
        """
    )
    assert "libportaudio2" in out
    assert "still running: False" in out


def test_a_portaudio_that_cannot_start_says_where_to_look(tmp_path) -> None:
    require_portaudio_library()
    # PortAudio is installed but fails to initialise (here: an ALSA configuration
    # it cannot parse; on a machine, a sound server or ALSA plugin that is gone).
    broken = tmp_path / "alsa.conf"
    broken.write_text("this is { not an ALSA configuration\n")
    out = mic_in_a_fresh_python(ALSA_CONFIG_PATH=str(broken))
    assert "ERROR: Audio is off: PortAudio could not start" in out
    assert "gemini-live doctor" in out
    assert "still running: False" in out


async def test_no_sound_server_means_no_device(sink, wire) -> None:
    engine, _ = _engine(wire)
    saved = os.environ["PULSE_SERVER"]
    os.environ["PULSE_SERVER"] = f"unix:{sink.directory}/nobody-here"
    try:
        with pytest.raises(DeviceError, match="No audio microphone"):
            await engine.start_mic()
        with pytest.raises(DeviceError, match="No audio speaker"):
            await engine.start_speaker()
    finally:
        os.environ["PULSE_SERVER"] = saved
    assert not engine.status().mic_on
    await engine.start_mic()  # the server is back: it works again
    assert engine.status().mic_on
    await engine.close()


async def test_device_busy_gives_a_clear_message(sink, wire) -> None:
    # A suspended sink accepts the stream but never runs it: the device is held.
    engine, errors = _engine(wire)
    sink.suspend(True)
    await engine.start_mic()
    await eventually(lambda: bool(errors), 10.0)
    assert "no audio" in str(errors[0]) and "another program" in str(errors[0])
    assert not engine.status().mic_on and engine.status().last_error
    sink.suspend(False)
    await engine.start_mic()
    await eventually(lambda: engine.status().chunks_sent > 5, 4.0)
    assert engine.status().mic_on
    await engine.close()


def test_portaudio_busy_and_format_errors_are_translated() -> None:
    sd = require_portaudio()
    busy = device_error(
        sd.PortAudioError("Error opening InputStream: Device unavailable", -9985), "input"
    )
    assert "busy" in str(busy) and "another program" in str(busy)
    rate = device_error(sd.PortAudioError("Invalid sample rate", -9997), "output")
    assert "refused the audio format" in str(rate)


async def test_device_removed_mid_stream_then_reenabled(sink, wire, speech) -> None:
    engine, errors = _engine(wire)
    await engine.start_speaker()
    await engine.start_mic()
    await eventually(lambda: engine.status().chunks_sent > 3, 4.0)
    engine.play(b"\x10\x00" * 24000, 24000)
    sink.unload_sink()
    await eventually(lambda: len(errors) >= 2, 10.0)
    messages = " | ".join(map(str, errors))
    assert "microphone" in messages and "speaker" in messages and "removed" in messages
    status = engine.status()
    assert not status.mic_on and not status.speaker_on
    await eventually(lambda: any(kind == "audioStreamEnd" for _, kind in wire.signals), 2.0)
    engine.play(b"\0\0" * 960, 24000)  # model audio while the speaker is gone: discarded
    assert engine.status().discarded_chunks == 1
    sink.load_sink()
    sent = engine.status().chunks_sent
    await engine.start_speaker()
    await engine.start_mic()
    await eventually(lambda: engine.status().chunks_sent > sent + 5, 4.0)
    assert engine.status().last_error is None
    await engine.close()


async def test_devices_are_listed_and_picked_by_id_or_name(sink, wire) -> None:
    engine, _ = _engine(wire)
    inputs = await engine.devices("input")
    names = [d.name for d in inputs]
    assert "pulse" in names and "default" in names
    pulse_dev = await engine.use_mic("PULSE")
    assert pulse_dev.name == "pulse"
    await engine.start_mic()
    assert engine.status().mic_device == "pulse"
    by_id = await engine.use_mic(pulse_dev.id)  # switches the running mic
    assert by_id == pulse_dev and engine.status().mic_on
    with pytest.raises(DeviceError, match="No microphone with id 999"):
        await engine.use_mic(999)
    with pytest.raises(DeviceError, match="No speaker named"):
        await engine.use_speaker("hdmi")
    await engine.close()
