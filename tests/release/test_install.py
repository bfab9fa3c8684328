"""install.sh into a temporary HOME, then the installed command: version, demo chat, update, uninstall.

The package is installed from a copy of this checkout (its tracked and
untracked-but-not-ignored files), so the test can bump the copy's version
and check that `gemini-live update` upgrades from the same source and
compares versions as versions (0.10.0 is newer than 0.9.x and 0.1.0).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ptyrun import PtyProgram

REPO = Path(__file__).resolve().parents[2]


def copy_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for name in listed:
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def set_version(source: Path, version: str) -> None:
    for path, pattern in (
        (source / "pyproject.toml", r'^version = "[^"]+"'),
        (source / "src/gemini_live_tui/__init__.py", r'^__version__ = "[^"]+"'),
    ):
        text = path.read_text()
        key = pattern.split(" ")[0].lstrip("^")
        path.write_text(re.sub(pattern, f'{key} = "{version}"', text, flags=re.M))


@pytest.fixture
def sandbox(tmp_path: Path) -> dict[str, object]:
    home = tmp_path / "home"
    home.mkdir()
    source = tmp_path / "source"
    copy_checkout(source)
    cache = subprocess.run(["uv", "cache", "dir"], capture_output=True, text=True).stdout.strip()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GEMINI_", "GOOGLE_", "VERTEX_", "XDG_", "UV_", "VIRTUAL_ENV"))
    }
    env.update(HOME=str(home), GEMINI_LIVE_SOURCE=str(source), TERM="xterm-256color")
    if cache:
        env["UV_CACHE_DIR"] = cache  # reuse downloaded wheels; the install itself is fresh
    return {"home": home, "source": source, "env": env, "bin": home / ".local/bin/gemini-live"}


def run(
    argv: list[str], env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is needed to install")
def test_install_run_update_uninstall(sandbox):
    env, binary, source = sandbox["env"], sandbox["bin"], sandbox["source"]
    installed = run(["sh", str(source / "install.sh")], env)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "installed gemini-live 0.1.0" in installed.stdout
    assert "export PATH=" in installed.stdout, "a PATH hint when ~/.local/bin is not on PATH"
    assert binary.exists()

    version = run([str(binary), "--version"], env)
    assert version.stdout.strip() == "gemini-live 0.1.0"

    demo = PtyProgram([str(binary), "--demo", "--text"], env, cwd=str(sandbox["home"]))
    assert demo.wait_for("ready", 60), demo.text()[-500:]
    demo.type("hello installed\r")
    assert demo.wait_for('You said: "hello installed"', 30), demo.text()[-500:]
    demo.type("\x03")
    assert demo.close() == 0

    again = run(["sh", str(source / "install.sh")], env)
    assert again.returncode == 0, "safe to run twice"

    assert "up to date" in run([str(binary), "update"], env).stdout
    set_version(source, "0.10.0")
    updated = run([str(binary), "update"], env)
    assert updated.returncode == 0, updated.stderr
    assert "0.1.0 → 0.10.0" in updated.stdout
    assert run([str(binary), "--version"], env).stdout.strip() == "gemini-live 0.10.0"
    set_version(source, "0.9.5")
    assert "not downgrading" in run([str(binary), "update"], env).stdout

    removed = run(["sh", str(source / "install.sh"), "--uninstall"], env)
    assert removed.returncode == 0
    assert not binary.exists()
    assert not (sandbox["home"] / ".local/share/gemini-live").exists()


def test_update_without_install_receipt_says_how(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"))
    result = run([sys.executable, "-m", "gemini_live_tui.cli", "update"], env, timeout=60)
    assert result.returncode == 1
    assert "not made by install.sh" in result.stderr
