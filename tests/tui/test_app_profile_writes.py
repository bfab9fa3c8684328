"""Profile writes keep the user's file: only the key that changed is written,
comments, layout, multi-line strings and a dotfiles symlink survive, no
default is pinned into it, and the voice and screen settings saved at the
same moment both land (one writer, one lock)."""

from __future__ import annotations

import asyncio
import stat
import tomllib

from apptest import texts, type_line, until

USER_FILE = '''# my profile, kept in ~/dotfiles
voice = "Kore"   # the calm one

system_instruction = """
Answer briefly.
Use metric units.
"""

[audio]
# headphones on this machine
aec_backend = "none"
'''


async def test_saving_from_commands_keeps_the_users_file(make_app, isolated_dirs, tmp_path):
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "gemini.toml"
    real.write_text(USER_FILE)
    real.chmod(0o640)
    isolated_dirs["config"].mkdir()
    link = isolated_dirs["config"] / "default.toml"
    link.symlink_to(real)
    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_line(pilot, "/mic autostart on")
        await until(pilot, lambda: "the microphone will turn on at launch" in texts(app, "system"))
        await type_line(pilot, "/share-screen autostart on")
        await until(pilot, lambda: any("restart at launch" in t for t in texts(app, "system")))
    assert link.is_symlink() and link.resolve() == real
    text = real.read_text()
    assert text.startswith(USER_FILE.rstrip("\n"))  # every byte of the user's part kept
    added = text[len(USER_FILE.rstrip("\n")) :]
    assert "mic_autostart = true" in added and "autostart = true" in added
    assert "model" not in text and "interval" not in text and "jpeg_quality" not in text
    data = tomllib.loads(text)
    assert data["audio"] == {"aec_backend": "none", "mic_autostart": True}
    assert data["screen"] == {"autostart": True}
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert [p.name for p in dotfiles.iterdir()] == ["gemini.toml"]


async def test_voice_and_screen_saving_at_once_both_land(make_app, isolated_dirs):
    profile = isolated_dirs["config"] / "default.toml"

    def saved() -> dict:
        return tomllib.loads(profile.read_text()) if profile.exists() else {}

    app = make_app(connect=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for _ in range(5):
            for on in ("on", "off"):
                await asyncio.gather(
                    app.run_command("mic", ("autostart", on)),
                    app.run_command("share-screen", ("autostart", on)),
                    app.run_command("speak", ("autostart", on)),
                )
                value = on == "on"
                await until(
                    pilot,
                    lambda v=value: (
                        saved().get("screen") == {"autostart": v}
                        and saved().get("audio") == {"mic_autostart": v, "speaker_autostart": v}
                    ),
                )
