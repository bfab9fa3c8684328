"""The command line: flags, `config`, profiles, backends, a broken profile file."""

from __future__ import annotations

import contextlib
import select
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from gemini_live_tui import __version__
from gemini_live_tui.backend import NO_CREDENTIAL_HELP
from gemini_live_tui.cli import build_options, build_parser, main
from gemini_live_tui.config import Profile, apply_env, load_profile, save_profile


def options(argv, profile=None):
    args = build_parser().parse_args(argv)
    return build_options(args, apply_env(profile or load_profile(args.profile)))


def test_version_and_help(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert f"gemini-live {__version__}" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for flag in ("--profile", "--model", "--voice", "--text", "--demo"):
        assert flag in out


def test_config_prints_the_profile_path(capsys, isolated_dirs):
    assert main(["--profile", "work", "config"]) == 0
    assert capsys.readouterr().out.strip() == str(isolated_dirs["config"] / "work.toml")


def test_broken_profile_is_reported_with_path_and_line_and_kept(capsys, isolated_dirs):
    path = isolated_dirs["config"] / "default.toml"
    path.parent.mkdir(parents=True)
    path.write_text('model = "x"\nvoice = \n')
    assert main([]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "line 2" in err
    assert path.read_text() == 'model = "x"\nvoice = \n'


def test_no_credential_still_opens_with_help():
    opts = options([])
    assert opts.session_factory is None
    assert opts.notice == NO_CREDENTIAL_HELP and "--demo" in opts.notice


def test_profile_values_reach_the_setup_and_flags_win(monkeypatch):
    save_profile(
        Profile(
            model="gemini-3.8-live-extended-thinking",
            voice="Puck",
            system_instruction="be brief",
            thinking_level="low",
            greeting="Say hi",
            tools=["set_timer"],
        ),
        "work",
    )
    monkeypatch.setenv("GEMINI_API_KEY", "secret-key")
    opts = options(["--profile", "work", "--voice", "Kore", "--text"])
    assert opts.setup.model == "models/gemini-3.8-live-extended-thinking"
    assert opts.setup.voice_name == "Kore"
    # --text: audio replies read as their transcript, never a TEXT modality
    assert opts.setup.response_modalities == ("AUDIO",) and opts.setup.output_transcription
    assert opts.audio.speaker_autostart is False
    assert opts.setup.system_instruction == "be brief"
    assert opts.setup.thinking_level == "low"
    assert opts.greeting == "Say hi" and opts.profile == "work"
    assert opts.tools == {"set_timer"}
    names = [d["name"] for t in opts.setup.tools for d in t.get("functionDeclarations", [])]
    assert names == ["set_timer"]
    assert "secret-key" not in repr(opts.setup) and "secret-key" not in opts.label
    monkeypatch.setenv("GEMINI_MODEL", "gemini-env")
    assert options(["--profile", "work"]).setup.model == "models/gemini-env"  # env > profile
    assert options(["--profile", "work", "--model", "m2"]).setup.model == "models/m2"


def test_vertex_label_and_model_names(monkeypatch):
    monkeypatch.setenv("LIVE_BACKEND", "vertex")
    monkeypatch.setenv("VERTEX_PROJECT", "proj")
    monkeypatch.setenv("VERTEX_LOCATION", "europe-west4")
    monkeypatch.setenv("VERTEX_AI_ACCESS_TOKEN", "tok")
    opts = options(["--model", "gemini-live-x"])
    assert opts.label == "vertex:europe-west4 gemini-live-x"
    assert opts.setup.model == (
        "projects/proj/locations/europe-west4/publishers/google/models/gemini-live-x"
    )
    assert opts.model_name("other") == (
        "projects/proj/locations/europe-west4/publishers/google/models/other"
    )


def test_demo_runs_offline_in_a_real_terminal(tmp_path, isolated_dirs):
    """`gemini-live --demo` paints its first frame in a pty with no key set."""
    import os
    import pty

    marker = tmp_path / "painted"
    env = {k: v for k, v in os.environ.items() if "API_KEY" not in k}
    env["GEMINI_LIVE_FIRST_PAINT_FILE"] = str(marker)
    env["TERM"] = "xterm-256color"
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "gemini_live_tui.cli", "--demo"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        close_fds=True,
    )
    os.close(terminal)
    deadline = time.monotonic() + 30
    try:
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.1)
            if ready:  # drain the screen output, or the app blocks writing it
                with contextlib.suppress(OSError):
                    os.read(controller, 65536)
    finally:
        process.kill()
        process.wait()
        os.close(controller)
    assert marker.exists()


