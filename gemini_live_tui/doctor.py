"""`gemini-live doctor`: checks the pieces the app relies on, one line each, with a fix.

When voice stays silent or the app never connects, the cause is usually on
the machine, not in the app: no credential, no route to the service, no
PortAudio, no sound server, no display, a hand-edited profile, folders that
others can read. Each check here tries the real thing the app would do (load
PortAudio, resolve and open TLS to the endpoint, open the X display and grab
a few pixels, run the echo canceller on one frame) and reports it in one
line: ``ok``, ``warn`` (works, with a limit worth knowing) or ``FAIL`` with
what to do. Any ``FAIL`` makes the exit status 1.

No credential leaves the machine: the endpoint check resolves the host and
completes a TLS handshake, and sends nothing. Secrets are shown masked.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import ssl
import stat
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from .backend import BackendError, resolve_backend
from .config import ConfigError, Profile, config_dir, load_profile, profile_path, state_dir
from .environment import current_environment
from .live.transport import BASE_URL_ENV, Credential, default_base_url, mask_secret

Status = Literal["ok", "warn", "FAIL"]
DEFAULT_TIMEOUT = 5.0

BACKEND_NAMES = {"api_key": "Gemini API key", "ephemeral": "ephemeral token", "vertex": "Vertex AI"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's outcome: what was found and, when it is not ok, what to do."""

    check: str
    status: Status
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.check:<14}{self.detail}"
        return f"{text} — fix: {self.fix}" if self.fix else text


def ok(check: str, detail: str) -> Finding:
    return Finding(check, "ok", detail)


def warn(check: str, detail: str, fix: str) -> Finding:
    return Finding(check, "warn", detail, fix)


def fail(check: str, detail: str, fix: str) -> Finding:
    return Finding(check, "FAIL", detail, fix)


# -- credentials and the endpoint -------------------------------------------------------


def _credential_source(kind: str, env: dict[str, str]) -> str:
    if kind == "ephemeral":
        return "GEMINI_EPHEMERAL_TOKEN"
    if kind == "vertex":
        return (
            "VERTEX_AUTH=adc"
            if env.get("VERTEX_AUTH", "").lower() == "adc"
            else ("VERTEX_AI_ACCESS_TOKEN")
        )
    for name in ("GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINI_API_KEY_FILE"):
        if env.get(name):
            return name
    return "the environment"


def check_credentials(profile: Profile, env: dict[str, str]) -> tuple[Finding, str, str]:
    """The credential line, plus the URL and auth kind the endpoint check should try."""
    try:
        backend = resolve_backend(profile.model, env)
    except BackendError as error:
        url = env.get(BASE_URL_ENV) or default_base_url("api_key")
        kind = "vertex" if env.get("LIVE_BACKEND", "").lower() == "vertex" else "api_key"
        first, _, rest = str(error).partition(". ")
        fix = rest.split(" Try ")[0] or "see the Credentials table in docs/cli.md"
        return fail("credentials", first, fix), url, kind
    credential: Credential = backend.endpoint.credential
    shown = mask_secret(credential.secret) if credential.secret else "refreshed by google-auth"
    detail = (
        f"{BACKEND_NAMES[credential.kind]} {shown} from "
        f"{_credential_source(credential.kind, env)}; model {backend.label}"
    )
    return ok("credentials", detail), backend.endpoint.url, credential.kind


def _resolve(host: str, port: int, timeout: float) -> list[str]:
    """getaddrinfo with a deadline (it has none of its own): addresses, or raises."""
    outcome: list[object] = []

    def lookup() -> None:
        try:
            outcome.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as error:
            outcome.append(error)

    thread = threading.Thread(target=lookup, daemon=True, name="doctor-dns")
    thread.start()
    thread.join(timeout)
    if not outcome:
        raise TimeoutError(f"no answer within {timeout:g} s")
    if isinstance(outcome[0], OSError):
        raise outcome[0]
    return sorted({str(info[4][0]) for info in outcome[0]})  # type: ignore[union-attr,attr-defined]


