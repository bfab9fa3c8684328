"""Fixtures for voice through the real app, the simulator and a real PulseAudio.

- `pulse`, `sink`, `monitor`, `speech`, `correlate`: tests/pulse_support.py
  (one private PulseAudio daemon with a null sink; its monitor is the mic).
- `voice_app(audio=AudioSettings(...), text=False)`: the root `make_app`
  with the profile's `[audio]` choices, and the setup the command line would
  build from them (voice activity detection or push-to-talk).
- `speech_wav(seconds, seed)`: a speech-like 48 kHz WAV to play into the sink.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import soundfile as sf
from pulse_support import (  # noqa: F401 - fixtures
    correlate,
    monitor,
    pulse,
    sink,
    speech,
    speech_like,
)

from gemini_live_tui.config import AudioSettings
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.tui.app import GeminiLiveApp
from gemini_live_tui.tui.voice_setup import voice_activity_config


@pytest.fixture
def voice_app(make_app: Callable[..., GeminiLiveApp]) -> Callable[..., GeminiLiveApp]:
    def make(*, audio: AudioSettings | None = None, text: bool = False, **options: Any):
        audio = audio or AudioSettings()
        setup = Setup(
            model="models/gemini-3.1-flash-live-preview",
            response_modalities=("TEXT",) if text else ("AUDIO",),
            voice_activity=voice_activity_config(audio),
        )
        return make_app(setup=setup, audio=audio, **options)

    return make


@pytest.fixture
def speech_wav(tmp_path: Path) -> Callable[..., Path]:
    def make(seconds: float = 3.0, seed: int = 21) -> Path:
        path = tmp_path / f"speech-{seed}.wav"
        sf.write(path, speech_like(seconds, 48000, seed=seed), 48000, subtype="PCM_16")
        return path

    return make
