"""/share-screen end to end: real app, real Xvfb display, frames counted at the simulator.

What a user would notice: the listing shows the monitor and windows; the
model receives JPEGs of what is on the screen at the chosen rate; stopping
stops them; switching switches; errors are lines and the app goes on; the
status bar tells the target, the rate and the count; the choice is kept in
the profile and can restart at launch; sharing survives a resumption.
"""

from __future__ import annotations

import io
import tomllib
from dataclasses import replace

from apptest import connected, texts, type_line, until
from PIL import Image, ImageStat
from xvfb_support import open_window

from gemini_live_tui.config import Profile, profile_path, save_profile
from gemini_live_tui.live.events import Phase
from gemini_live_tui.simulator import LiveSimulator
from gemini_live_tui.tui.app import GeminiLiveApp

RED = (220, 30, 30)
GREEN = (30, 200, 60)


def video(sim: LiveSimulator) -> list[tuple[int, float, bytes]]:
    """(connection, arrival time, JPEG) of every frame the simulator received."""
    import base64

    return [
        (r.connection, r.at, base64.b64decode(r.message["realtimeInput"]["video"]["data"]))
        for r in sim.received
        if "video" in r.message.get("realtimeInput", {})
    ]


def picture(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    return image.convert("RGB")


def looks_like(jpeg: bytes, rgb: tuple[int, int, int], tolerance: float = 12) -> bool:
    mean = ImageStat.Stat(picture(jpeg)).mean
    return all(abs(m - c) <= tolerance for m, c in zip(mean, rgb, strict=True))


def status(app: GeminiLiveApp) -> str:
    return str(app.query_one("#status").render())


def saved_screen() -> dict:
    return tomllib.loads(profile_path().read_text(encoding="utf-8")).get("screen", {})


async def test_list_shows_the_monitor_and_windows(share_app, sim, display, windows):
    windows.append(open_window(display.name, "shared-notes", GREEN, 300, 200, 50, 60))
    app = share_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)

        async def listed() -> list[str]:
            before = len(texts(app, "info"))
            await type_line(pilot, "/share-screen list")
            await until(pilot, lambda: len(texts(app, "info")) > before)
            await pilot.pause(0.05)
            return texts(app, "info")[before:]

        lines = await listed()
        while not any("shared-notes" in line for line in lines):  # the window maps late
            await pilot.pause(0.1)
            lines = await listed()
        assert any(line.startswith("m1") and "1920×1080" in line for line in lines)
        window = next(line for line in lines if "shared-notes" in line)
        assert window.startswith("w") and "window" in window and "300×200" in window
        # the ids complete after /share-screen
        completion = app._complete("/share-screen ", len("/share-screen "))
        assert completion is not None
        labels = [c.label for c in completion.candidates]
        assert {"list", "stop", "m1", window.split()[0]} <= set(labels)


async def test_sharing_sends_the_painted_screen_at_the_rate_then_stops(
    share_app, sim, display, painter
):
    painter.solid(RED)
    app = share_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/share-screen m1 0.5")
        await until(pilot, lambda: any(t.startswith("sharing m1") for t in texts(app, "system")))
        await sim.wait_for(lambda: len(video(sim)) >= 10, timeout=10)
        frames = video(sim)
        rate = (len(frames) - 1) / (frames[-1][1] - frames[0][1])
        assert 2.0 * 0.8 <= rate <= 2.0 * 1.2, f"{rate:.2f} frames/s for an interval of 0.5 s"
        assert picture(frames[-1][2]).size == (1280, 720)  # fitted into 1280×1280
        assert all(looks_like(jpeg, RED) for _, _, jpeg in frames)
        await until(pilot, lambda: "fps" in status(app), timeout=3)
        assert "screen m1" in status(app) and " sent" in status(app)
        assert saved_screen() == {"target": "m1", "interval": 0.5}  # only what changed

        await type_line(pilot, "/share-screen stop")
        await until(pilot, lambda: any("stopped sharing m1" in t for t in texts(app, "system")))
        count = len(video(sim))
        await pilot.pause(1.2)
        assert len(video(sim)) == count
        assert "screen off" in status(app)


