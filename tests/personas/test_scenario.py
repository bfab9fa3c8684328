"""The core scenario, against every persona: what a user of each model on each backend sees.

The app is built the way `gemini-live --model M` builds it (with
`LIVE_BACKEND=vertex` for Vertex personas) and pointed at a simulator playing
that persona, which closes the connection on anything Google's service
refuses. Each case asserts what the user sees: the reply on screen, and that
the simulator refused nothing. Every frame sent to a Vertex persona must also
pass google-genai's Vertex converter.

Spoken turns use the private PulseAudio (tests/pulse_support.py): a WAV
played into the null sink is the microphone.

Cases the client fails today are marked `xfail(strict=True)` with the client
defect in the reason: when a fix lands the test passes, strict xfail turns
that into a failure, and the marker is removed.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from apptest import texts, type_line, until
from livesim import SIM_KEY
from PIL import Image
from pulse_support import speech_like
from voicetest import mic_on

from gemini_live_tui.cli import build_options, build_parser
from gemini_live_tui.config import apply_env, load_profile
from gemini_live_tui.live.events import Phase
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.simulator.personas import VERTEX, Persona, all_personas
from gemini_live_tui.tui.app import GeminiLiveApp

PERSONAS = all_personas()
VERTEX_PERSONAS = {persona for persona in PERSONAS if persona.backend == VERTEX}

# Client defects known today, by the personas they hit (each reason names the defect):
# none at the moment; `cases({REASON: personas})` marks them.


def cases(broken: dict[str, set[Persona]]) -> list[Any]:
    """Every persona, with a strict xfail where a known client defect breaks it."""
    params = []
    for persona in PERSONAS:
        reasons = [reason for reason, hit in broken.items() if persona in hit]
        marks = [pytest.mark.xfail(strict=True, reason="; ".join(reasons))] if reasons else []
        params.append(pytest.param(persona, marks=marks, id=f"{persona.backend}-{persona.model}"))
    return params


@pytest.fixture
async def persona_sim(
    persona: Persona, start_sim: Callable[..., Awaitable[LiveSimulator]]
) -> LiveSimulator:
    """The simulator playing the case's persona (its frames validated for that backend)."""
    return await start_sim(persona=persona, audio_speed=50.0)


@pytest.fixture
def user_app(
    persona_sim: LiveSimulator,
    monkeypatch: pytest.MonkeyPatch,
    isolated_dirs: dict[str, Path],
) -> Callable[..., GeminiLiveApp]:
    """`user_app(*flags)`: the app as `gemini-live --model M *flags` builds it for the persona."""

    def make(*flags: str) -> GeminiLiveApp:
        persona = persona_sim.persona
        assert persona is not None
        monkeypatch.chdir(isolated_dirs["cwd"])
        monkeypatch.setenv("GEMINI_LIVE_BASE_URL", persona_sim.base_url)
        if persona.backend == VERTEX:
            monkeypatch.setenv("LIVE_BACKEND", "vertex")
            monkeypatch.setenv("VERTEX_PROJECT", "p")
            monkeypatch.setenv("VERTEX_AI_ACCESS_TOKEN", SIM_KEY)
        else:
            monkeypatch.setenv("GEMINI_API_KEY", SIM_KEY)
        args = build_parser().parse_args(["--model", persona.model, *flags])
        options = build_options(args, apply_env(load_profile("default")))
        return GeminiLiveApp(options)

    return make


async def ready(pilot: Any, sim: LiveSimulator) -> GeminiLiveApp:
    """Wait until the session is up, or fail with what the simulator refused."""
    app = pilot.app

    def up() -> bool:
        if sim.refusals:
            raise AssertionError(f"the service refused the client: {sim.refusals[0]}")
        return app.chat.phase is Phase.CONNECTED

    await until(pilot, up, timeout=10)
    return app


async def answered(pilot: Any, sim: LiveSimulator, needle: str, timeout: float = 10) -> str:
    """The model's line containing `needle`, once settled; fails early on a refusal."""
    app = pilot.app

    def reply() -> str | None:
        if sim.refusals:
            raise AssertionError(f"the service refused the client: {sim.refusals[0]}")
        done = [ln.text for ln in app.conversation.lines if ln.role == "model" and not ln.live]
        return next((text for text in done if needle in text), None)

    return await until(pilot, reply, timeout=timeout)


async def line_answered(
    app: GeminiLiveApp,
    sim: LiveSimulator,
    line: str = "hello there",
    needle: str = 'You said: "hello there"',
) -> str:
    """Type `line`; the reply containing `needle` is shown and nothing went wrong."""
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, sim)
        await type_line(pilot, line)
        said = await answered(pilot, sim, needle, timeout=15)
        clean(app, sim)
    return said


def clean(app: GeminiLiveApp, sim: LiveSimulator) -> None:
    """Nothing refused, no error line (every frame is validated for the persona's backend
    when the test ends)."""
    assert not sim.refusals, sim.refusals
    assert not texts(app, "error"), texts(app, "error")


@pytest.mark.parametrize("persona", cases({}))
async def test_a_typed_line_is_answered(persona: Persona, persona_sim, user_app) -> None:
    await line_answered(user_app(), persona_sim)


@pytest.mark.parametrize("persona", cases({}))
async def test_text_mode_shows_the_reply(persona: Persona, persona_sim, user_app) -> None:
    await line_answered(user_app("--text"), persona_sim)


