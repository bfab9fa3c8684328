"""``@file`` attachments: open a file, tell what it is, and send it.

The TUI hands each ``@path`` of a message to `load_attachment` (in a worker
thread), shows `Attachment.info_line` or the `MediaError`, then awaits
`send_attachment` for each good file before sending the typed text — so the
text reaches the model after the media is on the wire, with no sleep.

The kind is decided by content, not by name: Pillow is asked first (by magic
bytes), then libsndfile; only headerless ``.pcm``/``.raw`` go by suffix. The
suffix merely words the error when neither recognises the file ("corrupt
image" for a broken ``.jpg``, "unsupported type" for a ``.txt``).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gemini_live_tui.media.errors import MediaError
from gemini_live_tui.media.files.audio_file import (
    RAW_SUFFIXES,
    AudioPayload,
    load_audio,
    load_raw_pcm,
)
from gemini_live_tui.media.files.image_file import ImagePayload, load_image
from gemini_live_tui.media.files.pacing import ProgressCallback, stream_pcm

__all__ = [
    "Attachment",
    "audio_type",
    "format_duration",
    "format_rate",
    "format_size",
    "load_attachment",
    "send_attachment",
]

_IMAGE_SUFFIXES = frozenset(
    [
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".png",
        ".gif",
        ".webp",
        ".bmp",
        ".dib",
        ".tif",
        ".tiff",
        ".avif",
        ".ico",
        ".ppm",
        ".pgm",
        ".pbm",
        ".qoi",
    ]
)
_AUDIO_SUFFIXES = frozenset(
    [".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".au", ".caf"]
)
_SUPPORTED = "images (JPEG, PNG, GIF, WebP, BMP, TIFF) or audio (WAV, FLAC, OGG, MP3, .pcm/.raw)"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file ready to send: its payload and the facts shown to the user."""

    path: Path
    file_size: int
    payload: ImagePayload | AudioPayload

    @property
    def kind(self) -> Literal["image", "audio"]:
        """``"image"`` (sent as a video frame) or ``"audio"`` (streamed)."""
        return "image" if isinstance(self.payload, ImagePayload) else "audio"

    @property
    def info_line(self) -> str:
        """One line for the conversation, e.g.
        ``[image] photo.jpg 45.2 KB image/jpeg 1280×960`` or
        ``[audio] talk.wav 1.2 MB WAV PCM_24 12.4 s 44.1 kHz stereo → 16 kHz mono``."""
        head = f"[{self.kind}] {self.path.name} {format_size(self.file_size)}"
        p = self.payload
        if isinstance(p, ImagePayload):
            if not p.converted:
                return f"{head} {p.mime_type} {p.width}×{p.height}"
            return (
                f"{head} {p.source_mime} {p.source_width}×{p.source_height}"
                f" → {p.mime_type} {p.width}×{p.height} {format_size(len(p.data))}"
            )
        source = f"{format_rate(p.source_rate)} {_channels(p.source_channels)}"
        target = f"{format_rate(p.rate)} mono"
        layout = target if source == target else f"{source} → {target}"
        kind = audio_type(p.source_format, p.source_subtype)
        return f"{head} {kind} {format_duration(p.duration_s)} {layout}"


_CODECS = {"MPEG_LAYER_III": "MP3", "VORBIS": "Vorbis", "OPUS": "Opus", "ALAC_16": "ALAC"}


def audio_type(container: str, subtype: str) -> str:
    """The file's type as libsndfile names it, short: ``WAV PCM_24``, ``WAV FLOAT``,
    ``FLAC PCM_16``, ``OGG Vorbis``, ``MP3``; headerless files are ``raw PCM_16``."""
    if container == "RAW":
        return f"raw {subtype}"
    codec = _CODECS.get(subtype, subtype)
    return container if codec == container else f"{container} {codec}"


def format_size(n: int) -> str:
    """Bytes for people: ``812 B``, ``45.2 KB``, ``1.2 MB`` (powers of 1024)."""
    if n < 1024:
        return f"{n} B"
    size = float(n)
    for unit in ("KB", "MB"):
        size /= 1024
        if size < 1023.95:
            return f"{size:.1f} {unit}"
    return f"{size / 1024:.1f} GB"