def check_endpoint(url: str, timeout: float = DEFAULT_TIMEOUT) -> list[Finding]:
    """The endpoint's name resolves and a TLS handshake with it completes (nothing is sent)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "wss"
    port = parts.port or (443 if secure else 80)
    where = f"{host}:{port}"
    try:
        addresses = _resolve(host, port, timeout)
    except (OSError, TimeoutError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return [
            fail(
                "endpoint DNS",
                f"cannot resolve {host} ({reason})",
                f"check the network and DNS (a proxy or VPN?), or {BASE_URL_ENV}",
            )
        ]
    found = [ok("endpoint DNS", f"{host} is {', '.join(addresses[:3])}")]
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            if not secure:
                found.append(ok("endpoint TLS", f"{where} answers (plain ws:// to loopback)"))
                return found
            context = ssl.create_default_context()
            with context.wrap_socket(raw, server_hostname=host) as tls:
                found.append(ok("endpoint TLS", f"{where} {tls.version()}, certificate valid"))
    except ssl.SSLCertVerificationError as error:
        found.append(
            fail(
                "endpoint TLS",
                f"{where}: certificate not trusted ({error.verify_message or error.reason})",
                "a proxy that intercepts TLS needs its CA in SSL_CERT_FILE; check the clock",
            )
        )
    except (OSError, ssl.SSLError) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        found.append(
            fail(
                "endpoint TLS",
                f"{where} unreachable ({reason})",
                f"check the network, firewall or proxy; the app needs outgoing port {port}",
            )
        )
    return found


# -- audio --------------------------------------------------------------------------------


def _quiet_stderr() -> contextlib.AbstractContextManager[None]:
    """PortAudio and ALSA print probing noise from C on fd 2: keep it off the report."""
    from .native_stderr import native_stderr_to

    return native_stderr_to(Path(os.devnull))


def check_portaudio(profile: Profile) -> Finding:
    """PortAudio loads and the profile's (or the default) microphone and speaker exist."""
    from .media.audio.devices import portaudio, resolve_device
    from .media.errors import DeviceError

    try:
        with _quiet_stderr():
            sd = portaudio()
            version = sd.get_portaudio_version()[1].split(",")[0]
            mic = resolve_device(profile.audio.mic_device, "input")
            speaker = resolve_device(profile.audio.speaker_device, "output")
    except DeviceError as error:
        if "PortAudio library" in str(error):
            return fail(
                "audio",
                "PortAudio not found: voice (/mic, /speak) is off",
                "install libportaudio2 (Debian/Ubuntu), portaudio (Fedora, Homebrew)",
            )
        return fail(
            "audio",
            str(error).split(". ")[0],
            "start the sound server, plug a device in, or pick one with /mic devices",
        )
    return ok("audio", f"{version}: microphone {mic.name!r}, speaker {speaker.name!r}")


def _pulse_socket(env: dict[str, str]) -> str | None:
    server = env.get("PULSE_SERVER", "")
    if server:
        for part in server.split():  # a list of servers: the first unix one
            if part.startswith("unix:"):
                return part.removeprefix("unix:")
            if part.startswith("/"):
                return part
        return None
    runtime = env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    return str(Path(runtime) / "pulse" / "native")


