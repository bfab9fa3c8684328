"""The configuration as a user meets it: the real command refuses a bad value in one
line (exit 2) and opens with a notice for an unknown key; the environment is read
once, at start; a bad value written into the file while the app runs is refused in
one line by the next change, and the app keeps running."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import texts, type_line, until
from ptyrun import APP, PtyProgram, private_env, run_to_exit

from gemini_live_tui import cli
from gemini_live_tui.config import load_profile
from gemini_live_tui.live.models import VOICES
from gemini_live_tui.tui.app import GeminiLiveApp

KEY = "AIzaSecretKey0123456789"


def test_a_bad_voice_in_the_environment_or_a_flag_stops_with_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = private_env(home, GEMINI_VOICE="Korr", GEMINI_API_KEY=KEY)
    code, lines = run_to_exit(["--demo"], env, home)
    assert code == 2
    assert len(lines) == 1 and KEY not in lines[0]
    assert lines[0].startswith("gemini-live: environment: GEMINI_VOICE = 'Korr': did you mean")
    code, lines = run_to_exit(["--demo", "--voice", "Fenrirr"], private_env(home), home)
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("gemini-live: --voice 'Fenrirr': did you mean")


def test_a_key_pasted_into_a_setting_is_masked_in_the_refusal(tmp_path: Path) -> None:
    home = tmp_path / "home"
    profile = home / ".config/gemini-live/default.toml"
    profile.parent.mkdir(parents=True)
    profile.write_text(f'thinking_level = "{KEY}"\n')
    code, lines = run_to_exit(["--demo"], private_env(home, GEMINI_API_KEY=f" {KEY}\n"), home)
    assert code == 2
    assert lines == [
        f"gemini-live: {profile}: thinking_level = '***': use one of minimal, low, medium, high"
    ]
    log = home / ".local/state/gemini-live/gemini-live.log"
    assert KEY not in log.read_text() and "thinking_level = '***'" in log.read_text()


def test_an_unknown_key_opens_the_app_with_a_notice_naming_the_closest_key(tmp_path: Path) -> None:
    home = tmp_path / "home"
    profile = home / ".config/gemini-live/default.toml"
    profile.parent.mkdir(parents=True)
    profile.write_text('vocie = "Kore"\n')
    program = PtyProgram([*APP, "--demo", "--text"], private_env(home), cwd=str(home))
    try:
        assert program.wait_for("did you mean 'voice'?", 60), program.text()[-2000:]
        assert program.wait_for("ready", 30), program.text()[-2000:]
        program.type("\x03")
    finally:
        assert program.close() == 0
    assert profile.read_text() == 'vocie = "Kore"\n'


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, kept_logging: None) -> list[GeminiLiveApp]:
    """`cli.main` up to the point where the app would run; the app it built."""
    apps: list[GeminiLiveApp] = []

    def keep(app: GeminiLiveApp, log_file: Path) -> int:
        apps.append(app)
        return 0

    monkeypatch.setattr(cli, "_run_app", keep)
    return apps


async def test_a_variable_changed_after_start_changes_nothing(
    started: list[GeminiLiveApp],
    isolated_dirs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    assert cli.main(["--demo", "--text"]) == 0
    [app] = started
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("GEMINI_LIVE_CONFIG_DIR", str(elsewhere / "config"))
    monkeypatch.setenv("GEMINI_LIVE_STATE_DIR", str(elsewhere / "state"))
    async with app.run_test(size=(100, 30)) as pilot:
        await type_line(pilot, "/mic autostart on")
        await until(pilot, lambda: "the microphone will turn on at launch" in texts(app))
        await type_line(pilot, "hello")
        await until(pilot, lambda: "hello" in texts(app, "you"))
    monkeypatch.setenv("GEMINI_LIVE_CONFIG_DIR", str(isolated_dirs["config"]))
    assert load_profile().audio.mic_autostart, "the profile of the start was written"
    assert not elsewhere.exists(), "nothing followed the changed variables"


async def test_a_bad_value_written_while_the_app_runs_is_refused_by_the_next_change(
    started: list[GeminiLiveApp], isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", KEY)
    assert cli.main(["--demo", "--text"]) == 0
    [app] = started
    path = isolated_dirs["config"] / "default.toml"
    async with app.run_test(size=(100, 30)) as pilot:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('thinking_level = "extreme"\n')  # edited in another window
        await type_line(pilot, "/mic autostart on")
        await until(pilot, lambda: texts(app, "error"))
        [line] = texts(app, "error")
        assert line == (
            f"could not save the audio settings in the profile: {path}: "
            "thinking_level = 'extreme': use one of minimal, low, medium, high"
        )
        path.write_text(f'voice = "{KEY}"\n')  # the key pasted into the wrong line
        await type_line(pilot, "/speak autostart on")
        await until(pilot, lambda: len(texts(app, "error")) == 2)
        assert texts(app, "error")[1].endswith(
            f"{path}: voice = '***': use one of Zephyr, " + (", ".join(VOICES[1:]))
        )
        await type_line(pilot, "still here")
        await until(pilot, lambda: "still here" in texts(app, "you"))
    assert path.read_text() == f'voice = "{KEY}"\n'
