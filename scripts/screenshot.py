"""Make docs/screenshot.svg: the real app against the simulator, exported by Textual.

Run: uv run python scripts/screenshot.py
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from PIL import Image

from gemini_live_tui.live.events import Phase
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession
from gemini_live_tui.live.transport import Credential, Endpoint
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.tools import builtin_registry
from gemini_live_tui.tui.app import AppOptions, GeminiLiveApp

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshot.svg"


async def until(pilot, predicate, timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("the app did not get there")
        await pilot.pause(0.05)


async def main() -> None:
    workdir = Path(tempfile.mkdtemp())
    os.environ.setdefault("GEMINI_LIVE_STATE_DIR", str(workdir / "state"))
    os.environ.setdefault("GEMINI_LIVE_CONFIG_DIR", str(workdir / "config"))
    Image.new("RGB", (640, 480), (200, 120, 40)).save(workdir / "photo.jpg", quality=90)
    async with LiveSimulator(api_key="k", word_delay=0.0) as sim:

        async def factory(setup: Setup) -> LiveSession:
            endpoint = Endpoint.create(Credential("api_key", "k"), base_url=sim.base_url)
            return LiveSession(endpoint, setup)

        registry = builtin_registry(workdir)
        tools = frozenset(registry.default_enabled())
        app = GeminiLiveApp(
            AppOptions(
                label="models/gemini-3.1-flash-live-preview",
                setup=Setup(
                    model="models/gemini-3.1-flash-live-preview",
                    response_modalities=("TEXT",),
                    tools=tuple(registry.declarations(sorted(tools))),
                ),
                session_factory=factory,
                registry=registry,
                tools=tools,
                cwd=workdir,
                home=workdir,
                persist_history=False,
            )
        )
        async with app.run_test(size=(100, 30)) as pilot:
            await until(pilot, lambda: app.chat.phase is Phase.CONNECTED)
            for line in ("hello", "@photo.jpg what do you see in this image?"):
                app.prompt.value = line
                await pilot.press("enter")
                await until(pilot, lambda: not app.chat.reply and len(sim.texts()) >= 1)
                await pilot.pause(0.5)
            await sim.call_tool("set_timer", {"seconds": 30, "label": "tea"})
            await pilot.pause(1.0)
            app.prompt.value = "/share-screen list"
            await pilot.pause(0.3)
            app.save_screenshot(str(OUT.name), str(OUT.parent))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    asyncio.run(main())
