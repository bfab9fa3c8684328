"""Images for @file: what bytes the model gets, from real files written by Pillow."""

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gemini_live_tui.media.errors import MediaError
from gemini_live_tui.media.files.image_file import MAX_SIDE, load_image


def decoded(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def colour_at(img: Image.Image, fx: float, fy: float) -> str:
    """'red', 'blue' or 'white' at a relative position."""
    r, g, b = img.convert("RGB").getpixel((int(img.width * fx), int(img.height * fy)))
    if min(r, g, b) > 200:
        return "white"
    return "red" if r > b else "blue"


@pytest.mark.parametrize(
    ("name", "mime"), [("small.jpg", "image/jpeg"), ("small.png", "image/png")]
)
def test_small_jpeg_and_png_go_as_they_are(make_image, name: str, mime: str) -> None:
    path = make_image(name, (1280, 720))
    p = load_image(path)
    assert p is not None
    assert p.data == path.read_bytes()
    assert (p.mime_type, p.width, p.height, p.converted) == (mime, 1280, 720, False)


def test_large_photo_is_scaled_to_fit_and_keeps_its_look(make_image) -> None:
    path = make_image("big.jpg", (4000, 3000), quality=90)
    p = load_image(path)
    assert p is not None and p.converted
    assert (p.mime_type, p.width, p.height) == ("image/jpeg", 1280, 960)
    assert (p.source_width, p.source_height) == (4000, 3000)
    img = decoded(p.data)
    assert img.format == "JPEG" and img.size == (1280, 960)
    assert colour_at(img, 0.25, 0.5) == "red" and colour_at(img, 0.75, 0.5) == "blue"


def test_tall_image_fits_the_long_side(make_image) -> None:
    p = load_image(make_image("tall.png", (500, 2600)))
    assert p is not None
    assert (p.width, p.height) == (246, 1280)


def test_png_over_2mb_is_reencoded_even_when_small_in_pixels(tmp_path: Path) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (1000, 1000, 3), np.uint8)
    path = tmp_path / "noise.png"
    Image.fromarray(noise).save(path)
    assert path.stat().st_size > 2 * 2**20
    p = load_image(path)
    assert p is not None
    assert (p.mime_type, p.width, p.height) == ("image/jpeg", 1000, 1000)
    assert len(p.data) < path.stat().st_size


@pytest.mark.parametrize(
    ("name", "mime"), [("a.webp", "image/webp"), ("a.bmp", "image/bmp"), ("a.tiff", "image/tiff")]
)
def test_other_formats_become_jpeg(make_image, name: str, mime: str) -> None:
    p = load_image(make_image(name, (800, 600)))
    assert p is not None
    assert (p.mime_type, p.width, p.height, p.source_mime) == ("image/jpeg", 800, 600, mime)
    img = decoded(p.data)
    assert colour_at(img, 0.25, 0.5) == "red" and colour_at(img, 0.75, 0.5) == "blue"


def test_gif_sends_its_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (320, 240), c) for c in ((230, 20, 20), (20, 20, 230))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    p = load_image(path)
    assert p is not None and p.mime_type == "image/jpeg"
    assert colour_at(decoded(p.data), 0.5, 0.5) == "red"


@pytest.mark.parametrize("size", [(640, 480), (4000, 3000)])
def test_exif_rotation_is_applied(make_image, size: tuple[int, int]) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: display rotated 90° clockwise
    path = make_image("phone.jpg", size, exif=exif.tobytes())
    p = load_image(path)
    assert p is not None and p.converted
    img = decoded(p.data)
    assert img.height > img.width and max(img.size) <= MAX_SIDE
    # the stored left half (red) is on top once upright
    assert colour_at(img, 0.5, 0.25) == "red" and colour_at(img, 0.5, 0.75) == "blue"


def test_transparency_becomes_white_not_black(tmp_path: Path) -> None:
    img = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    img.paste((230, 20, 20, 255), (0, 0, 150, 200))
    path = tmp_path / "logo.webp"
    img.save(path, lossless=True)
    p = load_image(path)
    assert p is not None
    out = decoded(p.data)
    assert colour_at(out, 0.25, 0.5) == "red" and colour_at(out, 0.75, 0.5) == "white"


def test_16_bit_greyscale_keeps_its_grey(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    Image.fromarray(np.full((100, 2000), 32768, np.uint16)).save(path)
    p = load_image(path)
    assert p is not None
    r, g, b = decoded(p.data).convert("RGB").getpixel((10, 10))
    assert 110 < r < 145 and r == g == b


def test_truncated_jpeg_is_reported_as_corrupt(make_image, tmp_path: Path) -> None:
    whole = make_image("whole.jpg", (4000, 3000)).read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(MediaError, match=r"cut\.jpg: corrupt or truncated JPEG"):
        load_image(path)


def test_image_over_20_mb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.bmp"
    Image.new("RGB", (2700, 2700), (1, 2, 3)).save(path)
    with pytest.raises(MediaError, match=r"huge\.bmp: image is 20\.9 MB; the limit is 20 MB"):
        load_image(path)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    header = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    path = tmp_path / "bomb.png"
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + _png_chunk(b"IEND", b"")
    )
    with pytest.raises(MediaError, match="too many pixels"):
        load_image(path)


def test_a_sound_file_is_not_an_image(make_audio) -> None:
    assert load_image(make_audio("a.wav")) is None