def _server_name(env: dict[str, str], timeout: float) -> str | None:
    if shutil.which("pactl") is None:
        return None
    try:
        done = subprocess.run(
            ["pactl", "info"], env=env, capture_output=True, text=True, timeout=timeout
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in done.stdout.splitlines():
        if line.startswith("Server Name:"):
            return line.split(":", 1)[1].strip()
    return None


def check_sound_server(env: dict[str, str], timeout: float = DEFAULT_TIMEOUT) -> Finding:
    """A PulseAudio (or PipeWire's pulse) server answers on its socket."""
    server = env.get("PULSE_SERVER", "")
    path = _pulse_socket(env)
    if path is None:
        return ok("sound server", f"PULSE_SERVER={server} (a network server: not checked)")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(timeout)
            probe.connect(path)
    except OSError as error:
        runtime = Path(env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}")
        if (runtime / "pipewire-0").exists():
            return fail(
                "sound server",
                f"PipeWire runs but nothing answers at {path}",
                "install and start pipewire-pulse (systemctl --user start pipewire-pulse)",
            )
        return fail(
            "sound server",
            f"no PulseAudio or PipeWire at {path} ({error.strerror or error})",
            "start PulseAudio (pulseaudio --start) or PipeWire with pipewire-pulse, "
            "or set PULSE_SERVER",
        )
    name = _server_name(env, timeout)
    return ok("sound server", f"{path} answers" + (f" (server: {name})" if name else ""))


def check_echo_canceller(profile: Profile) -> Finding:
    """The profile's echo canceller loads and processes one 10 ms frame."""
    from .media.audio.aec import EchoCanceller

    backend = profile.audio.aec_backend
    frame = bytes(320)  # 10 ms of 16 kHz silence
    try:
        canceller = EchoCanceller(16000, backend=backend)
        canceller.process_render(frame)
        canceller.process_capture(frame)
    except Exception as error:  # an import or FFI failure of the chosen library
        fix = (
            "install the extra: uv tool install 'gemini-live-tui[webrtc-legacy]' (Python 3.11), "
            'or set [audio] aec_backend = "aec3"'
            if backend == "webrtc-legacy"
            else 'reinstall gemini-live (./install.sh), or set [audio] aec_backend = "none" '
            "with headphones"
        )
        return fail("echo cancel", f"{backend} does not load: {error}", fix)
    if backend == "none":
        return warn(
            "echo cancel",
            'off ([audio] aec_backend = "none")',
            'fine with headphones; set "aec3" for speakers',
        )
    return ok("echo cancel", f"{backend} loads and runs")


# -- screen -------------------------------------------------------------------------------


def check_display(env: dict[str, str]) -> Finding:
    """An X display (or XWayland) is reachable and gives pixels: screen sharing can work."""
    from .media.errors import DeviceError
    from .media.screen import targets as screen_targets

    wayland = env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland"
    display = env.get("DISPLAY", "")
    if not display:
        if wayland:
            return fail(
                "display",
                "Wayland without XWayland (DISPLAY unset): screen sharing cannot capture",
                "enable XWayland in your compositor, or log in to an X11 session",
            )
        return fail(
            "display",
            "no display (DISPLAY unset): /share-screen is off; text and voice work",
            "run inside a graphical session, or set DISPLAY (e.g. DISPLAY=:0); over SSH use ssh -X",
        )
    try:
        with screen_targets.open_mss(display) as grabber:
            monitors = screen_targets.monitor_targets(grabber.monitors)
            first = monitors[0] if monitors else None
            if first is not None:
                grabber.grab({"left": first.left, "top": first.top, "width": 8, "height": 8})
    except DeviceError as error:
        return fail(
            "display",
            str(error).split(" (")[0],
            "check that the X server runs and that this user may connect (XAUTHORITY, xhost)",
        )
    except Exception as error:  # mss raises its own ScreenShotError on a grab
        return fail(
            "display",
            f"X display {display} gives no pixels ({error})",
            "check the X server's permissions (XAUTHORITY, xhost)",
        )
    sizes = ", ".join(f"{m.width}×{m.height}" for m in monitors if m.id != "m0")
    count = f"{len(monitors)} monitor" + ("s" if len(monitors) != 1 else "")
    detail = f"X display {display}: {count} {sizes}, capture works"
    if wayland:
        return warn(
            "display",
            f"{detail} through XWayland",
            "native Wayland windows may capture as black: share a monitor",
        )
    return ok("display", detail)


# -- profile and private folders ----------------------------------------------------------


def check_profile(name: str) -> tuple[Finding, Profile]:
    notices: list[str] = []
    try:
        path = profile_path(name)
        profile = load_profile(name, notices)
    except ConfigError as error:
        return fail(
            "profile",
            str(error),
            "edit the file (the line is named), or move it away to start from the defaults",
        ), Profile()
    if not path.exists():
        return ok("profile", f"{name}: no file yet, defaults ({path})"), profile
    if notices:
        more = f" (and {len(notices) - 1} more)" if len(notices) > 1 else ""
        return warn(
            "profile", f"{notices[0]}{more}", "rename or remove the key: the app ignores it"
        ), profile
    return ok("profile", f"{name}: {path} parses"), profile


def _readable_by_others(path: Path) -> bool:
    try:
        info = path.lstat()
    except OSError:  # gone while we looked
        return False
    return not stat.S_ISLNK(info.st_mode) and bool(info.st_mode & 0o077)


def check_private(label: str, folder: Path) -> Finding:
    """The folder is 0700 and every file in it 0600 (logs and history hold conversations)."""
    check = f"{label} folder"
    if not folder.exists():
        return ok(check, f"{folder} (not made yet; it will be 0700)")
    exposed: list[Path] = [folder] if _readable_by_others(folder) else []
    for root, dirs, files in os.walk(folder):
        exposed += [p for n in (*dirs, *files) if _readable_by_others(p := Path(root) / n)]
    if not exposed:
        return ok(check, f"{folder} is private")
    shown = ", ".join(str(p) for p in exposed[:3]) + (" …" if len(exposed) > 3 else "")
    return fail(
        check,
        f"others can read {shown}",
        f"chmod -R go-rwx {folder}",
    )


# -- all together -------------------------------------------------------------------------


def run_checks(
    profile_name: str = "default",
    env: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[Finding]:
    """Every check, in the order a user would fix them."""
    env = dict(current_environment().variables if env is None else env)
    profile_finding, profile = check_profile(profile_name)
    credential_finding, url, _ = check_credentials(profile, env)
    findings = [credential_finding, *check_endpoint(url, timeout)]
    findings += [
        check_portaudio(profile),
        check_sound_server(env, timeout),
        check_echo_canceller(profile),
        check_display(env),
        profile_finding,
        check_private("config", config_dir()),
        check_private("state", state_dir()),
    ]
    return findings


def main(profile_name: str = "default", timeout: float = DEFAULT_TIMEOUT) -> int:
    """Print one line per check; 1 when any failed."""
    findings = run_checks(profile_name, timeout=timeout)
    for finding in findings:
        print(finding.line(), flush=True)
    failed = sum(f.status == "FAIL" for f in findings)
    print(f"{failed} check(s) failed" if failed else "all checks passed")
    return 1 if failed else 0
