"""@file attachments through the app: order on the wire, info lines, bad input."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from apptest import connected, texts, type_line, until
from nobody import as_nobody
from PIL import Image

from gemini_live_tui.media.errors import MediaError
from gemini_live_tui.media.files.attachments import load_attachment


def keys_in_order(sim) -> list[str]:
    """The realtimeInput keys the simulator received, in order (no setup)."""
    return [
        next(iter(r.message["realtimeInput"])) for r in sim.received if "realtimeInput" in r.message
    ]


@pytest.fixture
def files(isolated_dirs):
    cwd = isolated_dirs["cwd"]
    Image.new("RGB", (64, 48), "red").save(cwd / "photo.png")
    Image.new("RGB", (3000, 1500), "blue").save(cwd / "big.gif")
    t = np.arange(int(0.5 * 44100)) / 44100
    tone = 0.5 * np.sin(2 * np.pi * 440 * t)
    sf.write(cwd / "talk me.wav", np.stack([tone, tone], axis=1), 44100, subtype="PCM_24")
    return cwd


async def test_image_goes_before_the_text_with_an_info_line(make_app, sim, files):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "what is in @photo.png?")
        await sim.wait_for(lambda: sim.texts())
        assert keys_in_order(sim) == ["video", "text"]
        assert sim.texts() == ["what is in?"]
        frame = sim.realtime("video")[0]
        assert frame["mimeType"] == "image/png"
        sent = base64.b64decode(frame["data"])
        assert sent == (files / "photo.png").read_bytes()
        assert "what is in @photo.png?" in texts(app, "you")
        info = await until(pilot, lambda: [t for t in texts(app, "info") if "photo.png" in t])
        assert info[0].startswith("[image] photo.png") and "64×48" in info[0]


async def test_other_formats_are_scaled_and_reencoded(make_app, sim, files):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "@big.gif")
        await sim.wait_for(lambda: sim.realtime("video"))
        frame = sim.realtime("video")[0]
        assert frame["mimeType"] == "image/jpeg"
        info = await until(pilot, lambda: [t for t in texts(app, "info") if "big.gif" in t])
        assert "1280×640" in info[0]


async def test_audio_streams_in_real_time_then_text(make_app, sim, files):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, r"@talk\ me.wav transcribe this")
        await until(pilot, lambda: app.status.upload)
        assert "talk me.wav" in str(app.query_one("#status").render())
        await pilot.press(*"still typing")  # the input stays live while the file streams
        assert app.prompt.value == "still typing"
        await sim.wait_for(lambda: sim.texts(), timeout=10)
        order = keys_in_order(sim)
        assert order[-2:] == ["audioStreamEnd", "text"]
        assert set(order[:-2]) == {"audio"}
        pcm = sim.audio_pcm()
        assert abs(len(pcm) / 2 / 16000 - 0.5) < 0.01
        chunks = [base64.b64decode(a["data"]) for a in sim.realtime("audio")]
        assert all(len(c) == 1280 for c in chunks[:-1])  # 40 ms at 16 kHz
        audio_times = [r.at for r in sim.received if "audio" in r.message.get("realtimeInput", {})]
        assert audio_times[-1] - audio_times[0] > 0.35  # paced, not a burst
        info = [t for t in texts(app, "info") if "talk me.wav" in t][0]
        assert "44.1 kHz stereo → 16 kHz mono" in info and "0.5 s" in info
        assert info.startswith("[audio] talk me.wav ") and " WAV PCM_24 0.5 s " in info
        await until(pilot, lambda: app.status.upload is None)


def _bad_files(cwd):
    (cwd / "folder").mkdir()
    (cwd / "notes.txt").write_text("hello")
    (cwd / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    (cwd / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt " + b"\x00" * 8)
    Image.new("RGB", (8, 8)).save(cwd / "huge.png")
    with open(cwd / "huge.png", "r+b") as handle:  # a real PNG, padded (sparse) to 21 MB
        handle.truncate(21 * 1024 * 1024)
    sf.write(cwd / "long.wav", np.zeros(601 * 8000, dtype=np.int16), 8000, subtype="PCM_U8")
    return {
        "missing.png": "no such file",
        "folder": "folder",
        "notes.txt": "unsupported file type",
        "broken.png": "corrupt",
        "broken.wav": "corrupt",
        "huge.png": "limit is 20 MB",
        "long.wav": "limit is 10 minutes",
    }


async def test_each_bad_file_gives_one_line_and_the_text_still_goes(make_app, sim, files):
    cases = _bad_files(files)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        for number, (name, words) in enumerate(cases.items(), 1):
            errors_before = len(texts(app, "error"))
            await type_line(pilot, f"@{name} @photo.png look {number}")
            await sim.wait_for(lambda n=number: len(sim.texts()) == n, timeout=10)
            errors = texts(app, "error")[errors_before:]
            assert len(errors) == 1, (name, errors)
            assert words in errors[0], (name, errors[0])
            assert sim.texts()[-1] == f"look {number}"
        assert len(sim.realtime("video")) == len(cases)  # only the good photo each time
        assert not sim.realtime("audio")


def _load_as_nobody(path: Path):
    """`load_attachment` with root's privilege dropped, so a mode-0 file is refused as
    for any user: a forked child drops to `nobody` and tries the real loader; a refusal
    comes back as its MediaError, else the file loads here."""

    def try_load() -> str:
        try:
            load_attachment(path)
            return ""
        except MediaError as e:
            return str(e)

    if refused := as_nobody(try_load):
        raise MediaError(refused)
    return load_attachment(path)


async def test_unreadable_file(make_app, sim, files, shared_dir):
    secret = shared_dir / "secret.png"
    secret.write_bytes((files / "photo.png").read_bytes())
    secret.chmod(0)
    photo = shared_dir / "photo.png"
    photo.write_bytes((files / "photo.png").read_bytes())
    photo.chmod(0o644)
    app = make_app()
    if os.geteuid() == 0:  # root reads files whatever their mode (CI runs as root)
        app.sender.load = _load_as_nobody
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, f"@{secret} @{photo} hi")
        await sim.wait_for(lambda: sim.texts())
        errors = texts(app, "error")
        assert len(errors) == 1 and "secret.png: permission denied" in errors[0]
        assert sim.texts() == ["hi"] and len(sim.realtime("video")) == 1


async def test_an_unexpected_error_from_a_file_still_sends_the_rest(make_app, sim, files):
    # A NUL in a path makes the OS layer raise ValueError, not a MediaError.
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "@bad\x00name.png @photo.png still goes")
        await sim.wait_for(lambda: sim.texts())
        assert sim.texts() == ["still goes"]
        assert keys_in_order(sim) == ["video", "text"]  # the good photo, then the text
        errors = texts(app, "error")
        assert len(errors) == 1 and "cannot read it (embedded null byte)" in errors[0]
        assert app.is_running
        assert "Traceback" not in "\n".join(app.conversation.visible_text())


async def test_unbalanced_quote_is_one_clear_line(make_app, sim, files):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, '@"photo.png hi')
        await until(pilot, lambda: texts(app, "error"))
        assert "unterminated" in texts(app, "error")[0]
        assert not sim.texts()


async def test_audio_info_line_names_the_file_type(make_app, sim, files):
    t = np.arange(1600) / 16000
    tone = 0.3 * np.sin(2 * np.pi * 300 * t)
    sf.write(files / "note.flac", tone, 16000, subtype="PCM_16")
    wide = 0.3 * np.sin(2 * np.pi * 300 * np.arange(4800) / 48000)
    sf.write(files / "float.wav", np.stack([wide, wide], axis=1), 48000, subtype="FLOAT")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "@note.flac @float.wav hi")
        await sim.wait_for(lambda: sim.texts(), timeout=10)
        info = texts(app, "info")
        assert [t for t in info if "note.flac" in t][0].endswith(" FLAC PCM_16 0.1 s 16 kHz mono")
        wav = [t for t in info if "float.wav" in t][0]
        assert wav.endswith(" WAV FLOAT 0.1 s 48 kHz stereo → 16 kHz mono")
