"""Ephemeral tokens: a fresh one per connection from a command, or one clear line.

The simulator accepts each token for one new session (resuming is not
starting), as the service does with `uses: 1`.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest
from expect import collect_until, phase, start_connected

from gemini_live_tui.backend import resolve_backend
from gemini_live_tui.live import events as ev
from gemini_live_tui.live.session import SessionSettings
from gemini_live_tui.live.transport import Credential
from gemini_live_tui.logs import mask
from gemini_live_tui.simulator import LiveSimulator

TOKEN_SCRIPT = """\
import sys
from pathlib import Path
counter = Path(sys.argv[1])
n = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(n))
if len(sys.argv) > 2:
    print(sys.argv[2], file=sys.stderr)
    sys.exit(3)
print(f"auth_tokens/fresh-{n}-0123456789")
"""


@pytest.fixture
async def token_sim(start_sim) -> LiveSimulator:
    simulator = await start_sim(api_key=None)  # any token
    simulator.one_use_tokens = True
    return simulator


def command(tmp_path: Path, *extra: str) -> str:
    script = tmp_path / "print_token.py"
    script.write_text(TOKEN_SCRIPT)
    return shlex.join([sys.executable, str(script), str(tmp_path / "count"), *extra])


async def test_a_token_command_gives_every_new_session_a_fresh_token(
    token_sim: LiveSimulator, make_session, tmp_path: Path
) -> None:
    env = {
        "GEMINI_EPHEMERAL_TOKEN_COMMAND": command(tmp_path),
        "GEMINI_LIVE_BASE_URL": token_sim.base_url,
    }
    backend = resolve_backend("models/gemini-3.1-flash-live-preview", env)
    session = make_session(endpoint=backend.endpoint, settings=SessionSettings(backoff_base=0.01))
    sub = await start_connected(session)
    await session.reconnect(fresh=True)  # a fresh session needs a new token
    await phase(sub, ev.Phase.CONNECTED)
    await session.send_text("hello")
    events = await collect_until(sub, ev.TurnComplete)
    assert any(isinstance(e, ev.ModelText) for e in events)
    await session.close()
    assert token_sim.tokens_used == {
        "Token auth_tokens/fresh-1-0123456789",
        "Token auth_tokens/fresh-2-0123456789",
    }
    assert "fresh-2" not in mask("auth_tokens/fresh-2-0123456789"), "masked in the log"


async def test_without_a_command_a_refused_token_says_what_to_do(
    token_sim: LiveSimulator, make_session
) -> None:
    session = make_session(
        server=token_sim,
        credential=Credential("ephemeral", "auth_tokens/only-once-0123456789"),
        settings=SessionSettings(backoff_base=0.01),
    )
    sub = await start_connected(session)
    await session.reconnect(fresh=True)  # as after ContextLost or /apply --fresh
    closed = await phase(sub, ev.Phase.CLOSED)
    assert closed.final
    assert "already been used" in (closed.reason or "")
    assert "GEMINI_EPHEMERAL_TOKEN_COMMAND" in (closed.reason or "")
    assert "\n" not in (closed.reason or "")
    assert "only-once" not in (closed.reason or "")


async def test_a_failing_token_command_is_a_failed_attempt_with_its_words(
    token_sim: LiveSimulator, make_session, tmp_path: Path
) -> None:
    env = {
        "GEMINI_EPHEMERAL_TOKEN_COMMAND": command(tmp_path, "not logged in"),
        "GEMINI_LIVE_BASE_URL": token_sim.base_url,
    }
    backend = resolve_backend("m", env)
    settings = SessionSettings(backoff_base=0.01, max_attempts=1)
    session = make_session(endpoint=backend.endpoint, settings=settings)
    sub = session.subscribe()
    await session.start()
    closed = await phase(sub, ev.Phase.CLOSED)
    assert "exit status 3: not logged in" in (closed.reason or "")
    assert token_sim.connections == [], "no connection without a token"