def format_rate(hz: int) -> str:
    """``44.1 kHz``, ``16 kHz``, ``22.05 kHz``."""
    return f"{hz / 1000:g} kHz"


def format_duration(seconds: float) -> str:
    """``12.4 s`` under a minute, else ``m:ss``."""
    if seconds < 59.95:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _channels(n: int) -> str:
    return {1: "mono", 2: "stereo"}.get(n, f"{n} ch")


def _not_a_file(name: str, mode: int) -> str | None:
    """Why a file of this mode cannot be attached (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"{name} is a folder — attach the files in it, e.g. @{Path(name).name}/…"
    if stat.S_ISFIFO(mode):
        kind = "a FIFO (a pipe)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = "not a regular file"
    return f"{name} is {kind}, not a file — only regular files can be attached"


def _check_file(path: Path) -> int:
    """Size of ``path`` if it is a readable regular file; else a MediaError.

    The kind is checked with ``stat`` before anything is opened (opening a
    FIFO or a terminal blocks), and the probe read opens with ``O_NONBLOCK``
    and checks again on the open descriptor, in case the path was swapped.
    """
    name = str(path)
    try:
        st = path.stat()
        if why := _not_a_file(name, st.st_mode):
            raise MediaError(why)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            st = os.fstat(fd)
            if why := _not_a_file(name, st.st_mode):
                raise MediaError(why)
            os.read(fd, 1)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise MediaError(f"{name}: no such file") from None
    except PermissionError:
        raise MediaError(f"{name}: permission denied — cannot read it") from None
    except IsADirectoryError:
        raise MediaError(f"{name} is a folder — attach the files in it") from None
    except OSError as e:
        if e.errno == errno.ENOTDIR:
            raise MediaError(f"{name}: no such file (a part of the path is not a folder)") from None
        raise MediaError(f"{name}: cannot read it ({e.strerror or e})") from None
    if st.st_size == 0:
        raise MediaError(f"{name}: the file is empty")
    return st.st_size


def load_attachment(path: Path) -> Attachment:
    """Check, identify and convert the file at ``path``; blocking, so call it
    from a worker thread. Raises `MediaError` with one line for the user:
    missing, a folder, unreadable, empty, unsupported type, corrupt image or
    audio, too large (images over 20 MB, audio over 10 minutes)."""
    size = _check_file(path)
    try:
        payload: ImagePayload | AudioPayload | None
        if path.suffix.lower() in RAW_SUFFIXES:
            payload = load_raw_pcm(path)
        else:
            payload = load_image(path) or load_audio(path)
    except PermissionError:
        raise MediaError(f"{path}: permission denied — cannot read it") from None
    except OSError as e:
        raise MediaError(f"{path.name}: cannot read it ({e.strerror or e})") from None
    if payload is None:
        suffix = path.suffix.lower()
        if suffix in _IMAGE_SUFFIXES:
            raise MediaError(f"{path.name}: corrupt image — not a readable {suffix[1:]} file")
        if suffix in _AUDIO_SUFFIXES:
            raise MediaError(f"{path.name}: corrupt audio — not a readable {suffix[1:]} file")
        raise MediaError(f"{path.name}: unsupported file type; attach {_SUPPORTED}")
    return Attachment(path, size, payload)


async def send_attachment(
    attachment: Attachment,
    *,
    send_video: Callable[[bytes, str], Awaitable[object]],
    send_audio: Callable[[bytes, int], Awaitable[object]],
    send_audio_stream_end: Callable[[], Awaitable[object]],
    progress: ProgressCallback | None = None,
) -> None:
    """Put the attachment on the wire; returns once all of it has been sent.

    Images go as one ``realtimeInput.video`` frame; audio streams in real
    time (see `stream_pcm`) and ends with ``audioStreamEnd``, so this takes
    as long as the recording. Cancel the task to stop a stream.
    """
    p = attachment.payload
    if isinstance(p, ImagePayload):
        await send_video(p.data, p.mime_type)
    else:
        await stream_pcm(p.pcm, send_audio, send_audio_stream_end, rate=p.rate, progress=progress)
