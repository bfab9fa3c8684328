"""Audio files for ``@talk.wav``: decode anything sensible to 16 kHz mono PCM.

The Live API listens to 16-bit little-endian mono PCM at 16 kHz. Files come
at any rate, channel count and sample format: libsndfile (bundled in the
``soundfile`` wheel) reads WAV in 8/16/24/32-bit integer and 32/64-bit float
— which the stdlib ``wave`` module cannot — and FLAC, OGG/Opus and MP3 too.
Channels are averaged to mono and ``soxr`` resamples with a proper
anti-aliasing filter, block by block, so a 10-minute 48 kHz file never sits
in memory as float. Headerless ``.pcm``/``.raw`` files are taken to be 16 kHz
mono s16le already. Runs in a worker thread: CPU and file I/O only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from gemini_live_tui.media.errors import MediaError

__all__ = [
    "MAX_AUDIO_SECONDS",
    "RAW_SUFFIXES",
    "SEND_RATE",
    "AudioPayload",
    "load_audio",
    "load_raw_pcm",
]

#: What the model listens to: 16 kHz, mono, 16-bit little-endian.
SEND_RATE = 16000
#: Longer files are refused (a Live audio session lasts about 15 minutes).
MAX_AUDIO_SECONDS = 600
#: Suffixes of headerless 16 kHz mono s16le files.
RAW_SUFFIXES = frozenset({".pcm", ".raw"})
_BLOCK_FRAMES = 1 << 16


@dataclass(frozen=True, slots=True)
class AudioPayload:
    """16 kHz mono s16le samples, and what the file was."""

    pcm: bytes = field(repr=False)
    duration_s: float
    source_rate: int
    source_channels: int
    source_format: str
    source_subtype: str
    rate: int = SEND_RATE


def _too_long(name: str, seconds: float) -> MediaError:
    minutes, secs = divmod(round(seconds), 60)
    return MediaError(
        f"{name}: audio is {minutes}:{secs:02d} long; the limit is "
        f"{MAX_AUDIO_SECONDS // 60} minutes — cut it shorter"
    )


def _to_s16le(x: np.ndarray) -> bytes:
    """Float samples in [-1, 1] to 16-bit little-endian bytes, clipping."""
    return np.clip(np.rint(x * 32767.0), -32768, 32767).astype("<i2").tobytes()


def load_raw_pcm(path: Path) -> AudioPayload:
    """A headerless file of 16 kHz mono s16le samples (an odd last byte is dropped)."""
    size = path.stat().st_size
    if size > MAX_AUDIO_SECONDS * SEND_RATE * 2:
        raise _too_long(path.name, size / (SEND_RATE * 2))
    data = path.read_bytes()
    if len(data) < 2:
        raise MediaError(f"{path.name}: empty audio file")
    data = data[: len(data) // 2 * 2]
    return AudioPayload(data, len(data) / (SEND_RATE * 2), SEND_RATE, 1, "RAW", "PCM_16")


def _looks_like_wav(path: Path) -> bool:
    with path.open("rb") as f:
        head = f.read(12)
    return head[:4] in (b"RIFF", b"RF64", b"RIFX") and head[8:12] == b"WAVE"


def load_audio(path: Path) -> AudioPayload | None:
    """Decode the audio file at ``path`` to 16 kHz mono s16le.

    Returns None when libsndfile does not recognise the content as audio.
    Raises `MediaError` for a broken WAV, a decode error or a file longer
    than `MAX_AUDIO_SECONDS`.
    """
    name = path.name
    try:
        f = sf.SoundFile(path)
    except (sf.LibsndfileError, RuntimeError, TypeError) as e:
        if _looks_like_wav(path):
            raise MediaError(f"{name}: corrupt or unsupported WAV ({_reason(e)})") from None
        return None
    with f:
        rate, channels, frames = f.samplerate, f.channels, f.frames
        fmt, subtype = f.format, f.subtype
        if rate <= 0 or channels <= 0:
            raise MediaError(f"{name}: corrupt audio header ({rate} Hz, {channels} channels)")
        if frames / rate > MAX_AUDIO_SECONDS:
            raise _too_long(name, frames / rate)
        try:
            pcm = _decode(f, name)
        except (sf.LibsndfileError, RuntimeError) as e:
            raise MediaError(f"{name}: corrupt {fmt} audio ({_reason(e)})") from None
    if not pcm:
        raise MediaError(f"{name}: the file holds no audio samples")
    return AudioPayload(pcm, len(pcm) / (SEND_RATE * 2), rate, channels, fmt, subtype)


def _decode(f: sf.SoundFile, name: str) -> bytes:
    """Read ``f`` block by block, mixing to mono and resampling to 16 kHz."""
    rate, channels = f.samplerate, f.channels
    limit = (MAX_AUDIO_SECONDS + 1) * rate  # guards formats whose length is a guess
    if rate == SEND_RATE and channels == 1 and f.subtype == "PCM_16":
        samples = f.read(limit, dtype="int16")
        if len(samples) > MAX_AUDIO_SECONDS * rate:
            raise _too_long(name, len(samples) / rate)
        return samples.astype("<i2", copy=False).tobytes()
    stream = None
    if rate != SEND_RATE:
        stream = soxr.ResampleStream(rate, SEND_RATE, 1, dtype="float32", quality="HQ")
    out: list[bytes] = []
    read = 0
    for block in f.blocks(blocksize=_BLOCK_FRAMES, dtype="float32", always_2d=True):
        read += len(block)
        if read > MAX_AUDIO_SECONDS * rate:
            raise _too_long(name, read / rate)
        mono = block[:, 0] if channels == 1 else block.mean(axis=1, dtype=np.float32)
        if stream is not None:
            mono = stream.resample_chunk(mono, last=False)
        out.append(_to_s16le(mono))
    if stream is not None:
        out.append(_to_s16le(stream.resample_chunk(np.zeros(0, np.float32), last=True)))
    return b"".join(out)


def _reason(e: BaseException) -> str:
    """libsndfile's own words, without the repeated file name."""
    text = str(e)
    return text.split(": ", 1)[-1] if "Error opening" in text else text
