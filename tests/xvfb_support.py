"""A real X display for screen-sharing tests and benchmarks (importable: tests/ is on the path).

Starts Xvfb on a display number it picks itself (``-displayfd``), with
``-noreset`` so the server keeps its state when clients leave, and paints
known content on it through python-xlib: a solid root colour, an image as
the root background, or a titled window (``xlogo``, from x11-apps) whose
foreground and background are one colour, so the whole window is solid.

The pytest fixtures at the end (``xvfb``, ``short_lived_xvfb``, ``painter``,
``windows``) are shared by every folder that needs a display: its
conftest.py imports them. They skip when Xvfb is not installed, unless
GEMINI_LIVE_REQUIRE_DEVICES=1 (CI), where a missing Xvfb is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from Xlib import X
from Xlib import display as xdisplay

from gemini_live_tui.media.screen import share as screen_share

RGB = tuple[int, int, int]


class XvfbUnavailable(RuntimeError):
    """Xvfb (or x11-apps) is not installed."""


@dataclass
class XvfbServer:
    """A running Xvfb process and its display name (":N")."""

    process: subprocess.Popen[bytes]
    name: str
    width: int
    height: int

    @classmethod
    def start(cls, width: int = 1920, height: int = 1080) -> XvfbServer:
        binary = shutil.which("Xvfb")
        if binary is None:
            raise XvfbUnavailable("Xvfb is not installed (Debian package xvfb)")
        read_fd, write_fd = os.pipe()
        process = subprocess.Popen(
            [
                binary,
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                f"{width}x{height}x24",
                "-noreset",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as reader:
            number = reader.readline().strip()
        if not number:
            process.kill()
            raise RuntimeError(f"Xvfb exited with {process.wait()} before giving a display")
        return cls(process, f":{number}", width, height)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Painter:
    """Paints the root window of a display; keeps its connection open."""

    def __init__(self, name: str) -> None:
        self.display = xdisplay.Display(name)
        self.screen = self.display.screen()
        self.root = self.screen.root
        self._pixmap = None

    def solid(self, rgb: RGB) -> None:
        """Fill the whole screen with one colour."""
        r, g, b = rgb
        self.root.change_attributes(background_pixel=(r << 16) | (g << 8) | b)
        self._drop_pixmap()
        self.root.clear_area()
        self.display.sync()

    def image(self, image: Image.Image) -> None:
        """Show an RGB image, from the top-left corner, as the root background."""
        width, height = image.size
        pixmap = self.root.create_pixmap(width, height, self.screen.root_depth)
        gc = pixmap.create_gc()
        rows = max(1, 200_000 // (width * 4))
        bgrx = image.convert("RGB").tobytes("raw", "BGRX")
        for top in range(0, height, rows):
            count = min(rows, height - top)
            chunk = bgrx[top * width * 4 : (top + count) * width * 4]
            pixmap.put_image(gc, 0, top, width, count, X.ZPixmap, 24, 0, chunk)
        gc.free()
        self.root.change_attributes(background_pixmap=pixmap)
        self._drop_pixmap()
        self._pixmap = pixmap
        self.root.clear_area()
        self.display.sync()

    def _drop_pixmap(self) -> None:
        if self._pixmap is not None:
            self._pixmap.free()
            self._pixmap = None

    def close(self) -> None:
        self._drop_pixmap()
        self.display.close()


def open_window(
    name: str, title: str, rgb: RGB, width: int, height: int, left: int, top: int
) -> subprocess.Popen[bytes]:
    """Open a solid-colour window titled ``title`` (xlogo with fg == bg).

    In a test without xlogo: skipped (failed when devices are required).
    """
    binary = shutil.which("xlogo")
    if binary is None:
        from system_packages import missing_package  # tests/ is on the path in tests only

        missing_package("xlogo is not installed (Debian package x11-apps)")
    colour = "#{:02x}{:02x}{:02x}".format(*rgb)
    return subprocess.Popen(
        [
            binary,
            "-title",
            title,
            "-geometry",
            f"{width}x{height}+{left}+{top}",
            "-bg",
            colour,
            "-fg",
            colour,
            "-bw",
            "0",
        ],
        env={**os.environ, "DISPLAY": name},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def desktop_like_image(width: int = 1920, height: int = 1080, seed: int = 5) -> Image.Image:
    """A typical desktop: wallpaper gradient, an editor full of text, a photo-ish pane.

    Text and sharp edges are what make screen JPEGs large, so most of the
    area is text, like an IDE or a terminal on a real desktop.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    wallpaper = np.stack(
        [40 + 60 * x / width, 60 + 80 * y / height, 120 + 60 * (x + y) / (width + height)], axis=-1
    ).astype(np.uint8)
    image = Image.fromarray(wallpaper, "RGB")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=15)
    # Top panel.
    draw.rectangle((0, 0, width, 28), fill=(30, 30, 30))
    draw.text(
        (12, 6), "Activities    Editor    Terminal    Browser", font=font, fill=(230, 230, 230)
    )
    draw.text((width - 120, 6), "18:42", font=font, fill=(230, 230, 230))
    # An editor window with source text over ~60 % of the screen.
    ex0, ey0, ex1, ey1 = 40, 60, int(width * 0.66), height - 60
    draw.rectangle((ex0, ey0, ex1, ey1), fill=(250, 250, 250), outline=(90, 90, 90))
    draw.rectangle((ex0, ey0, ex1, ey0 + 30), fill=(220, 220, 225))
    draw.text((ex0 + 10, ey0 + 7), "screen_share.py - gemini-live", font=font, fill=(20, 20, 20))
    source = Path(screen_share.__file__).read_text(encoding="utf-8").splitlines()
    line_y, index = ey0 + 40, 0
    while line_y < ey1 - 20:
        text = source[index % len(source)][:110]
        colour = (0, 0, 160) if text.lstrip().startswith(("def", "class")) else (30, 30, 30)
        draw.text((ex0 + 50, line_y), text, font=font, fill=colour)
        draw.text((ex0 + 8, line_y), f"{index + 1:4d}", font=font, fill=(150, 150, 150))
        line_y += 19
        index += 1
    # A photo-like pane: smooth noise, like an image viewer or a video call.
    px0, py0 = int(width * 0.68), 60
    pw, ph = width - px0 - 40, int(height * 0.45)
    coarse = rng.integers(0, 255, size=(ph // 40 + 2, pw // 40 + 2, 3), dtype=np.uint8)
    photo = Image.fromarray(coarse, "RGB").resize((pw, ph), Image.Resampling.BICUBIC)
    image.paste(photo, (px0, py0))
    # A chat / terminal pane below it.
    ty0 = py0 + ph + 20
    draw.rectangle((px0, ty0, width - 40, height - 60), fill=(20, 22, 28))
    line_y = ty0 + 10
    while line_y < height - 80:
        draw.text(
            (px0 + 10, line_y),
            f"$ uv run pytest tests/screen -q  # {line_y}",
            font=font,
            fill=(120, 230, 120),
        )
        line_y += 19
    return image


# ----- pytest fixtures (import them into a conftest.py) -----------------------


@pytest.fixture(scope="session")
def xvfb() -> Iterator[XvfbServer]:
    """A 1920×1080×24 Xvfb server, shared by the session's tests."""
    try:
        server = XvfbServer.start(1920, 1080)
    except XvfbUnavailable as exc:
        from system_packages import missing_package

        missing_package(str(exc))
    yield server
    server.stop()


@pytest.fixture
def short_lived_xvfb(xvfb: XvfbServer) -> Iterator[XvfbServer]:
    """A small second display that a test may kill (``stop()``)."""
    server = XvfbServer.start(640, 480)
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def painter(xvfb: XvfbServer) -> Iterator[Painter]:
    """Paints the display's root; the screen is black again afterwards."""
    p = Painter(xvfb.name)
    yield p
    p.solid((0, 0, 0))
    p.close()


@pytest.fixture
def windows(xvfb: XvfbServer) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes of windows a test opens; closed when the test ends."""
    opened: list[subprocess.Popen[bytes]] = []
    yield opened
    for process in opened:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=5)
