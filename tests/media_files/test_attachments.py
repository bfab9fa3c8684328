"""@file attachments end to end: the info line, each bad-input message, and sending."""

import os
import time
from pathlib import Path

import pytest
from nobody import as_nobody
from PIL import Image

from gemini_live_tui.media.errors import MediaError
from gemini_live_tui.media.files.attachments import (
    format_duration,
    format_rate,
    format_size,
    load_attachment,
    send_attachment,
)


def test_info_line_for_a_photo_sent_as_is(make_image) -> None:
    path = make_image("photo.jpg", (1280, 960))
    att = load_attachment(path)
    assert att.kind == "image"
    assert (
        att.info_line == f"[image] photo.jpg {format_size(path.stat().st_size)} image/jpeg 1280×960"
    )
    assert att.info_line.startswith("[image] photo.jpg ") and " KB image/jpeg" in att.info_line


def test_info_line_for_a_converted_image_shows_before_and_after(make_image) -> None:
    att = load_attachment(make_image("big.png", (4000, 3000)))
    size = format_size(len(att.payload.data))
    assert att.info_line.endswith(f" image/png 4000×3000 → image/jpeg 1280×960 {size}")


def test_info_line_for_audio_says_what_happens_to_it(make_audio) -> None:
    path = make_audio("talk.wav", rate=44100, channels=2, seconds=12.4, subtype="PCM_16")
    att = load_attachment(path)
    assert att.kind == "audio"
    assert (
        att.info_line == "[audio] talk.wav 2.1 MB WAV PCM_16 12.4 s 44.1 kHz stereo → 16 kHz mono"
    )


def test_info_line_for_audio_already_right(make_audio) -> None:
    att = load_attachment(make_audio("ready.wav", rate=16000, seconds=75.0, subtype="PCM_16"))
    assert att.info_line == "[audio] ready.wav 2.3 MB WAV PCM_16 1:15 16 kHz mono"


def test_kind_is_decided_by_content_not_name(make_image, make_audio, tmp_path: Path) -> None:
    image = make_image("snapshot.png").rename(tmp_path / "snapshot.dat")
    sound = make_audio("memo.wav").rename(tmp_path / "memo.bin")
    assert load_attachment(image).kind == "image"
    assert load_attachment(sound).kind == "audio"


def test_raw_pcm_goes_by_its_suffix(tmp_path: Path) -> None:
    path = tmp_path / "mic.raw"
    path.write_bytes(bytes(32000 * 3))
    assert load_attachment(path).info_line == "[audio] mic.raw 93.8 KB raw PCM_16 3.0 s 16 kHz mono"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "nope.png", r"/nope\.png: no such file$"),
        (lambda d: d / "photo.jpg" / "x.png", r"photo\.jpg/x\.png: no such file"),
        (lambda d: d, r" is a folder — attach the files in it"),
        (lambda d: _write(d, "empty.wav", b""), r"empty\.wav: the file is empty"),
        (
            lambda d: _write(d, "notes.txt", b"just some words\n"),
            r"notes\.txt: unsupported file type; attach images \(JPEG, PNG",
        ),
        (
            lambda d: _write(d, "cat.jpg", b"\xff\xd8\xff\xe0" + b"junk" * 50),
            r"cat\.jpg: corrupt image",
        ),
        (lambda d: _write(d, "cat.png", b"GIF89a not really"), r"cat\.png: corrupt image"),
        (
            lambda d: _write(d, "talk.wav", b"RIFF\x24\x00\x00\x00WAVEfmt \x02\x00\x00\x00junk"),
            r"talk\.wav: corrupt or unsupported WAV",
        ),
        (lambda d: _write(d, "song.mp3", b"\x00" * 4000), r"song\.mp3: corrupt audio"),
    ],
)
def test_bad_input_gives_one_clear_line(tmp_path: Path, make, message: str) -> None:
    _write(tmp_path, "photo.jpg", b"\xff")
    with pytest.raises(MediaError, match=message) as info:
        load_attachment(make(tmp_path))
    assert "\n" not in str(info.value)