def test_log_file_is_private_and_masks_secrets(monkeypatch, isolated_dirs, kept_logging):
    import logging
    import stat

    from gemini_live_tui.logs import setup_file_logging

    monkeypatch.setenv("GEMINI_API_KEY", "AIzaSecretValue123")
    path = setup_file_logging()
    logging.getLogger("test").warning("url was wss://x?key=%s", "AIzaSecretValue123")
    try:
        raise RuntimeError("bad key AIzaSecretValue123")
    except RuntimeError:
        logging.getLogger("test").exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "AIzaSecretValue123" not in text
    assert "key=***" in text and "bad key ***" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.parent == isolated_dirs["state"]


@pytest.mark.parametrize(
    ("toml", "key"),
    [("model = 5", "model"), ("voice = 5", "voice"), ('tools = "x"', "tools")],
)
def test_a_profile_value_of_the_wrong_type_stops_with_one_line(capsys, isolated_dirs, toml, key):
    path = isolated_dirs["config"] / "default.toml"
    path.parent.mkdir(parents=True)
    path.write_text(toml + "\n")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gemini-live: {path}: {key} must be ")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


async def test_a_refused_base_url_opens_the_app_with_the_reason(monkeypatch):
    from apptest import texts, until

    from gemini_live_tui.tui.app import GeminiLiveApp

    monkeypatch.setenv("GEMINI_API_KEY", "secret-key-0123456789")
    monkeypatch.setenv("GEMINI_LIVE_BASE_URL", "ws://example.com")
    opts = options([])
    assert opts.session_factory is None
    assert opts.notice.startswith("GEMINI_LIVE_BASE_URL: refusing unencrypted ws:// to example.com")
    app = GeminiLiveApp(replace(opts, persist_history=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: texts(app, "error"))
        assert texts(app, "error")[0] == opts.notice


def test_vertex_adc_without_credentials_opens_with_the_reason(monkeypatch, tmp_path):
    pytest.importorskip("google.auth")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "true")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("LIVE_BACKEND", "vertex")
    monkeypatch.setenv("VERTEX_PROJECT", "proj")
    monkeypatch.setenv("VERTEX_AUTH", "adc")
    opts = options([])
    assert opts.session_factory is None
    assert "Application Default Credentials" in opts.notice
    assert "gcloud auth application-default login" in opts.notice


def test_simulate_on_a_taken_port_says_so_in_one_line(capsys):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["simulate", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gemini-live simulate: cannot listen on port {port}: ")
    assert "address already in use" in err and "Traceback" not in err


def test_an_unknown_model_and_a_thinking_level_it_cannot_take_are_told_at_start(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "secret-key")
    unknown = options(["--model", "gemini-9-live"])
    assert unknown.setup.model == "models/gemini-9-live"  # still used
    [notice] = unknown.notices
    assert "gemini-9-live is not in the model catalog" in notice
    on_38 = options([], Profile(thinking_level="high"))
    assert on_38.setup.thinking_level is None and on_38.setup.thinking_budget is None
    assert on_38.notices == (
        "gemini-3.8-live takes no thinking level: the profile's 'high' is not sent",
    )


async def test_start_lines_keep_their_order_model_notices_then_the_workspace(
    monkeypatch, isolated_dirs
):
    from gemini_live_tui.tools.workspace import HOME_NOTICE
    from gemini_live_tui.tui.app import READY_TEXT, GeminiLiveApp

    monkeypatch.setenv("HOME", str(isolated_dirs["cwd"]))
    monkeypatch.chdir(isolated_dirs["cwd"])  # launched in the home folder: no file tools
    opts = options(["--model", "gemini-9-live"])
    assert opts.notices[1:] == (HOME_NOTICE,)
    assert "gemini-9-live is not in the model catalog" in opts.notices[0]
    app = GeminiLiveApp(replace(opts, persist_history=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = [(line.role, line.text) for line in app.transcript]
    assert shown == [
        ("error", NO_CREDENTIAL_HELP),
        ("system", opts.notices[0]),
        ("system", HOME_NOTICE),
        ("system", READY_TEXT),
    ]