def speech_wav(path: Path) -> Path:
    """0.8 s of loud noise (speech to the simulator's detector), then 1 s of quiet, 16 kHz."""
    rng = np.random.default_rng(7)
    pcm = np.concatenate([rng.normal(0, 6000, 12800), np.zeros(16000)]).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm.tobytes())
    return path


@pytest.mark.parametrize("persona", cases({}))
async def test_an_audio_turn_is_heard_and_answered(
    persona: Persona, persona_sim, user_app, isolated_dirs
) -> None:
    speech_wav(isolated_dirs["cwd"] / "speech.wav")
    await line_answered(user_app(), persona_sim, "@speech.wav", "I heard")


@pytest.mark.parametrize(
    "persona",
    cases({}),
)
async def test_a_slow_tool_answer_reaches_the_reply(
    persona: Persona, persona_sim, user_app
) -> None:
    line = 'tool set_timer {"seconds": 1, "label": "tea"}'
    said = await line_answered(user_app(), persona_sim, line, "The tool set_timer returned")
    assert "tea" in said and "continu" not in said.lower(), said  # the result, not the interim


@pytest.mark.parametrize("persona", cases({}))
async def test_goaway_and_a_drop_mid_reply_lose_nothing(
    persona: Persona, persona_sim, user_app
) -> None:
    app = user_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, persona_sim)
        await type_line(pilot, "goaway soon")
        await answered(pilot, persona_sim, 'You said: "goaway soon"')
        await type_line(pilot, "drop this one")
        await answered(pilot, persona_sim, 'You said: "drop this one"', timeout=20)
        await type_line(pilot, "after the drop")
        await answered(pilot, persona_sim, 'You said: "after the drop"', timeout=10)
        assert len(persona_sim.setups()) >= 3  # a reconnect after the GoAway and after the drop
        clean(app, persona_sim)


def screen_png(path: Path) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 90, 200)).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("persona", cases({}))
async def test_a_screen_frame_is_seen(
    persona: Persona, persona_sim, user_app, isolated_dirs
) -> None:
    screen_png(isolated_dirs["cwd"] / "shot.png")
    line = "@shot.png what is on my screen"
    said = await line_answered(user_app(), persona_sim, line, "image frame(s)")
    assert "320x200" in said, said


@pytest.mark.parametrize("persona", cases({}))
async def test_a_poison_line_does_not_hold_back_the_next_ones(
    persona: Persona, persona_sim, user_app
) -> None:
    """The poison line's reply is cut by a drop every time; lines typed after it are answered,
    and it is sent a bounded number of times (once, and three replays at most)."""
    app = user_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot, persona_sim)
        await type_line(pilot, "poison pill")
        await type_line(pilot, "alpha")
        await type_line(pilot, "beta")
        await answered(pilot, persona_sim, 'You said: "alpha"', timeout=30)
        await answered(pilot, persona_sim, 'You said: "beta"', timeout=10)
        assert persona_sim.texts().count("poison pill") <= 4, persona_sim.texts()
        assert not persona_sim.refusals, persona_sim.refusals


@pytest.mark.parametrize("persona", cases({}))
async def test_a_profile_thinking_level_does_not_break_any_model(
    persona: Persona, persona_sim, user_app, isolated_dirs
) -> None:
    """A profile saved with a thinking level (for 3.1) still works after switching models."""
    isolated_dirs["config"].mkdir(parents=True, exist_ok=True)
    (isolated_dirs["config"] / "default.toml").write_text('thinking_level = "low"\n')
    await line_answered(user_app(), persona_sim)


async def spoken_turn(pilot: Any, sim: LiveSimulator, pulse: Any, wav: Path, ptt: bool) -> None:
    """Say the WAV into the microphone (holding the floor with Ctrl-T in push-to-talk)."""
    app = pilot.app
    await mic_on(pilot, app, sim, more_than=-1 if ptt else 5)
    player = pulse.play_file(wav)
    if ptt:
        await pilot.pause(0.3)
        await pilot.press("ctrl+t")
        await pilot.pause(1.2)
        await pilot.press("ctrl+t")
    await answered(pilot, sim, "I heard", timeout=20)
    player.terminate()
    await type_line(pilot, "/mic off")
    await until(pilot, lambda: any(t.startswith("microphone off") for t in texts(app)), 5)


@pytest.mark.parametrize(
    ("persona", "ptt"),
    [
        pytest.param(*param.values, False, marks=param.marks, id=f"vad-{param.id}")
        for param in cases({})
    ]
    + [
        pytest.param(*param.values, True, marks=param.marks, id=f"ptt-{param.id}")
        for param in cases({})
    ],
)
async def test_a_spoken_turn_and_mic_off_keep_the_session(
    persona: Persona, ptt: bool, persona_sim, user_app, isolated_dirs, sink, tmp_path
) -> None:
    """Speak into the microphone, hear the reply, turn the mic off, then type: still answered."""
    if ptt:
        isolated_dirs["config"].mkdir(parents=True, exist_ok=True)
        (isolated_dirs["config"] / "default.toml").write_text("[audio]\npush_to_talk = true\n")
    wav = tmp_path / "said.wav"
    sf.write(wav, speech_like(2.0, 48000, seed=5), 48000, subtype="PCM_16")
    app = user_app()
    async with app.run_test(size=(110, 30)) as pilot:
        await ready(pilot, persona_sim)
        await spoken_turn(pilot, persona_sim, sink, wav, ptt)
        await type_line(pilot, "still there")
        await answered(pilot, persona_sim, 'You said: "still there"')
        clean(app, persona_sim)