def test_too_large_image_and_too_long_audio(tmp_path: Path, make_audio) -> None:
    big = tmp_path / "poster.bmp"
    Image.new("RGB", (2700, 2700)).save(big)
    with pytest.raises(MediaError, match=r"poster\.bmp: image is 20\.9 MB; the limit is 20 MB"):
        load_attachment(big)
    long = make_audio("podcast.flac", rate=8000, seconds=660)
    with pytest.raises(
        MediaError, match=r"podcast\.flac: audio is 11:00 long; the limit is 10 minutes"
    ):
        load_attachment(long)


def _load_as_nobody(path: Path) -> str:
    """load_attachment as `nobody` (root drops its privilege in a forked child): its outcome."""

    def load() -> str:
        try:
            return "loaded " + load_attachment(path).info_line
        except MediaError as e:
            return "MediaError " + str(e)

    return as_nobody(load)


def test_unreadable_file_says_permission_denied(shared_dir: Path, make_image) -> None:
    """Root reads anything, so as root this drops to ``nobody`` in a forked child."""
    readable = shared_dir / "ok.png"
    readable.write_bytes(make_image("ok.png").read_bytes())
    readable.chmod(0o644)
    private = shared_dir / "private.png"
    private.write_bytes(readable.read_bytes())
    private.chmod(0o600)
    locked = shared_dir / "locked"
    locked.mkdir(mode=0o700)
    hidden = locked / "inside.png"
    hidden.write_bytes(readable.read_bytes())
    hidden.chmod(0o644)
    if os.geteuid() == 0:
        load = _load_as_nobody
    else:
        private.chmod(0o000)

        def load(p: Path) -> str:
            try:
                return "loaded " + load_attachment(p).info_line
            except MediaError as e:
                return "MediaError " + str(e)

    assert load(readable).startswith("loaded [image] ok.png")  # the child itself works
    assert load(private) == f"MediaError {private}: permission denied — cannot read it"
    assert load(hidden) == f"MediaError {hidden}: permission denied — cannot read it"


async def test_send_image_is_one_video_frame(make_image) -> None:
    att = load_attachment(make_image("photo.png"))
    sent: list[tuple] = []

    async def send_video(data: bytes, mime_type: str = "image/jpeg") -> None:
        sent.append(("video", data, mime_type))

    async def never(*_a) -> None:
        raise AssertionError("no audio for an image")

    await send_attachment(att, send_video=send_video, send_audio=never, send_audio_stream_end=never)
    assert sent == [("video", att.payload.data, "image/png")]


async def test_send_audio_streams_then_ends_before_returning(make_audio) -> None:
    att = load_attachment(make_audio("hi.wav", rate=48000, channels=2, seconds=0.5))
    log: list[str] = []
    pcm = bytearray()

    async def send_audio(chunk: bytes, rate: int = 16000) -> None:
        log.append("audio")
        pcm.extend(chunk)

    async def send_end() -> None:
        log.append("end")

    async def no_video(*_a) -> None:
        raise AssertionError("no video for audio")

    t0 = time.monotonic()
    await send_attachment(
        att, send_video=no_video, send_audio=send_audio, send_audio_stream_end=send_end
    )
    log.append("text")  # what the TUI does next: the typed text follows the media
    assert time.monotonic() - t0 == pytest.approx(0.5, rel=0.1)
    assert log == ["audio"] * 13 + ["end", "text"]
    assert bytes(pcm) == att.payload.pcm


def test_human_formats() -> None:
    assert [format_size(n) for n in (0, 812, 1024, 46285, 1258291, 5 * 2**30)] == [
        "0 B",
        "812 B",
        "1.0 KB",
        "45.2 KB",
        "1.2 MB",
        "5.0 GB",
    ]
    assert format_size(2**20 - 1) == "1.0 MB"
    assert [format_rate(r) for r in (44100, 16000, 22050, 8000)] == [
        "44.1 kHz",
        "16 kHz",
        "22.05 kHz",
        "8 kHz",
    ]
    assert [format_duration(s) for s in (0.04, 12.44, 59.9, 60.0, 125.3, 600)] == [
        "0.0 s",
        "12.4 s",
        "59.9 s",
        "1:00",
        "2:05",
        "10:00",
    ]
