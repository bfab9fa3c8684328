"""Key-to-frame timing for the TUI benchmarks, and the headless app they time.

A key goes in through the app's driver, as from a terminal (the pilot's own
`press` adds ~60 ms of fixed waits), and is timed to the first screen
refresh after its effect shows in the app's state. `simulator_app` is the
text-only app the key-echo benchmarks run against a loopback simulator.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual import events

from gemini_live_tui.live.events import Phase
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession
from gemini_live_tui.live.transport import Credential, Endpoint
from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp


async def key_to_frame(app: GeminiLiveApp, key: str, observe: Callable[[], object]) -> float:
    """Seconds from posting `key` to the first frame after `observe()` changed."""
    before = observe()
    done = asyncio.get_running_loop().create_future()
    start = time.perf_counter()
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))  # as a terminal would
    while observe() == before:
        await asyncio.sleep(0.0005)
    app.call_after_refresh(lambda: done.done() or done.set_result(None))
    await done
    return time.perf_counter() - start


async def echo(app: GeminiLiveApp) -> float:
    """Seconds from typing one "x" into the prompt to the frame that shows it."""
    return await key_to_frame(app, "x", lambda: len(app.prompt.value))


def simulator_app(base_url: str) -> GeminiLiveApp:
    """The app in text mode, its sessions going to the simulator at `base_url`."""

    async def factory(setup: Setup) -> LiveSession:
        endpoint = Endpoint.create(Credential("api_key", "k"), base_url=base_url)
        return LiveSession(endpoint, setup)

    options = AppOptions(
        label="bench",
        setup=Setup(model="models/bench", response_modalities=("TEXT",)),
        session_factory=factory,
        persist_history=False,
    )
    return GeminiLiveApp(options)


async def until_connected(app: GeminiLiveApp, pilot) -> None:  # noqa: ANN001
    while app.chat.phase is not Phase.CONNECTED:
        await pilot.pause(0.02)