async def test_switching_to_a_window_and_the_window_closing(share_app, sim, display, painter):
    painter.solid(RED)
    window = open_window(display.name, "switch-to-me", GREEN, 320, 240, 100, 100)
    app = share_app()
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await connected(pilot)
            await type_line(pilot, "/share-screen m1 0.5")
            await sim.wait_for(lambda: video(sim) and looks_like(video(sim)[-1][2], RED))
            window_id = None
            while window_id is None:  # the window maps a moment after xlogo starts
                await type_line(pilot, "/share-screen list")
                await pilot.pause(0.2)
                window_id = next(
                    (t.split()[0] for t in texts(app, "info") if "switch-to-me" in t), None
                )
            await type_line(pilot, f"/share-screen {window_id}")
            await until(pilot, lambda: any(f"switched to {window_id}" in t for t in texts(app)))
            await sim.wait_for(lambda: looks_like(video(sim)[-1][2], GREEN), timeout=5)
            assert picture(video(sim)[-1][2]).size == (320, 240)
            assert f"screen {window_id}" in status(app)
            await until(pilot, lambda: "every 0.5 s" in texts(app, "system")[-1])  # kept

            window.terminate()
            window.wait(timeout=5)
            await until(pilot, lambda: any("closed" in t for t in texts(app, "error")), 5)
            await until(pilot, lambda: "screen off" in status(app))
            assert app.is_running
    finally:
        if window.poll() is None:
            window.kill()


async def test_errors_are_lines_and_the_app_keeps_running(share_app, sim, display, monkeypatch):
    app = share_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        for command, expected in (
            ("/share-screen m9", "No screen or window with id 'm9'"),
            ("/share-screen m1 0.1", "too short"),
            ("/share-screen m1 soon", "must be a number"),
            ("/share-screen m1 -2", "positive number"),
        ):
            await type_line(pilot, command)
            await until(pilot, lambda e=expected: any(e in t for t in texts(app, "error")))
        monkeypatch.delenv("DISPLAY")
        await type_line(pilot, "/share-screen m1")
        await until(pilot, lambda: any("DISPLAY is not set" in t for t in texts(app, "error")))
        await type_line(pilot, "/share-screen list")
        await until(pilot, lambda: sum("DISPLAY is not set" in t for t in texts(app, "error")) == 2)
        assert video(sim) == []
        assert "screen off" in status(app)
        await type_line(pilot, "still here?")
        await until(pilot, lambda: any("still here?" in t for t in texts(app, "model")))


async def test_sharing_continues_across_a_resumption(share_app, sim, display, painter):
    painter.solid(GREEN)
    app = share_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        await type_line(pilot, "/share-screen m1 0.5")
        await sim.wait_for(lambda: len(video(sim)) >= 3, timeout=5)
        await sim.send_goaway(0.2)
        await until(pilot, lambda: len(sim.setups()) == 2 and app.chat.phase is Phase.CONNECTED)
        resumed = sim.setups()[-1]
        assert resumed["sessionResumption"]["handle"]  # the same conversation
        assert "contextWindowCompression" in resumed  # no 2-minute audio+video limit
        assert "contextWindowCompression" in sim.setups()[0]
        await sim.wait_for(lambda: sum(c == 2 for c, _, _ in video(sim)) >= 4, timeout=5)
        assert looks_like(video(sim)[-1][2], GREEN)
        assert "screen m1" in status(app)
        await type_line(pilot, "what do you see on my screen?")
        await until(pilot, lambda: any("image frame" in t for t in texts(app, "model")))


async def test_autostart_restarts_the_saved_target_at_launch(share_app, sim, display, painter):
    painter.solid(RED)
    profile = Profile()
    profile.screen.target, profile.screen.interval, profile.screen.autostart = "m1", 0.5, True
    save_profile(profile)
    app = share_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        await sim.wait_for(lambda: len(video(sim)) >= 3, timeout=5)
        assert looks_like(video(sim)[-1][2], RED)
        await until(pilot, lambda: any(t.startswith("sharing m1") for t in texts(app, "system")))
        await type_line(pilot, "/share-screen autostart off")
        await until(pilot, lambda: saved_screen().get("autostart") is False)
        assert saved_screen()["target"] == "m1"


async def test_a_saved_target_that_is_gone_is_reported_not_swapped(share_app, sim, display):
    profile = Profile()
    profile.screen.target, profile.screen.autostart = "w7fffff", True
    save_profile(profile)
    app = share_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        await until(pilot, lambda: any("w7fffff" in t for t in texts(app, "error")))
        error = next(t for t in texts(app, "error") if "w7fffff" in t)
        assert "saved in the profile" in error and "Available now: m1" in error
        await pilot.pause(0.5)
        assert video(sim) == []  # nothing else was shared instead
        assert "screen off" in status(app)
        assert saved_screen()["target"] == "w7fffff"  # left for the user to change


