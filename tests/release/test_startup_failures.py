"""Start-up failures of the real command, in a pty: one line naming the
problem, exit status 2, the same line in the log file; credentials with
stray whitespace work; a wrong backend setting is told as itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from polling import wait_until
from ptyrun import APP, PtyProgram, private_env, run_to_exit


def log_of(home: Path) -> str:
    log = home / ".local/state/gemini-live/gemini-live.log"
    return log.read_text() if log.exists() else ""


def test_a_profile_that_is_not_utf8(tmp_path):
    home = tmp_path / "home"
    env = private_env(home)
    profile = home / ".config/gemini-live/default.toml"
    profile.parent.mkdir(parents=True)
    profile.write_bytes('voice = "Kore" # caf\xe9\n'.encode("latin-1"))
    code, lines = run_to_exit(["--demo"], env, home)
    assert code == 2
    assert lines == [f"gemini-live: cannot read {profile}: not UTF-8 text (byte 21 is 0xe9)"]
    assert f"cannot read {profile}: not UTF-8 text" in log_of(home)


def test_a_file_where_the_state_folder_should_be(tmp_path):
    home = tmp_path / "home"
    env = private_env(home)
    state = home / ".local/state/gemini-live"
    state.parent.mkdir(parents=True)
    state.write_text("not a folder")
    code, lines = run_to_exit(["--demo"], env, home)
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith(
        f"gemini-live: cannot use the state folder {state}: "
    )
    assert "Not a directory" in lines[0] or "File exists" in lines[0]


def test_simulate_on_a_port_that_does_not_exist(tmp_path):
    home = tmp_path / "home"
    code, lines = run_to_exit(["simulate", "--port", "70000"], private_env(home), home)
    assert code == 2
    assert lines == ["gemini-live simulate: --port 70000 is not a port number (0–65535)"]
    assert "--port 70000 is not a port number" in log_of(home)


def test_a_wrong_backend_or_base_url_is_told_as_itself(tmp_path):
    home = tmp_path / "home"
    for extra, expected in (
        ({"LIVE_BACKEND": "vertx"}, "LIVE_BACKEND='vertx' is not a backend"),
        (
            {"GEMINI_LIVE_BASE_URL": "http://example.com"},
            "GEMINI_LIVE_BASE_URL: base URL must start with wss://",
        ),
    ):
        program = PtyProgram([*APP, "--text"], private_env(home, **extra), cwd=str(home))
        try:
            assert program.wait_for(expected, 60), program.text()[-2000:]
            text = program.text()
            if "No credential set" in text:  # the help may follow; the reason comes first
                assert text.index(expected) < text.index("No credential set")
            program.type("\x03")
        finally:
            assert program.close() == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_key_with_a_trailing_newline_still_connects(tmp_path):
    home = tmp_path / "home"
    port = _free_port()
    simulator = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gemini_live_tui.cli",
            "simulate",
            "--port",
            str(port),
            "--api-key",
            "sim-key-1234",
        ],
        env=private_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:

        def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        wait_until(listening, 30, step=0.1, what=f"the simulator on port {port}")
        env = private_env(
            home,
            GEMINI_API_KEY="  sim-key-1234\n",
            GEMINI_LIVE_BASE_URL=f"ws://127.0.0.1:{port}",
        )
        program = PtyProgram([*APP, "--text"], env, cwd=str(home))
        try:
            assert program.wait_for("ready", 60), program.text()[-2000:]
            assert program.wait_for("connected", 30), program.text()[-2000:]
            program.type("hello key\r")
            assert program.wait_for('You said: "hello key"', 30), program.text()[-2000:]
            program.type("\x03")
        finally:
            assert program.close() == 0
    finally:
        simulator.terminate()
        simulator.wait(10)
    assert os.path.exists(home)


def test_profile_values_the_commands_refuse_are_refused_at_launch(tmp_path):
    home = tmp_path / "home"
    env = private_env(home)
    profile = home / ".config/gemini-live/default.toml"
    profile.parent.mkdir(parents=True)
    cases = {
        'thinking_level = "ultra"\n': (
            "thinking_level = 'ultra': use one of minimal, low, medium, high"
        ),
        'tools = ["read_file", "read_files"]\n': (
            "tools: unknown tool 'read_files': the tools are google_search, set_timer,"
        ),
        "[screen]\ninterval = 0\n": (
            "[screen] interval = 0: The interval must be a positive number of seconds, not 0."
        ),
        "[screen]\njpeg_quality = 500\n": (
            "[screen] jpeg_quality = 500: JPEG quality must be between 1 and 95, not 500."
        ),
        'voice = "Pucky"\n': "voice = 'Pucky': did you mean 'Puck'? use one of Zephyr, Puck,",
        '[audio]\naec_backend = "aec4"\n': (
            "[audio] aec_backend = 'aec4': did you mean 'aec3'? use one of aec3, webrtc-legacy, none"
        ),
        "[audio]\nsilence_duration_ms = -5\n": (
            "[audio] silence_duration_ms = -5: use a whole number of milliseconds, 0 or more"
        ),
    }
    for text, expected in cases.items():
        profile.write_text(text)
        code, lines = run_to_exit(["--demo"], env, home)
        assert code == 2, text
        assert len(lines) == 1 and lines[0].startswith(f"gemini-live: {profile}: {expected}"), lines


def test_a_state_folder_without_permission(shared_dir, monkeypatch):
    """As `nobody` (root may write anywhere): the launch's own `main`, in a fork."""
    import contextlib
    import io

    from nobody import as_nobody

    from gemini_live_tui.cli import main

    state = shared_dir / "state"
    state.mkdir(mode=0o700)  # root's: nobody may neither write in it nor chmod it
    monkeypatch.setenv("GEMINI_LIVE_STATE_DIR", str(state))
    monkeypatch.setenv("GEMINI_LIVE_CONFIG_DIR", str(shared_dir / "config"))
    monkeypatch.chdir(shared_dir)

    def launch() -> str:
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["--demo"])
        return f"{code}|{err.getvalue()}"

    code, err = as_nobody(launch).split("|", 1)
    assert code == "2", err
    assert err.startswith(f"gemini-live: cannot use the state folder {state}: "), err
    assert err.count("\n") == 1 and "Traceback" not in err
