"""Audio for @file: every common file becomes 16 kHz mono s16le that still sounds right."""

from pathlib import Path

import numpy as np
import pytest

from gemini_live_tui.media.errors import MediaError
from gemini_live_tui.media.files.attachments import load_attachment
from gemini_live_tui.media.files.audio_file import load_audio, load_raw_pcm


def samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, "<i2").astype(np.float64) / 32767.0


def peak_hz(x: np.ndarray, rate: int = 16000) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate / len(x))


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x**2)))


@pytest.mark.parametrize("subtype", ["PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE"])
def test_every_wav_sample_format_decodes(make_audio, subtype: str) -> None:
    p = load_audio(make_audio("a.wav", rate=44100, channels=2, subtype=subtype))
    assert p is not None
    assert (p.rate, p.source_rate, p.source_channels, p.source_subtype) == (
        16000,
        44100,
        2,
        subtype,
    )
    x = samples(p.pcm)
    assert abs(len(x) - 16000) <= 2
    assert p.duration_s == pytest.approx(1.0, abs=0.001)
    assert peak_hz(x) == pytest.approx(440, abs=2)
    # tone at 0.5 on one of two channels: the mono mix is half as loud
    assert rms(x[800:-800]) == pytest.approx(0.25 / np.sqrt(2), rel=0.03)


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 32000, 48000, 96000])
def test_any_rate_is_resampled_to_16k_in_tune(make_audio, rate: int) -> None:
    p = load_audio(make_audio("a.wav", rate=rate, seconds=2.0, freq=1000.0))
    assert p is not None
    x = samples(p.pcm)
    assert abs(len(x) - 32000) <= 2
    assert peak_hz(x) == pytest.approx(1000, abs=2)
    assert rms(x[800:-800]) == pytest.approx(0.5 / np.sqrt(2), rel=0.03)


def test_many_channels_mix_down(make_audio) -> None:
    p = load_audio(make_audio("surround.wav", rate=48000, channels=6, same=True))
    assert p is not None and p.source_channels == 6
    assert rms(samples(p.pcm)[800:-800]) == pytest.approx(0.5 / np.sqrt(2), rel=0.03)


def test_tones_above_8khz_do_not_alias_into_the_voice_band(make_audio) -> None:
    """A 10 kHz whine at 44.1 kHz cannot exist at 16 kHz: it must vanish, not fold to 6 kHz."""
    p = load_audio(make_audio("whine.wav", rate=44100, freq=10000.0, amplitude=0.9))
    assert p is not None
    assert rms(samples(p.pcm)[800:-800]) < 0.001


@pytest.mark.parametrize(
    ("name", "fmt", "subtype"),
    [("a.flac", "FLAC", None), ("a.ogg", "OGG", "VORBIS"), ("a.mp3", "MP3", "MPEG_LAYER_III")],
)
def test_compressed_formats_decode(make_audio, name: str, fmt: str, subtype: str | None) -> None:
    p = load_audio(make_audio(name, rate=44100, channels=2, seconds=2.0, subtype=subtype))
    assert p is not None and p.source_format == fmt
    x = samples(p.pcm)
    assert p.duration_s == pytest.approx(2.0, rel=0.02)
    assert peak_hz(x) == pytest.approx(440, abs=3)


def test_big_audio_file_is_not_held_to_the_image_size_limit(make_audio) -> None:
    path = make_audio("studio.wav", rate=48000, channels=2, seconds=65, subtype="FLOAT")
    assert path.stat().st_size > 20 * 2**20
    p = load_attachment(path).payload
    assert p.duration_s == pytest.approx(65.0)


def test_16k_mono_pcm16_wav_goes_bit_exact(make_audio) -> None:
    path = make_audio("ready.wav", rate=16000, subtype="PCM_16")
    p = load_audio(path)
    assert p is not None
    assert p.pcm == path.read_bytes()[44:]  # the canonical 44-byte header, then the samples


def test_raw_pcm_is_16k_mono_as_is(tmp_path: Path) -> None:
    pcm = (np.sin(np.arange(8001) / 5) * 9000).astype("<i2").tobytes()
    path = tmp_path / "voice.pcm"
    path.write_bytes(pcm + b"\x07")  # a stray odd byte is dropped
    p = load_raw_pcm(path)
    assert p.pcm == pcm
    assert p.duration_s == pytest.approx(8001 / 16000)


def test_audio_over_10_minutes_is_refused_before_decoding(make_audio) -> None:
    path = make_audio("lecture.wav", rate=8000, seconds=601, subtype="PCM_U8")
    with pytest.raises(
        MediaError, match=r"lecture\.wav: audio is 10:01 long; the limit is 10 minutes"
    ):
        load_audio(path)


def test_raw_pcm_over_10_minutes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "long.raw"
    with path.open("wb") as f:
        f.truncate(16000 * 2 * 605)
    with pytest.raises(MediaError, match="10:05 long"):
        load_raw_pcm(path)


def test_broken_wav_header_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "broken.wav"
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt \x02\x00\x00\x00\x01\x00" + b"\x00" * 40)
    with pytest.raises(MediaError, match=r"broken\.wav: corrupt or unsupported WAV"):
        load_audio(path)


def test_text_is_not_audio(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a sound\n" * 10)
    assert load_audio(path) is None
