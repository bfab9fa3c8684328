"""Real media files for the @file tests, written on demand into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image


def tone(freq: float, seconds: float, rate: int, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float64)


@pytest.fixture
def make_audio(tmp_path: Path) -> Callable[..., Path]:
    """Write a sine tone: ``make_audio("a.wav", rate=44100, channels=2, subtype="PCM_24")``.

    Channel 0 carries the tone; the others are silent unless ``same=True``.
    """

    def make(
        name: str,
        *,
        seconds: float = 1.0,
        rate: int = 44100,
        channels: int = 1,
        subtype: str | None = None,
        freq: float = 440.0,
        amplitude: float = 0.5,
        same: bool = False,
        format: str | None = None,
    ) -> Path:
        x = tone(freq, seconds, rate, amplitude)
        data = np.zeros((len(x), channels))
        data[:, 0] = x
        if same:
            data[:, :] = x[:, None]
        path = tmp_path / name
        sf.write(path, data, rate, subtype=subtype, format=format)
        return path

    return make


@pytest.fixture
def make_image(tmp_path: Path) -> Callable[..., Path]:
    """Write a picture with detail (so JPEG sizes are realistic): left half red, right blue."""

    def make(name: str, size: tuple[int, int] = (640, 480), mode: str = "RGB", **save) -> Path:
        w, h = size
        rng = np.random.default_rng(1)
        arr = np.zeros((h, w, 3), np.uint8)
        arr[:, : w // 2] = (220, 30, 30)
        arr[:, w // 2 :] = (30, 30, 220)
        grain = np.tile(rng.integers(-8, 8, (64, 64, 1), np.int16), (h // 64 + 1, w // 64 + 1, 3))
        arr = np.clip(arr + grain[:h, :w], 0, 255).astype(np.uint8)
        img = Image.fromarray(arr).convert(mode)
        path = tmp_path / name
        img.save(path, **save)
        return path

    return make
