"""The `gemini-live` command: parse arguments, pick the backend, run the app.

`--demo` starts the loopback simulator inside the app's event loop, so it
needs no key, no network, no sound card and no display.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence

from . import __version__
from .backend import Backend, BackendError, resolve_backend
from .config import ConfigError, apply_env, config_dir, load_profile, normalize_model
from .live.messages import Setup
from .live.session import LiveSession
from .live.transport import Credential, Endpoint

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
    parser.add_argument("--model", help="model name, e.g. gemini-3.1-flash-live-preview")
    parser.add_argument("--voice", help="prebuilt voice name, e.g. Puck")
    parser.add_argument("--text", action="store_true", help="text replies instead of audio")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("config", help="print the config folder")
    simulate = sub.add_parser("simulate", help="run the Live API simulator on loopback")
    simulate.add_argument("--port", type=int, default=8765)
    simulate.add_argument("--api-key", default=None, help="require this key (default: any)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "config":
        print(config_dir())
        return 0
    if args.command == "simulate":
        return _simulate(args.port, args.api_key)
    try:
        profile = apply_env(load_profile(args.profile))
    except ConfigError as error:
        print(f"gemini-live: {error}", file=sys.stderr)
        return 2
    model = normalize_model(args.model or profile.model)
    setup = Setup(
        model=model,
        response_modalities=("TEXT",) if (args.text or profile.text_only) else ("AUDIO",),
        voice_name=args.voice or profile.voice,
        system_instruction=profile.system_instruction,
    )
    from .tui.app import GeminiLiveApp

    if args.demo:
        app = GeminiLiveApp(_demo_factory(setup), label=f"demo · {model}")
    else:
        try:
            backend = resolve_backend(model)
        except BackendError as error:
            app = GeminiLiveApp(None, label=model, notice=str(error))
        else:
            app = GeminiLiveApp(_factory(backend, setup), label=backend.label)
    app.run()
    return 0


def _factory(backend: Backend, setup: Setup):
    async def make() -> LiveSession:
        from dataclasses import replace

        return LiveSession(backend.endpoint, replace(setup, model=backend.model))

    return make


def _demo_factory(setup: Setup):
    async def make() -> LiveSession:
        from .simulator import LiveSimulator

        simulator = await LiveSimulator(api_key=DEMO_KEY).start()
        endpoint = Endpoint.create(Credential("api_key", DEMO_KEY), base_url=simulator.base_url)
        return LiveSession(endpoint, setup)

    return make


def _simulate(port: int, api_key: str | None) -> int:
    from .simulator import LiveSimulator

    async def serve() -> None:
        async with LiveSimulator(api_key=api_key, port=port) as simulator:
            print(f"Live API simulator listening on {simulator.base_url}", flush=True)
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
