"""The profile's schema: choices and ranges refused at load in one line naming the file,
the key, the value and what is allowed; unknown keys told with the closest known key;
the environment's voice held to the same rule; the API key never shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from gemini_live_tui import config
from gemini_live_tui.config import ConfigError, load_profile, profile_path
from gemini_live_tui.live.models import VOICES
from gemini_live_tui.media.audio import aec


def write_profile(text: str, name: str = "default") -> Path:
    path = profile_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


BAD_VALUES = [
    ('voice = "Pucky"', "voice = 'Pucky': did you mean 'Puck'? use one of Zephyr, Puck, "),
    ('thinking_level = "ultra"', "thinking_level = 'ultra': use one of minimal, low, medium, high"),
    (
        '[audio]\naec_backend = "aec4"',
        "[audio] aec_backend = 'aec4': did you mean 'aec3'? use one of aec3, webrtc-legacy, none",
    ),
    (
        '[audio]\nstart_sensitivity = "mid"',
        "[audio] start_sensitivity = 'mid': use one of high, low",
    ),
    (
        '[audio]\nend_sensitivity = "often"',
        "[audio] end_sensitivity = 'often': use one of high, low",
    ),
    (
        "[audio]\nprefix_padding_ms = -20",
        "[audio] prefix_padding_ms = -20: use a whole number of milliseconds, 0 or more",
    ),
    (
        "[audio]\nsilence_duration_ms = -1",
        "[audio] silence_duration_ms = -1: use a whole number of milliseconds, 0 or more",
    ),
    (
        "[screen]\ninterval = 0.1",
        "[screen] interval = 0.1: An interval of 0.1 s is too short: the minimum is 0.2 s.",
    ),
    (
        "[screen]\njpeg_quality = 0",
        "[screen] jpeg_quality = 0: JPEG quality must be between 1 and 95, not 0.",
    ),
]


@pytest.mark.parametrize(("toml", "message"), BAD_VALUES)
def test_a_value_outside_its_choices_or_range_is_one_line_naming_file_key_and_allowed(
    toml: str, message: str
) -> None:
    path = write_profile(toml + "\n")
    with pytest.raises(ConfigError) as raised:
        load_profile()
    text = str(raised.value)
    assert text.startswith(f"{path}: {message}"), text
    assert "\n" not in text
    assert path.read_text() == toml + "\n", "the file is left as it is"


def test_choices_take_any_letter_case_and_keep_the_catalog_spelling() -> None:
    write_profile('voice = "puck"\nthinking_level = "HIGH"\n[audio]\nstart_sensitivity = "LOW"\n')
    profile = load_profile()
    assert profile.voice == "Puck" and profile.thinking_level == "high"
    assert profile.audio.start_sensitivity == "low"


def test_the_schema_and_the_engine_name_the_same_echo_cancellers() -> None:
    assert config.AEC_BACKENDS == aec.BACKENDS


def test_an_unknown_key_is_one_notice_with_the_closest_known_key_and_the_rest_loads() -> None:
    path = write_profile(
        'vocie = "Kore"\nmodel = "m"\n[audio]\nmic_devise = "pulse"\n[screan]\nx = 1\n'
    )
    loaded = config.load_config()
    assert loaded.notices == (
        f"{path}: unknown key 'vocie' is ignored — did you mean 'voice'?",
        f"{path}: unknown key 'screan' is ignored — did you mean 'screen'?",
        f"{path}: unknown key [audio] 'mic_devise' is ignored — did you mean 'mic_device'?",
    )
    assert loaded.profile.model == "m" and loaded.profile.audio.mic_device is None


def test_a_voice_from_the_environment_is_held_to_the_same_rule() -> None:
    from gemini_live_tui.environment import read_environment

    environment = read_environment({"GEMINI_VOICE": "Charonn", "GEMINI_API_KEY": "AIzaTopSecret42"})
    with pytest.raises(ConfigError) as raised:
        config.load_config("default", environment)
    text = str(raised.value)
    assert text.startswith("environment: GEMINI_VOICE = 'Charonn': did you mean 'Charon'?")
    assert all(voice in text for voice in VOICES)
    ok = config.load_config("default", read_environment({"GEMINI_VOICE": "kore"}))
    assert ok.profile.voice == "Kore"


def test_the_environment_snapshot_never_shows_a_credential() -> None:
    from gemini_live_tui.environment import read_environment

    environment = read_environment({"GEMINI_API_KEY": "AIzaTopSecret42"})
    assert "AIzaTopSecret42" not in repr(environment)
    loaded = config.load_config("default", environment)
    assert "AIzaTopSecret42" not in repr(loaded)
