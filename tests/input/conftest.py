"""Fixtures for the input-grammar tests: a real folder tree to complete in."""

from pathlib import Path

import pytest


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """cwd/ with files, a folder with a space, hidden entries, and a home/ beside it."""
    cwd = tmp_path / "cwd"
    (cwd / "my photos").mkdir(parents=True)
    (cwd / "my photos" / "cat on mat.jpg").write_bytes(b"x")
    (cwd / "sub").mkdir()
    (cwd / "sub" / "deep.wav").write_bytes(b"x")
    for name in ("photo.jpg", "Photo2.png", "talk.wav", ".secret", "it's.png", "end."):
        (cwd / name).write_bytes(b"x")
    (cwd / ".config").mkdir()
    home = tmp_path / "home"
    (home / "Pictures").mkdir(parents=True)
    (home / "Pictures" / "me.png").write_bytes(b"x")
    return tmp_path