def with_tools(app: GeminiLiveApp, *names: str) -> GeminiLiveApp:
    """`app` with exactly the tools `names` declared and enabled."""
    app.base_setup = replace(
        app.base_setup, tools=tuple(app.options.registry.declarations(sorted(names)))
    )
    app.applied = app.staged = replace(app.applied, tools=frozenset(names))
    return app


def final_answer(sim: LiveSimulator, call_id: str) -> dict | None:
    """The last answer to `call_id` that is not a "still running" notice."""
    done = [r for r in sim.tool_responses() if r["id"] == call_id and not r.get("willContinue")]
    return done[-1]["response"] if done else None


async def test_the_model_shares_the_screen_with_the_desktop_tools(share_app, sim, display, painter):
    painter.solid(GREEN)
    names = ("desktop_list_screen_targets", "desktop_set_screen_share", "desktop_get_state")
    app = with_tools(share_app(tools=frozenset(names)), *names)

    def final(call_id: str) -> dict | None:
        return final_answer(sim, call_id)

    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        call = await sim.call_tool("desktop_list_screen_targets")
        listed = await sim.wait_for(lambda: final(call))
        assert "m1" in [t["id"] for t in listed["result"]["targets"]]
        call = await sim.call_tool(
            "desktop_set_screen_share", {"on": True, "target": "m1", "interval_seconds": 0.5}
        )
        shared = await sim.wait_for(lambda: final(call))
        assert shared["result"]["sharing"] is True and shared["result"]["target"] == "m1"
        await sim.wait_for(lambda: len(video(sim)) >= 2, timeout=5)
        assert any(t.startswith("sharing m1") for t in texts(app, "system"))  # same path
        call = await sim.call_tool("desktop_set_screen_share", {"on": False})
        stopped = await sim.wait_for(lambda: final(call))
        assert stopped["result"] == {"sharing": False}
        await until(pilot, lambda: "screen off" in status(app))


async def test_desktop_tool_shares_and_a_voice_setting_at_once_all_land_in_the_profile(
    share_app, sim, display, painter
):
    """Two share calls from the model and `/mic autostart on`, all at once: the profile
    file (and the running app's profile) name the target that is shared in the end,
    with its interval, and keep the voice setting."""
    painter.solid(GREEN)
    window = open_window(display.name, "also-shared", RED, 320, 240, 100, 100)
    names = ("desktop_list_screen_targets", "desktop_set_screen_share")
    app = with_tools(share_app(tools=frozenset(names)), *names)

    def final(call_id: str) -> dict | None:
        return final_answer(sim, call_id)

    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await connected(pilot)
            window_id = None
            while window_id is None:  # the window maps a moment after it starts
                call = await sim.call_tool("desktop_list_screen_targets")
                listed = await sim.wait_for(lambda c=call: final(c))
                window_id = next(
                    (t["id"] for t in listed["result"]["targets"] if t["name"] == "also-shared"),
                    None,
                )
            for round_ in range(1, 4):
                calls = [
                    await sim.call_tool(
                        "desktop_set_screen_share",
                        {"on": True, "target": target, "interval_seconds": seconds},
                    )
                    for target, seconds in (("m1", 0.5), (window_id, 2.0))
                ]
                await type_line(pilot, "/mic autostart on")
                answers = [await sim.wait_for(lambda c=c: final(c)) for c in calls]
                assert all(a["result"]["sharing"] for a in answers), answers
                await until(
                    pilot,
                    lambda r=round_: sum("microphone will turn on" in t for t in texts(app)) == r,
                )
                await pilot.pause(0.3)  # nothing is left to save
                state = app.feature_set.screen.state()
                saved = tomllib.loads(profile_path().read_text(encoding="utf-8"))
                assert saved["screen"] == {
                    "target": state["target"],
                    "interval": state["interval_seconds"],
                }
                assert saved["audio"] == {"mic_autostart": True}
                running = app.profile_store.read()
                assert (running.screen.target, running.audio.mic_autostart) == (
                    state["target"],
                    True,
                )
                await app.feature_set.screen.stop()
    finally:
        if window.poll() is None:
            window.kill()
