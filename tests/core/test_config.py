"""Profiles, backends from the environment, and the log file's secret masking."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from pathlib import Path

import pytest

from gemini_live_tui import logs
from gemini_live_tui.backend import (
    NO_CREDENTIAL_HELP,
    BackendError,
    resolve_backend,
    vertex_model_name,
)
from gemini_live_tui.config import (
    ConfigError,
    Profile,
    apply_env,
    load_profile,
    normalize_model,
    profile_path,
    save_profile,
)
from gemini_live_tui.live import models
from gemini_live_tui.live.transport import Credential


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GEMINI_LIVE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("GEMINI_LIVE_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


def test_profile_round_trips_atomically_with_private_modes() -> None:
    profile = Profile(voice="Puck", system_instruction="Be brief.", tools=["set_timer"])
    profile.audio.mic_autostart = True
    profile.screen.interval = 0.5
    path = save_profile(profile, "work")
    assert load_profile("work") == profile
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_missing_profile_gives_defaults() -> None:
    assert load_profile("nope") == Profile()


def test_broken_toml_is_reported_with_path_and_line_and_left_alone() -> None:
    path = profile_path("broken")
    path.parent.mkdir(parents=True)
    path.write_text('model = "x"\nvoice = \n')
    with pytest.raises(ConfigError) as error:
        load_profile("broken")
    assert str(path) in str(error.value) and "line 2" in str(error.value)
    assert path.read_text() == 'model = "x"\nvoice = \n'


def test_env_beats_profile_beats_defaults() -> None:
    profile = Profile(model="models/from-profile")
    assert apply_env(profile, {}).model == "models/from-profile"
    assert apply_env(profile, {"GEMINI_MODEL": "models/from-env"}).model == "models/from-env"
    assert Profile().model == "models/gemini-3.8-live" == models.DEFAULT_MODEL
    assert normalize_model("gemini-x") == "models/gemini-x"


def test_backends_from_env() -> None:
    with pytest.raises(BackendError) as error:
        resolve_backend("models/m", {})
    assert str(error.value) == NO_CREDENTIAL_HELP and "--demo" in NO_CREDENTIAL_HELP

    key = resolve_backend("models/m", {"GOOGLE_API_KEY": "k1"})
    assert key.endpoint.credential.kind == "api_key" and "v1beta" in key.endpoint.url

    token = resolve_backend("models/m", {"GEMINI_EPHEMERAL_TOKEN": "t"})
    assert "BidiGenerateContentConstrained" in token.endpoint.url

    vertex = resolve_backend(
        "models/gemini-live-2.5-flash",
        {
            "LIVE_BACKEND": "vertex",
            "VERTEX_PROJECT": "p",
            "VERTEX_LOCATION": "us-east1",
            "VERTEX_AI_ACCESS_TOKEN": "b",
        },
    )
    assert (
        vertex.model
        == "projects/p/locations/us-east1/publishers/google/models/gemini-live-2.5-flash"
    )
    assert vertex.label == "vertex:us-east1 gemini-live-2.5-flash"
    assert vertex.endpoint.url.startswith("wss://us-east1-aiplatform.googleapis.com/")
    with pytest.raises(BackendError, match="VERTEX_PROJECT"):
        resolve_backend("m", {"LIVE_BACKEND": "vertex"})


VERTEX_ENV = {"LIVE_BACKEND": "vertex", "VERTEX_PROJECT": "p", "VERTEX_AI_ACCESS_TOKEN": "b"}


def test_vertex_without_vertex_model_uses_a_model_vertex_has() -> None:
    """The Gemini API default (or 3.1, which only the Gemini API has) would be a final
    1008 "Publisher Model … was not found": Vertex gets its own 3.8 Live instead."""
    for asked in ("models/gemini-3.8-live", "models/gemini-3.1-flash-live-preview"):
        backend = resolve_backend(asked, VERTEX_ENV)
        assert backend.model == (
            "projects/p/locations/us-central1/publishers/google/models/gemini-3.8-live"
        )
    kept = resolve_backend("gemini-live-2.5-flash-native-audio", VERTEX_ENV)
    assert kept.model.endswith("/models/gemini-live-2.5-flash-native-audio")
    chosen = resolve_backend("models/gemini-3.8-live", dict(VERTEX_ENV, VERTEX_MODEL="custom-x"))
    assert chosen.model.endswith("/models/custom-x")


@pytest.mark.parametrize(
    ("location", "host"),
    [
        ("global", "wss://aiplatform.googleapis.com/"),
        ("us", "wss://aiplatform.us.rep.googleapis.com/"),
        ("eu", "wss://aiplatform.eu.rep.googleapis.com/"),
        ("europe-west4", "wss://europe-west4-aiplatform.googleapis.com/"),
    ],
)
def test_vertex_hosts_are_built_as_google_genai_builds_them(location: str, host: str) -> None:
    backend = resolve_backend("models/gemini-3.8-live", dict(VERTEX_ENV, VERTEX_LOCATION=location))
    assert backend.endpoint.url.startswith(host)
    assert backend.endpoint.url.endswith(
        "/ws/google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent"
    )
    assert f"/locations/{location}/" in backend.model


def test_vertex_adc_with_a_quota_project_sends_x_goog_user_project(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """ADC credentials that name a quota project bill it, as google-genai does."""
    pytest.importorskip("google.auth")
    adc = tmp_path / "adc.json"
    adc.write_text(
        '{"type": "authorized_user", "client_id": "c", "client_secret": "s", '
        '"refresh_token": "r", "quota_project_id": "billing-project"}',
        encoding="utf-8",
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    env = {"LIVE_BACKEND": "vertex", "VERTEX_PROJECT": "p", "VERTEX_AUTH": "adc"}
    credential = resolve_backend("models/gemini-3.8-live", env).endpoint.credential
    assert credential.quota_project == "billing-project"

    async def token() -> str:
        return "ya29.fresh"

    fresh = Credential("vertex", "", refresh=token, quota_project=credential.quota_project)
    assert asyncio.run(fresh.headers()) == {
        "Authorization": "Bearer ya29.fresh",
        "x-goog-user-project": "billing-project",
    }


def test_vertex_full_resource_name_is_kept() -> None:
    full = "projects/a/locations/b/publishers/google/models/c"
    assert vertex_model_name(full, "x", "y") == full


def test_secrets_are_masked_in_the_log_file_including_tracebacks() -> None:
    secret = "AIzaSyTOTALLY-SECRET-0123456789"
    path = logs.setup_file_logging()
    logs.register_secret(secret)
    log = logging.getLogger("test")
    log.info("connecting with key %s", secret)
    try:
        raise RuntimeError(f"handshake failed for {secret}")
    except RuntimeError:
        log.exception("boom")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "boom" in text and "RuntimeError" in text
    assert secret not in text and "***" in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    logging.getLogger().handlers.clear()


def test_vertex_adc_without_google_auth_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "google.auth", None)  # as if google-auth were not installed
    env = {"LIVE_BACKEND": "vertex", "VERTEX_PROJECT": "p", "VERTEX_AUTH": "adc"}
    with pytest.raises(BackendError, match=r"google-auth.*\[vertex\]"):
        resolve_backend("models/m", env)


def test_every_log_file_stays_0600_across_rollovers(private_dirs: Path) -> None:
    saved_umask = os.umask(0o022)  # the usual umask: a plain open() makes 0644 files
    root = logging.getLogger()
    try:
        path = logs.setup_file_logging(max_bytes=200)
        log = logging.getLogger("test")
        for n in range(40):
            log.info("record %d padded to roll the file over quickly %s", n, "x" * 40)
        for handler in root.handlers:
            handler.flush()
        files = sorted(path.parent.glob(logs.LOG_NAME + "*"))
        assert len(files) == 3, files  # the log and its two backups: rollovers happened
        modes = {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files}
        assert set(modes.values()) == {"0o600"}, modes
    finally:
        os.umask(saved_umask)
        for handler in list(root.handlers):
            root.removeHandler(handler)
            handler.close()


def test_folders_made_on_the_way_to_a_private_file_are_0700(private_dirs: Path) -> None:
    from gemini_live_tui.config import state_dir, write_private

    saved_umask = os.umask(0o022)
    try:
        write_private(state_dir() / "history" / "default.jsonl", "{}\n")
    finally:
        os.umask(saved_umask)
    for folder in (state_dir(), state_dir() / "history"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("model = 5", "model must be a string, not an integer (5)"),
        ("voice = 5", "voice must be a string, not an integer (5)"),
        ('tools = "x"', "tools must be a list of strings, not a string ('x')"),
        ("tools = [1]", "tools must be a list of strings, not an array ([1])"),
        ('text_only = "yes"', "text_only must be true or false, not a string ('yes')"),
        ("[audio]\nprefix_padding_ms = true", "[audio] prefix_padding_ms must be a whole number"),
        ('[screen]\ninterval = "fast"', "[screen] interval must be a number, not a string"),
        ("audio = 5", "audio must be a table ([audio]), not an integer (5)"),
    ],
)
def test_a_value_of_the_wrong_type_is_named_with_file_and_key(toml: str, message: str) -> None:
    path = profile_path()
    path.parent.mkdir(parents=True)
    path.write_text(toml + "\n")
    with pytest.raises(ConfigError) as raised:
        load_profile()
    assert str(raised.value).startswith(str(path))
    assert message in str(raised.value)
    assert path.read_text() == toml + "\n", "the file is left as it is"


def test_right_types_load_and_an_integer_interval_is_a_number() -> None:
    path = profile_path()
    path.parent.mkdir(parents=True)
    path.write_text('model = "m"\ntools = ["set_timer"]\n[screen]\ninterval = 2\n')
    profile = load_profile()
    assert profile.model == "m" and profile.tools == ["set_timer"] and profile.screen.interval == 2


def test_a_bad_base_url_is_a_backend_error_naming_the_variable() -> None:
    env = {"GEMINI_API_KEY": "k" * 20, "GEMINI_LIVE_BASE_URL": "ws://example.com"}
    with pytest.raises(BackendError, match=r"GEMINI_LIVE_BASE_URL: refusing unencrypted ws://"):
        resolve_backend("models/m", env)
    with pytest.raises(BackendError, match=r"GEMINI_LIVE_BASE_URL: base URL must start with wss"):
        resolve_backend("models/m", dict(env, GEMINI_LIVE_BASE_URL="https://example.com"))


def test_vertex_adc_without_credentials_says_how_to_get_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("google.auth")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "true")  # no metadata server probe
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    env = {"LIVE_BACKEND": "vertex", "VERTEX_PROJECT": "p", "VERTEX_AUTH": "adc"}
    with pytest.raises(BackendError, match="gcloud auth application-default login"):
        resolve_backend("models/m", env)
