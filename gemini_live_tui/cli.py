"""The `gemini-live` command: parse arguments, pick the backend, run the app.

`--demo` starts the loopback simulator inside the app's event loop, so it
needs no key, no network, no sound card and no display.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .backend import (
    NO_CREDENTIAL_HELP,
    Backend,
    BackendError,
    resolve_backend,
    vertex_model_name,
)
from .config import (
    VOICE,
    Config,
    ConfigError,
    Profile,
    load_config,
    normalize_model,
    profile_path,
    state_dir,
)
from .environment import current_environment, read_environment, use_environment
from .live.messages import Setup
from .live.model_setup import fit_setup
from .live.models import lookup, table_lines
from .logs import register_environment_secrets, register_secret

if TYPE_CHECKING:  # the session and the app load after argument parsing, when needed
    from .live.session import LiveSession
    from .tools import ToolRegistry
    from .tui.app import AppOptions, GeminiLiveApp

DEMO_KEY = "demo-key"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gemini-live", description="Talk to a Gemini Live model from the terminal."
    )
    parser.add_argument("--version", action="version", version=f"gemini-live {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="use the offline simulator (no API key needed)"
    )
    parser.add_argument("--profile", default="default", help="profile name (default: default)")
    parser.add_argument("--model", help="model name, e.g. gemini-3.8-live (`gemini-live models`)")
    parser.add_argument("--voice", help="prebuilt voice name, e.g. Puck")
    parser.add_argument(
        "--text",
        action="store_true",
        help="read the replies: the speaker stays off and the model's speech is shown as text",
    )
    parser.add_argument(
        "--workspace",
        metavar="DIR",
        help="folder the file tools may read (default: the current folder, unless it is $HOME)",
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("config", help="print the path of the profile file")
    models = sub.add_parser("models", help="list the Live models and what each takes")
    models.add_argument(
        "--backend", choices=("gemini", "vertex"), help="only the models of one backend"
    )
    simulate = sub.add_parser("simulate", help="run the Live API simulator on loopback")
    simulate.add_argument("--port", type=int, default=8765)
    simulate.add_argument("--api-key", default=None, help="require this key (default: any)")
    simulate.add_argument("--model", help="play this Live model: refuse what the service refuses")
    simulate.add_argument("--backend", choices=("gemini-api", "vertex"), default="gemini-api")
    sub.add_parser("update", help="upgrade an installation made by install.sh")
    doctor = sub.add_parser("doctor", help="check credentials, network, audio, display, files")
    doctor.add_argument("--timeout", type=float, default=5.0, help="seconds per network check")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    use_environment(read_environment())  # the one read of the environment
    register_environment_secrets()  # masked in every message from here on
    if args.command == "config":
        try:
            print(profile_path(args.profile))
        except ConfigError as error:
            print(f"gemini-live: {error}", file=sys.stderr)
            return 2
        return 0
    if args.command == "update":
        return _update()
    if args.command == "doctor":
        from .doctor import main as doctor

        return doctor(args.profile, args.timeout)
    if args.command == "models":
        print("\n".join(table_lines(args.backend)))
        return 0
    if args.command == "simulate":
        return _simulate(args.port, args.api_key, args.model, args.backend)
    try:
        config = load_config(args.profile)
    except ConfigError as error:
        return start_failed(str(error))
    from .crash import crash_safe
    from .logs import setup_file_logging
    from .tui.app import GeminiLiveApp

    try:
        options = build_options(args, config)
    except ConfigError as error:
        return start_failed(str(error))
    try:
        log_file = setup_file_logging()
    except OSError as error:
        return start_failed(f"cannot use the state folder {state_dir()}: {_why(error)}")
    return _run_app(crash_safe(GeminiLiveApp)(options), log_file)


def start_failed(message: str, command: str = "gemini-live") -> int:
    """One line on stderr, the same in the log file when the state folder allows it; exit 2.
    A credential the line would quote (a key pasted into the wrong setting) is masked."""
    from .logs import mask, setup_file_logging

    print(f"{command}: {mask(message)}", file=sys.stderr)

    try:
        setup_file_logging()
    except OSError:
        return 2  # the state folder itself is the problem: the line above is all there is
    logging.getLogger(__name__).error("%s: start-up failed: %s", command, message)
    return 2


def _why(error: OSError) -> str:
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"


def _run_app(app: GeminiLiveApp, log_file: Path) -> int:
    """Run the app; a crash is logged masked and told in one line once the terminal is back."""
    from .crash import crash_guard, crash_line
    from .native_stderr import native_stderr_to

    crash: BaseException | None = None
    # PortAudio/ALSA print from C on fd 2: keep it off the screen (in the log)
    with native_stderr_to(log_file), crash_guard():
        try:
            app.run()
        except Exception as error:  # outside Textual's own handler (start-up, shutdown)
            logging.getLogger(__name__).error("the app failed", exc_info=error)
            crash = error
    crash = getattr(app, "crash", None) or crash
    if crash is not None:
        print(crash_line(crash, log_file), file=sys.stderr)
        return 1
    return 0


def build_options(args: argparse.Namespace, config: Config | Profile) -> AppOptions:
    """The app's options from the command line and the configuration loaded at start
    (a bare `Profile` has the environment applied already; it is taken with the
    environment of the start).

    The setup is fitted to its model (`live.model_setup.fit_setup`): `--text`
    (or the profile's `text_only`) asks for text replies, which every current
    Live model gives as the transcript of its audio, with the speaker kept off.
    """
    from .profile_rules import check_profile
    from .tools import ToolError, Workspace, builtin_registry
    from .tui.app import AppOptions
    from .tui.voice_setup import voice_activity_config

    if isinstance(config, Profile):
        config = Config(args.profile, profile_path(args.profile), config, current_environment())
    profile, environment = config.profile, config.environment
    voice = args.voice or profile.voice
    if args.voice:
        try:
            voice = VOICE(args.voice)
        except ValueError as error:
            raise ConfigError(f"--voice {args.voice!r}: {error}") from None
    model = normalize_model(args.model or profile.model)
    text_only = bool(args.text or profile.text_only)
    chosen = args.workspace or profile.workspace
    try:
        workspace = Workspace.for_launch(Path.cwd(), Path.home(), chosen)
    except ToolError as error:
        where = "--workspace" if args.workspace else f"{config.path}: workspace"
        raise ConfigError(f"{where}: {chosen!r} is not a folder") from error
    registry = builtin_registry(workspace)
    check_profile(profile, config.path, registry.names())
    enabled = frozenset(registry.default_enabled() if profile.tools is None else profile.tools)
    audio = replace(profile.audio, speaker_autostart=False) if text_only else profile.audio
    setup = Setup(
        model=model,
        response_modalities=("TEXT",) if text_only else ("AUDIO",),
        voice_name=voice,
        language_code=profile.language,
        system_instruction=profile.system_instruction,
        thinking_level=profile.thinking_level,
        voice_activity=voice_activity_config(profile.audio),
    )
    common = dict(
        profile=args.profile,
        greeting=profile.greeting,
        tools=enabled,
        registry=registry,
        audio=audio,
        saved_profile=profile,
        first_paint_file=environment.first_paint_file,
    )
    workspace_notices = (workspace.unset,) if workspace.unset else ()
    if args.demo:
        fitted = _fitted(setup, registry, enabled)
        return AppOptions(
            label=f"demo · {model}",
            session_factory=_demo_factory(),
            setup=fitted,
            notices=(
                *config.notices,
                *_model_warnings(fitted, profile.thinking_level),
                *workspace_notices,
            ),
            **common,
        )
    try:
        backend = resolve_backend(model, environment.backend())
    except BackendError as error:
        fitted = _fitted(setup, registry, enabled)
        # offline: how to get a credential comes after the model's notices, unless it is the error
        help_line = () if str(error) == NO_CREDENTIAL_HELP else (NO_CREDENTIAL_HELP,)
        return AppOptions(
            label=model,
            notice=str(error),
            setup=fitted,
            notices=(
                *config.notices,
                *_model_warnings(fitted, profile.thinking_level),
                *help_line,
                *workspace_notices,
            ),
            **common,
        )
    register_secret(backend.endpoint.credential.secret)  # e.g. read from a key file
    fitted = _fitted(replace(setup, model=backend.model), registry, enabled)
    return AppOptions(
        label=backend.label,
        session_factory=_factory(backend),
        model_name=_model_namer(backend),
        setup=fitted,
        notices=(
                *config.notices,
                *_model_warnings(fitted, profile.thinking_level),
                *workspace_notices,
            ),
        **common,
    )


def _fitted(setup: Setup, registry: ToolRegistry, enabled: frozenset[str]) -> Setup:
    """`setup` with the enabled tools declared and every field fitted to its model."""
    from .tools import supports_non_blocking

    non_blocking = supports_non_blocking(setup.model)
    tools = registry.declarations(sorted(enabled), non_blocking=non_blocking)
    return fit_setup(replace(setup, tools=tuple(tools)))


def _model_warnings(setup: Setup, level: str | None) -> tuple[str, ...]:
    """One line each: a model the catalog does not know (it is still used), and the
    profile's thinking level where the model takes none."""
    spec = lookup(setup.model)
    lines = [spec.notice] if spec.notice else []
    if level and setup.thinking_level is None and setup.thinking_budget is None:
        lines.append(f"{spec.name} takes no thinking level: the profile's {level!r} is not sent")
    return tuple(lines)


def _model_namer(backend: Backend):
    """How `/model NAME` is spelt for this backend (Vertex wants the resource name)."""
    if not backend.model.startswith("projects/"):
        return normalize_model
    prefix = backend.model.split("/publishers/", 1)[0]  # projects/P/locations/L
    _, project, _, location = prefix.split("/")[:4]
    return lambda name: vertex_model_name(name, project, location)


def _factory(backend: Backend):
    async def make(setup: Setup) -> LiveSession:
        from .live.session import LiveSession

        return LiveSession(backend.endpoint, setup)

    return make


def _demo_factory():
    async def make(setup: Setup) -> LiveSession:
        from .live.session import LiveSession
        from .live.transport import Credential, Endpoint
        from .simulator import LiveSimulator

        # record=False: a demo may run for hours; media is counted, not kept
        simulator = await LiveSimulator(api_key=DEMO_KEY, record=False).start()
        endpoint = Endpoint.create(Credential("api_key", DEMO_KEY), base_url=simulator.base_url)
        return LiveSession(endpoint, setup)

    return make


def _update() -> int:
    from .selfupdate import UpdateError, read_receipt, update

    try:
        print(update(read_receipt()))
    except UpdateError as error:
        print(f"gemini-live update: {error}", file=sys.stderr)
        return 1
    return 0


def _simulate(port: int, api_key: str | None, model: str | None, backend: str) -> int:
    from .simulator import LiveSimulator
    from .simulator.personas import Persona

    try:
        persona = (
            Persona(model.removeprefix("models/"), backend.replace("-", "_")) if model else None
        )
    except ValueError as error:
        return start_failed(str(error), "gemini-live simulate")
    if not 0 <= port <= 65535:
        return start_failed(f"--port {port} is not a port number (0–65535)", "gemini-live simulate")

    async def serve() -> None:
        async with LiveSimulator(
            api_key=api_key, port=port, record=False, persona=persona
        ) as simulator:
            playing = f", playing {persona.label}" if persona else ""
            print(f"Live API simulator listening on {simulator.base_url}{playing}", flush=True)
            await asyncio.Event().wait()

    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve())
    except OSError as error:  # the port is taken, or not ours to bind
        reason = error.strerror or str(error)
        return start_failed(f"cannot listen on port {port}: {reason}", "gemini-live simulate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
