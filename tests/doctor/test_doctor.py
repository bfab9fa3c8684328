"""`gemini-live doctor`: one line per check, a fix on every failing line, exit status 1 on a failure.

The whole command runs twice as a user would run it: on a machine with
everything (a real PulseAudio, a real Xvfb, a key, a TLS endpoint whose
certificate is trusted) and on a bare one (no PortAudio, no sound server,
no display, no key, a host that does not resolve). The single checks are
then tried one failure at a time.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest
from ptyrun import APP
from system_packages import require_portaudio_library

from gemini_live_tui import doctor
from gemini_live_tui.config import Profile

KEY = "AIzaSy-doctor-test-key-0123456789"
UNRESOLVABLE = "wss://gemini-live-doctor.invalid"  # .invalid never resolves (RFC 6761)


def report(stdout: str) -> dict[str, tuple[str, str]]:
    """check name -> (status, the rest of its line)."""
    found = {}
    for line in stdout.splitlines():
        status, check, rest = line[:4].strip(), line[6:20].strip(), line[20:]
        if status in ("ok", "warn", "FAIL"):
            found[check] = (status, rest)
    return found


def test_with_everything_present_every_check_passes_and_the_key_stays_masked(
    pulse, xvfb, tls_endpoint
):
    env = dict(
        os.environ,
        GEMINI_API_KEY=KEY,
        GEMINI_LIVE_BASE_URL=tls_endpoint.url,
        SSL_CERT_FILE=str(tls_endpoint.ca_file),
        DISPLAY=xvfb.name,
    )
    env.pop("WAYLAND_DISPLAY", None)
    env.pop("XDG_SESSION_TYPE", None)
    done = subprocess.run([*APP, "doctor"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    found = report(done.stdout)
    assert {check: status for check, (status, _) in found.items()} == {
        "credentials": "ok",
        "endpoint DNS": "ok",
        "endpoint TLS": "ok",
        "audio": "ok",
        "sound server": "ok",
        "echo cancel": "ok",
        "display": "ok",
        "profile": "ok",
        "config folder": "ok",
        "state folder": "ok",
    }, done.stdout
    assert KEY not in done.stdout + done.stderr
    assert (
        f"Gemini API key …{KEY[-2:]} ({len(KEY)} chars) from GEMINI_API_KEY"
        in (found["credentials"][1])
    )
    assert "127.0.0.1" in found["endpoint DNS"][1]
    assert "certificate valid" in found["endpoint TLS"][1]
    assert "microphone" in found["audio"][1] and "speaker" in found["audio"][1]
    assert "answers (server: pulseaudio)" in found["sound server"][1]
    assert f"X display {xvfb.name}" in found["display"][1] and "1920×1080" in found["display"][1]
    assert done.stdout.rstrip().endswith("all checks passed")
    assert tls_endpoint.handshakes >= 1, "the TLS check really shook hands"


def test_on_a_bare_machine_each_missing_piece_fails_with_its_fix(tmp_path):
    # No PortAudio (ctypes cannot find the library), no sound server, no
    # display, no credential, and an endpoint whose name does not resolve.
    script = textwrap.dedent(
        """
        import ctypes.util, sys
        real = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None if "portaudio" in name else real(name)
        from gemini_live_tui.cli import main
        sys.exit(main(["doctor", "--timeout", "3"]))
        """
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
    }
    env.update(
        PULSE_SERVER=f"unix:{tmp_path}/no-sound-server",
        GEMINI_LIVE_BASE_URL=UNRESOLVABLE,
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stdout + done.stderr
    found = report(done.stdout)
    failed = {check for check, (status, _) in found.items() if status == "FAIL"}
    assert failed == {"credentials", "endpoint DNS", "audio", "sound server", "display"}
    for line in done.stdout.splitlines():
        if line.startswith("FAIL"):
            assert " — fix: " in line, line
    assert "GEMINI_API_KEY" in found["credentials"][1]
    assert "cannot resolve gemini-live-doctor.invalid" in found["endpoint DNS"][1]
    assert "PortAudio not found" in found["audio"][1] and "libportaudio2" in found["audio"][1]
    assert "pulseaudio --start" in found["sound server"][1]
    assert "DISPLAY unset" in found["display"][1]
    assert found["echo cancel"][0] == "ok"  # a Python wheel: there on every machine
    assert "5 check(s) failed" in done.stdout


def test_an_untrusted_certificate_fails_the_tls_line(tls_endpoint, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    dns, tls = doctor.check_endpoint(tls_endpoint.url, timeout=5)
    assert dns.status == "ok"
    assert tls.status == "FAIL"
    assert "certificate not trusted (unable to get local issuer certificate)" in tls.detail
    assert "SSL_CERT_FILE" in tls.fix


def test_a_closed_port_fails_the_tls_line_with_the_port_to_open():
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # bound, never listening: refused
        _, tls = doctor.check_endpoint(f"wss://127.0.0.1:{port}", timeout=2)
    assert tls.status == "FAIL" and "unreachable" in tls.detail
    assert f"outgoing port {port}" in tls.fix


@pytest.mark.parametrize(
    ("env", "backend", "secret"),
    [
        (
            {"GEMINI_EPHEMERAL_TOKEN": "auth_tokens/ephemeral-0123456789"},
            "ephemeral token",
            "auth_tokens/ephemeral-0123456789",
        ),
        (
            {
                "LIVE_BACKEND": "vertex",
                "VERTEX_PROJECT": "my-project",
                "VERTEX_AI_ACCESS_TOKEN": "ya29.vertex-token-0123456789",
            },
            "Vertex AI",
            "ya29.vertex-token-0123456789",
        ),
    ],
    ids=["ephemeral", "vertex"],
)
def test_credentials_name_the_backend_and_mask_the_secret(env, backend, secret):
    finding, url, kind = doctor.check_credentials(Profile(), env)
    assert finding.status == "ok"
    assert finding.detail.startswith(f"{backend} …{secret[-2:]} ({len(secret)} chars)")
    assert secret not in finding.line()
    assert url.startswith("wss://")


def test_a_broken_profile_fails_and_names_the_file(isolated_dirs):
    path = isolated_dirs["config"] / "default.toml"
    path.parent.mkdir(parents=True)
    path.write_text("model = 5\n")
    finding, profile = doctor.check_profile("default")
    assert finding.status == "FAIL"
    assert str(path) in finding.detail and "model" in finding.detail
    assert profile == Profile()  # the other checks go on with the defaults


def test_an_unknown_key_is_a_warning_naming_the_closest_key(isolated_dirs):
    path = isolated_dirs["config"] / "default.toml"
    path.parent.mkdir(parents=True)
    path.write_text('vocie = "Kore"\n[audio]\nmic_devise = "pulse"\n')
    finding, _ = doctor.check_profile("default")
    assert finding.status == "warn"
    assert finding.detail == (
        f"{path}: unknown key 'vocie' is ignored — did you mean 'voice'? (and 1 more)"
    )


def test_folders_others_can_read_fail_until_the_fix_is_applied(isolated_dirs):
    state = isolated_dirs["state"]
    (state / "history").mkdir(parents=True)
    state.chmod(0o755)
    (state / "gemini-live.log").write_text("a conversation\n")
    (state / "gemini-live.log").chmod(0o644)
    finding = doctor.check_private("state", state)
    assert finding.status == "FAIL"
    assert "gemini-live.log" in finding.detail and str(state) in finding.detail
    subprocess.run(finding.fix, shell=True, check=True)  # the fix, as printed
    assert doctor.check_private("state", state).status == "ok"


def test_wayland_without_xwayland_cannot_share_the_screen():
    finding = doctor.check_display({"WAYLAND_DISPLAY": "wayland-0"})
    assert finding.status == "FAIL" and "XWayland" in finding.fix


def test_wayland_with_xwayland_shares_monitors_with_a_warning(xvfb):
    finding = doctor.check_display({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": xvfb.name})
    assert finding.status == "warn"
    assert "XWayland" in finding.detail and "black" in finding.fix


def test_an_unreachable_display_fails():
    finding = doctor.check_display({"DISPLAY": ":98765"})
    assert finding.status == "FAIL" and ":98765" in finding.detail


def test_pipewire_without_its_pulse_server_says_what_to_install(tmp_path):
    (tmp_path / "pipewire-0").touch()
    finding = doctor.check_sound_server({"XDG_RUNTIME_DIR": str(tmp_path)}, timeout=1)
    assert finding.status == "FAIL" and "pipewire-pulse" in finding.fix


def test_an_echo_canceller_that_does_not_load_fails_with_its_fix():
    from gemini_live_tui.config import AudioSettings

    profile = Profile(audio=AudioSettings(aec_backend="no-such-canceller"))
    finding = doctor.check_echo_canceller(profile)
    assert finding.status == "FAIL" and "no-such-canceller" in finding.detail
    assert "aec_backend" in finding.fix


def test_a_portaudio_that_cannot_start_fails_the_audio_line(tmp_path):
    require_portaudio_library()
    broken = tmp_path / "alsa.conf"
    broken.write_text("this is { not an ALSA configuration\n")
    env = dict(os.environ, ALSA_CONFIG_PATH=str(broken), GEMINI_LIVE_BASE_URL=UNRESOLVABLE)
    done = subprocess.run(
        [*APP, "doctor", "--timeout", "2"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    status, line = report(done.stdout)["audio"]
    assert status == "FAIL" and "PortAudio could not start" in line, line
    assert "Traceback" not in done.stdout + done.stderr
