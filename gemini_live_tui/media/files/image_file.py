"""Image files for ``@photo.jpg``: decide what bytes go to the model.

The Live API takes images as ``realtimeInput.video`` frames. Small JPEG and
PNG files go as they are (no quality loss, no CPU); anything else Pillow reads
(GIF's first frame, WebP, BMP, TIFF, AVIF, …) and anything too big is
EXIF-rotated, scaled to fit 1280×1280 and re-encoded as JPEG. Decoding large
JPEGs uses libjpeg's DCT scaling (``draft``) first, so a 12-megapixel photo
costs a fraction of a full decode. Runs in a worker thread: CPU and file I/O
only.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from gemini_live_tui.media.errors import MediaError

__all__ = [
    "IMAGE_FORMATS",
    "JPEG_QUALITY",
    "MAX_IMAGE_BYTES",
    "MAX_SIDE",
    "PASSTHROUGH_BYTES",
    "ImagePayload",
    "load_image",
]

#: Longest side, in pixels, of an image sent to the model.
MAX_SIDE = 1280
#: JPEG and PNG files up to this size (and MAX_SIDE) are sent unchanged.
PASSTHROUGH_BYTES = 2 * 1024 * 1024
#: Image files above this size are refused.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
JPEG_QUALITY = 85
#: Pillow formats we accept: each is recognised by its magic bytes, so a
#: random file is never mistaken for an image (Pillow's TGA reader would try).
IMAGE_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "AVIF", "ICO", "PPM", "QOI")
_PASSTHROUGH_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True, slots=True)
class ImagePayload:
    """The bytes to send and what they are; ``source_*`` describe the file."""

    data: bytes = field(repr=False)
    mime_type: str
    width: int
    height: int
    source_mime: str
    source_width: int
    source_height: int

    @property
    def converted(self) -> bool:
        """True when the file was re-encoded rather than sent as it is."""
        return (self.mime_type, self.width, self.height) != (
            self.source_mime,
            self.source_width,
            self.source_height,
        )


def _flatten_to_rgb(img: Image.Image) -> Image.Image:
    """RGB for JPEG: transparent areas become white (not black)."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if img.mode.startswith(("I", "F")):
        # 16/32-bit greyscale: scale to 8 bits instead of clipping to white.
        grey = np.asarray(img, dtype=np.float64)
        if grey.size and grey.max() > 255:
            grey = grey / 257.0
        return Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).convert("RGB")
    return img.convert("RGB")


def _reencode(img: Image.Image) -> tuple[bytes, int, int]:
    """Fit into MAX_SIDE×MAX_SIDE, apply EXIF orientation, encode JPEG."""
    scale = min(1.0, MAX_SIDE / max(img.size))
    # JPEG only: let libjpeg decode at 1/2, 1/4 or 1/8 size, never below the target.
    img.draft(None, (max(1, int(img.width * scale)), max(1, int(img.height * scale))))
    img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    upright = ImageOps.exif_transpose(img)
    rgb = _flatten_to_rgb(upright)
    buf = io.BytesIO()
    rgb.save(buf, format="JPEG", quality=JPEG_QUALITY)
    return buf.getvalue(), rgb.width, rgb.height


def load_image(path: Path) -> ImagePayload | None:
    """Read the image at ``path`` and prepare it for sending.

    Returns None when the file is not an image Pillow recognises by content
    (the caller may try other kinds). Raises `MediaError` when it is too
    large or does not decode.
    """
    name = path.name
    size = path.stat().st_size
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path, formats=IMAGE_FORMATS)
    except UnidentifiedImageError:
        return None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError(f"{name}: too many pixels to be a photo; refusing to decode it") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise MediaError(f"{name}: corrupt image ({e})") from None
    with img:  # only the header has been read so far
        if size > MAX_IMAGE_BYTES:
            raise MediaError(
                f"{name}: image is {size / 2**20:.1f} MB; the limit is {MAX_IMAGE_BYTES // 2**20} MB"
            )
        fmt = img.format or "?"
        source_mime = img.get_format_mimetype() or f"image/{fmt.lower()}"
        width, height = img.size
        try:
            orientation = img.getexif().get(ExifTags.Base.Orientation, 1)
            fits = max(width, height) <= MAX_SIDE and size <= PASSTHROUGH_BYTES
            if (
                fmt in _PASSTHROUGH_FORMATS
                and fits
                and orientation in (0, 1)
                and img.mode != "CMYK"
            ):
                img.load()  # prove it decodes before sending it
                return ImagePayload(
                    path.read_bytes(),
                    _PASSTHROUGH_FORMATS[fmt],
                    width,
                    height,
                    source_mime,
                    width,
                    height,
                )
            data, out_w, out_h = _reencode(img)
        except MediaError:
            raise
        except Exception as e:  # Pillow raises many kinds on bad data
            raise MediaError(f"{name}: corrupt or truncated {fmt} image ({e})") from None
    return ImagePayload(data, "image/jpeg", out_w, out_h, source_mime, width, height)
