"""The running app's profile: changes from many threads all land, in the file
(comments kept) and in memory alike, and a failed write changes neither."""

from __future__ import annotations

import threading
import tomllib

import pytest

from gemini_live_tui.config import ConfigError, Profile, profile_path
from gemini_live_tui.profile_store import ProfileStore

USER_FILE = """# my profile
voice = "Kore"  # the calm one

[audio]
aec_backend = "none"  # headphones
"""


def test_changes_from_many_threads_all_land_in_the_file_and_in_memory(isolated_dirs):
    path = profile_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(USER_FILE)
    store = ProfileStore("default")
    start = threading.Barrier(8)

    def voice_change(i: int) -> None:
        start.wait()
        store.change(lambda p: setattr(p.audio, "mic_device", f"mic-{i}"))
        store.change(lambda p: setattr(p.audio, "mic_autostart", True))

    def screen_change(i: int) -> None:
        start.wait()
        store.change(lambda p: setattr(p.screen, "interval", float(i + 1)))
        store.change(lambda p: setattr(p.screen, "autostart", True))

    threads = [threading.Thread(target=voice_change, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=screen_change, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    text = path.read_text()
    assert text.startswith(USER_FILE.rstrip("\n"))  # comments and the user's keys kept
    saved = tomllib.loads(text)
    assert saved["audio"]["mic_autostart"] is True and saved["screen"]["autostart"] is True
    assert saved["audio"]["aec_backend"] == "none" and saved["voice"] == "Kore"
    in_memory = store.read()
    assert in_memory.audio.mic_device == saved["audio"]["mic_device"]  # the last change wins
    assert in_memory.screen.interval == saved["screen"]["interval"]  # in both alike
    assert in_memory.audio.mic_autostart and in_memory.screen.autostart


def test_the_profile_in_memory_is_not_read_again_and_copies_are_not_the_store(isolated_dirs):
    store = ProfileStore("default", Profile(voice="Puck"))
    profile_path().parent.mkdir(parents=True, exist_ok=True)
    profile_path().write_text('voice = "Kore"\n')
    copy = store.read()
    assert copy.voice == "Puck"  # as the app was launched with
    copy.screen.target = "w9"
    assert store.read().screen.target is None


def test_a_failed_write_leaves_the_file_and_memory_as_they_were(isolated_dirs):
    path = profile_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[audio\n")  # broken by hand while the app runs
    store = ProfileStore("default", Profile())
    with pytest.raises(ConfigError):
        store.change(lambda p: setattr(p.audio, "mic_autostart", True))
    assert path.read_text() == "[audio\n"
    assert store.read().audio.mic_autostart is False
