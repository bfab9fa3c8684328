"""Suite-wide settings and fixtures.

- Hypothesis profiles: the normal run uses 200 examples per property;
  `GEMINI_LIVE_FUZZ=nightly` uses 10,000 per property (input parser,
  slash-command parser, server-message decoder, and every other @given test)
  and lifts the suite's 300 s per-test timeout for those tests. A test that
  sets its own `max_examples` (one that starts an app per example) keeps it.
- Every test gets private config and state folders and no credential from the
  environment (`isolated_dirs`, autouse), so the user's home is never touched.
- `sim`: the simulator on loopback; `start_sim(cls, **options)` starts more
  (a test's fault subclass, another key or persona); `sim_options` (a
  folder's conftest may override it) sets theirs. Every frame a client sent
  to any of them is validated at teardown against google-genai's
  `LiveClientMessage` (unknown fields forbidden): a misspelt field fails the
  test that sent it, whatever area it is in (tests/livesim.py).
- `make_session(**setup)`: a session on `sim` (or `server=`), closed at teardown;
  `make_app(...)`: the real app wired to `sim`.
- Simulators play a persona (simulator/personas.py): `@pytest.mark.persona(MODEL, BACKEND)`
  picks one (strict); without the marker, gemini-3.8-live on the Gemini API holds
  setups naming it to its rules. Vertex personas' frames are also run through
  google-genai's Vertex converter.
- `shared_dir`: a folder another user (`nobody`, tests/nobody.py) can reach.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from livesim import MODEL, SIM_KEY, assert_frames_valid, session_factory, session_on

from gemini_live_tui.environment import (
    BACKEND_ENV,
    FIRST_PAINT_ENV,
    MODEL_ENV,
    VOICE_ENV,
    use_environment,
)
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession, SessionSettings
from gemini_live_tui.live.transport import Credential, Endpoint
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.simulator.personas import GEMINI_API, Persona
from gemini_live_tui.tools import builtin_registry
from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp

settings.register_profile(
    "default", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "nightly", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck)
)
FUZZ_PROFILE = os.environ.get("GEMINI_LIVE_FUZZ", "default")
settings.load_profile(FUZZ_PROFILE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Nightly fuzzing: no per-test timeout on property tests (10,000 examples take a while)."""
    if FUZZ_PROFILE != "nightly":
        return
    for item in items:
        if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.timeout(0))  # a test's own timeout marker still wins


CREDENTIAL_ENV = (*BACKEND_ENV, MODEL_ENV, VOICE_ENV, FIRST_PAINT_ENV)


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """Config and state folders under tmp_path; no credential in the environment.

    A test that runs the command's start-up in-process (`cli.main`) leaves its
    environment snapshot behind: it is dropped after the test, so the next one
    sees its own environment."""
    dirs = {"config": tmp_path / "config", "state": tmp_path / "state", "cwd": tmp_path / "cwd"}
    dirs["cwd"].mkdir()
    monkeypatch.setenv("GEMINI_LIVE_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.setenv("GEMINI_LIVE_STATE_DIR", str(dirs["state"]))
    for name in CREDENTIAL_ENV:
        monkeypatch.delenv(name, raising=False)
    use_environment(None)
    yield dirs
    use_environment(None)


@pytest.fixture
def kept_logging() -> Iterator[None]:
    """The root logger's handlers and level put back after a test that set up the log file."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder outside pytest's private 0700 tmp tree, so `nobody` can reach it."""
    base = Path(tempfile.mkdtemp(prefix="gl-perm-", dir="/tmp"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base)


def persona_of(request: pytest.FixtureRequest) -> Persona:
    """`@pytest.mark.persona(MODEL, BACKEND)` (strict), else gemini-3.8-live, lenient: only
    setups naming it are held to its rules, other model names are served as before."""
    marker = request.node.get_closest_marker("persona")
    if marker is None:
        return Persona("gemini-3.8-live", GEMINI_API, strict=False)
    return Persona(*marker.args, **marker.kwargs)


@pytest.fixture
def sim_options() -> dict[str, Any]:
    """Options for every simulator a test starts; a folder's conftest may override them."""
    return {}


@pytest.fixture
async def start_sim(
    request: pytest.FixtureRequest, sim_options: dict[str, Any]
) -> AsyncIterator[Callable[..., Awaitable[LiveSimulator]]]:
    """`await start_sim(cls=LiveSimulator, **options)`: a simulator (of a test's own fault
    subclass) on loopback, stopped and its frames validated when the test ends; with
    `check_frames=False` (a test sending frames the service refuses, on purpose) not."""
    started: list[tuple[LiveSimulator, bool]] = []

    async def start(
        cls: type[LiveSimulator] = LiveSimulator, *, check_frames: bool = True, **options: Any
    ) -> LiveSimulator:
        defaults = {"api_key": SIM_KEY, "word_delay": 0.0, "persona": persona_of(request)}
        simulator = await cls(**(defaults | sim_options | options)).start()
        started.append((simulator, check_frames))
        return simulator

    yield start
    for simulator, _ in started:
        await simulator.stop()
    for simulator, check_frames in started:
        if check_frames:
            assert_frames_valid(simulator)


@pytest.fixture
async def sim(start_sim: Callable[..., Awaitable[LiveSimulator]]) -> LiveSimulator:
    """The simulator on loopback that a test's sessions and app talk to."""
    return await start_sim()


@pytest.fixture
async def make_session(sim: LiveSimulator) -> AsyncIterator[Callable[..., LiveSession]]:
    """`make_session(server=, credential=, endpoint=, key=, modalities=, settings=, **setup)`:
    a session (not started) on `sim` or `server`, closed when the test ends."""
    sessions: list[LiveSession] = []

    def make(
        *,
        key: str = SIM_KEY,
        modalities: tuple[str, ...] = ("TEXT",),
        settings: SessionSettings | None = None,
        server: LiveSimulator | None = None,
        credential: Credential | None = None,
        endpoint: Endpoint | None = None,
        **setup: Any,
    ) -> LiveSession:
        settings = settings or SessionSettings(backoff_base=0.01, backoff_cap=0.05)
        full = Setup(model=MODEL, response_modalities=modalities, **setup)
        if endpoint is not None:
            session = LiveSession(endpoint, full, settings)
        else:
            base_url = (server or sim).base_url
            session = session_on(base_url, full, key=key, credential=credential, settings=settings)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        await session.close()


@pytest.fixture
def make_app(sim: LiveSimulator, isolated_dirs: dict[str, Path]) -> Callable[..., GeminiLiveApp]:
    """An app wired to the simulator: `make_app(text=True, greeting=…, setup=…)`."""

    def make(
        *,
        text: bool = True,
        setup: Setup | None = None,
        connect: bool = True,
        **options: Any,
    ) -> GeminiLiveApp:
        registry = builtin_registry(isolated_dirs["cwd"])
        factory = session_factory(sim.base_url, settings=SessionSettings(backoff_base=0.01))
        base = setup or Setup(
            model=MODEL,
            response_modalities=("TEXT",) if text else ("AUDIO",),
        )
        enabled = frozenset(registry.default_enabled())
        base = replace(base, tools=tuple(registry.declarations(sorted(enabled))))
        defaults: dict[str, Any] = dict(
            label="test-model",
            setup=base,
            session_factory=factory if connect else None,
            registry=registry,
            tools=enabled,
            cwd=isolated_dirs["cwd"],
            home=isolated_dirs["cwd"].parent,
        )
        defaults.update(options)
        return GeminiLiveApp(AppOptions(**defaults))

    return make
