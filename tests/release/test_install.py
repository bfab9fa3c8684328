"""install.sh into a temporary HOME, then the installed command: version, demo chat, update, uninstall.

The package is installed from a copy of this checkout (its tracked and
untracked-but-not-ignored files), so the test can bump the copy's version
and check that `gemini-live update` upgrades from the same source and
compares versions as versions (0.10.0 is newer than 0.9.x and 0.1.0).
The install is given a relative source and another INSTALL_DIR, and the
uninstall none: the receipt says where things are. One test hides uv from
PATH, so install.sh bootstraps it with pip (from PyPI) into a private venv.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
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
    """The version lives in pyproject.toml only (`__version__` reads the installed metadata)."""
    path = source / "pyproject.toml"
    path.write_text(
        re.sub(r'^version = "[^"]+"', f'version = "{version}"', path.read_text(), flags=re.M)
    )


def receipt_fields(home: Path) -> dict[str, str]:
    text = (home / ".local/share/gemini-live/install-receipt").read_text()
    return dict(line.split("=", 1) for line in text.splitlines())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


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
    return {
        "home": home,
        "source": source,
        "env": env,
        "bin": home / ".local/bin/gemini-live",
        "tool_env": home / ".local/share/uv/tools" / PACKAGE,  # uv's default tool folder
    }


PACKAGE = "gemini-live-tui"


def run(
    argv: list[str], env: dict[str, str], timeout: float = 600, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, cwd=cwd)


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is needed to install")
def test_install_run_update_uninstall(sandbox):
    env, source, home = sandbox["env"], sandbox["source"], sandbox["home"]
    binary = home / "bin/gemini-live"
    # a relative source, from the folder above it; another INSTALL_DIR than the default
    relative = dict(env, GEMINI_LIVE_SOURCE="source", INSTALL_DIR=str(home / "bin"))
    installed = run(["sh", "source/install.sh"], relative, cwd=source.parent)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "installed gemini-live 0.1.0" in installed.stdout
    assert "export PATH=" in installed.stdout, "a PATH hint when the folder is not on PATH"
    assert binary.exists() and sandbox["tool_env"].is_dir()
    receipt = receipt_fields(home)
    assert receipt["source"] == str(source), "the source is stored absolute"
    assert receipt["install_dir"] == str(home / "bin")
    data = home / ".local/share/gemini-live"
    assert mode(data) == 0o700 and mode(data / "install-receipt") == 0o600

    version = run([str(binary), "--version"], env)
    assert version.stdout.strip() == "gemini-live 0.1.0"

    demo = PtyProgram([str(binary), "--demo", "--text"], env, cwd=str(home))
    assert demo.wait_for("ready", 60), demo.text()[-500:]
    demo.type("hello installed\r")
    assert demo.wait_for('You said: "hello installed"', 30), demo.text()[-500:]
    demo.type("\x03")
    assert demo.close() == 0

    again = run(["sh", "source/install.sh"], relative, cwd=source.parent)
    assert again.returncode == 0, "safe to run twice"

    # `update` from another folder than the one the relative source was given in
    assert "up to date" in run([str(binary), "update"], env, cwd=home).stdout
    set_version(source, "0.10.0")
    updated = run([str(binary), "update"], env, cwd=home)
    assert updated.returncode == 0, updated.stderr
    assert "0.1.0 → 0.10.0" in updated.stdout
    assert run([str(binary), "--version"], env).stdout.strip() == "gemini-live 0.10.0"
    set_version(source, "0.9.5")
    assert "not downgrading" in run([str(binary), "update"], env, cwd=home).stdout

    # no INSTALL_DIR given: the receipt says where the command is
    removed = run(["sh", str(source / "install.sh"), "--uninstall"], env)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert str(home / "bin") in removed.stdout
    assert not binary.exists()
    assert not sandbox["tool_env"].exists(), "uv's tool environment is removed too"
    assert not data.exists()


def test_update_without_install_receipt_says_how(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"))
    result = run([sys.executable, "-m", "gemini_live_tui.cli", "update"], env, timeout=60)
    assert result.returncode == 1
    assert "not made by install.sh" in result.stderr


def test_update_with_the_receipts_uv_gone_says_what_to_do(tmp_path):
    data = tmp_path / "data"
    (data / "gemini-live").mkdir(parents=True)
    missing_uv = tmp_path / "gone/bin/uv"
    (data / "gemini-live/install-receipt").write_text(
        "source=git+https://example.invalid/gemini-live.git\n"  # a version it cannot read: runs uv
        f"uv={missing_uv}\npython={sys.executable}\ninstall_dir={tmp_path / 'bin'}\n"
    )
    env = dict(os.environ, HOME=str(tmp_path), XDG_DATA_HOME=str(data))
    result = run([sys.executable, "-m", "gemini_live_tui.cli", "update"], env, timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"gemini-live update: cannot run {missing_uv} (recorded by install.sh): "
        "No such file or directory; run install.sh again to reinstall"
    )


def test_the_version_is_pyprojects_one():
    import tomllib
    from importlib.metadata import version

    import gemini_live_tui

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert gemini_live_tui.__version__ == version(PACKAGE) == project
    assert f'"{project}"' not in (REPO / "gemini_live_tui/__init__.py").read_text()


def path_without_uv(folder: Path) -> str:
    """A PATH of symlinks to the tools install.sh needs: python3 and coreutils, but no uv."""
    folder.mkdir()
    for name in (
        "sh", "dirname", "basename", "mkdir", "rm", "rmdir", "chmod", "sed", "head", "id",
        "uname", "grep", "ls", "ldconfig", "cat", "env",
    ):  # fmt: skip
        found = shutil.which(
            name, path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        )
        if found:
            (folder / name).symlink_to(found)
    (folder / "python3").symlink_to(sys._base_executable)  # a real interpreter, not our venv
    return str(folder)


# pip downloads uv from PyPI (about 20 MB): about 25 s here, so not marked slow
def test_without_uv_install_sh_bootstraps_it_with_pip_into_a_private_venv(sandbox, tmp_path):
    env = dict(sandbox["env"], PATH=path_without_uv(tmp_path / "path"))
    installed = run(["sh", str(sandbox["source"] / "install.sh")], env, timeout=900)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    bootstrap = sandbox["home"] / ".local/share/gemini-live/bootstrap"
    assert f"installing uv into {bootstrap}" in installed.stdout
    assert (bootstrap / "bin/uv").is_file()
    assert receipt_fields(sandbox["home"])["uv"] == str(bootstrap / "bin/uv")
    assert run([str(sandbox["bin"]), "--version"], env).stdout.strip() == "gemini-live 0.1.0"
    removed = run(["sh", str(sandbox["source"] / "install.sh"), "--uninstall"], env)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not sandbox["bin"].exists() and not sandbox["tool_env"].exists()
    assert not (sandbox["home"] / ".local/share/gemini-live").exists()


def test_install_sh_help_is_its_header():
    shown = run(["sh", str(REPO / "install.sh"), "--help"], dict(os.environ), timeout=30)
    assert shown.returncode == 0
    assert shown.stdout.splitlines()[0].startswith("install.sh — install gemini-live")
    assert "--uninstall" in shown.stdout and "set -eu" not in shown.stdout
