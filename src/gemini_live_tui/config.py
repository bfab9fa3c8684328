"""Settings: environment > profile file > defaults.

A profile is one TOML file in the user's config folder
(`~/.config/gemini-live/NAME.toml` on Linux). It keeps choices, never
secrets: credentials come only from the environment (or a key file the user
names), and the app never writes them. A broken file is reported with its
path and line and is left as it is.

Writes keep the user's file: every writer (the `ProfileStore` of a running app,
`save_profile`) goes through `edit_profile`, which holds one lock, reads the
file with tomlkit and changes only the keys whose values changed — comments,
layout, multi-line strings and every other key stay as they were, and a
default the user never chose is never pinned into the file. The new text is
checked like a loaded profile before it replaces the old one (atomically:
temp file, fsync, rename), through a symlink to its target (dotfiles stay
links), keeping the file's mode; a new file is 0600 in a 0700 folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import stat
import tempfile
import threading
import tomllib
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "gemini-live"
DEFAULT_MODEL = "models/gemini-3.8-live"  # live.models.DEFAULT_MODEL (a test keeps them equal)
DEFAULT_PROFILE = "default"
CONFIG_DIR_ENV = "GEMINI_LIVE_CONFIG_DIR"
STATE_DIR_ENV = "GEMINI_LIVE_STATE_DIR"


class ConfigError(Exception):
    """A profile file could not be read or written; the message names the file."""


@dataclass
class AudioSettings:
    """Microphone, speaker, echo cancellation and turn-taking choices."""

    mic_device: str | None = None
    speaker_device: str | None = None
    mic_autostart: bool = False
    speaker_autostart: bool = False
    aec_backend: str = "aec3"
    push_to_talk: bool = False
    start_sensitivity: str | None = None
    end_sensitivity: str | None = None
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None


@dataclass
class ScreenSettings:
    """Screen sharing choices."""

    target: str | None = None
    interval: float = 1.0
    autostart: bool = False
    jpeg_quality: int = 75


@dataclass
class Profile:
    """Everything a user may choose and keep between runs."""

    model: str = DEFAULT_MODEL
    voice: str | None = None
    language: str | None = None
    text_only: bool = False
    system_instruction: str | None = None
    thinking_level: str | None = None
    greeting: str | None = None
    tools: list[str] | None = None  # None: each tool's default
    workspace: str | None = None  # the file tools' folder; None: the launch folder unless $HOME
    audio: AudioSettings = field(default_factory=AudioSettings)
    screen: ScreenSettings = field(default_factory=ScreenSettings)

    @classmethod
    def from_toml(cls, data: dict[str, Any], source: str = "profile") -> Profile:
        audio = _build(AudioSettings, data.pop("audio", {}) or {}, f"{source} [audio]")
        screen = _build(ScreenSettings, data.pop("screen", {}) or {}, f"{source} [screen]")
        profile = _build(cls, data, source)
        profile.audio, profile.screen = audio, screen
        return profile


def _build(kind: type, data: Any, source: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a table")
    names = {f.name for f in dataclasses.fields(kind)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s): {', '.join(unknown)}")
    hints = typing.get_type_hints(kind)
    for key, value in data.items():
        if not _matches(value, hints[key]):
            raise ConfigError(
                f"{source}: {key} must be {_describe(hints[key])}, "
                f"not {_toml_kind(value)} ({_shown(value)})"
            )
    try:
        return kind(**data)
    except TypeError as error:
        raise ConfigError(f"{source}: {error}") from None


def _matches(value: Any, hint: Any) -> bool:
    """Whether a TOML value fits a field's annotation (no coercion: `model = 5` is an error)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_matches(v, item) for v in value)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, hint)


def _describe(hint: Any) -> str:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType) and len(args) == 1:
        return _describe(args[0])
    if typing.get_origin(hint) is list:
        return f"a list of {_describe(typing.get_args(hint)[0]).removeprefix('a ')}s"
    return {str: "a string", bool: "true or false", int: "a whole number", float: "a number"}.get(
        hint, str(hint)
    )


def _shown(value: Any, limit: int = 60) -> str:
    text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _toml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def config_dir() -> Path:
    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def state_dir() -> Path:
    override = os.environ.get(STATE_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_state_dir(APP_NAME))


def profile_path(name: str = DEFAULT_PROFILE) -> Path:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ConfigError(f"invalid profile name {name!r}")
    return config_dir() / f"{name}.toml"


def load_profile(name: str = DEFAULT_PROFILE) -> Profile:
    """The saved profile, or defaults when there is no file yet."""
    path = profile_path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Profile()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {_reason(error)}") from None
    return _parse(text, path)


_profile_lock = threading.Lock()  # every profile write, from any thread


def save_profile(profile: Profile, name: str = DEFAULT_PROFILE) -> Path:
    """Write the keys where `profile` differs from the file (see `edit_profile`)."""

    def change(current: Profile) -> None:
        for f in dataclasses.fields(Profile):
            setattr(current, f.name, getattr(profile, f.name))

    return edit_profile(change, name)[1]


def edit_profile(
    change: Callable[[Profile], None], name: str = DEFAULT_PROFILE
) -> tuple[Profile, Path]:
    """Apply `change` to the profile as it is on disk and write what it changed.

    Only keys whose values differ are touched (a value set back to None is
    removed); everything else in the file stays byte for byte. Raises
    `ConfigError` when the file cannot be read or parsed (it is left as it is).
    """
    import tomlkit  # 40-80 ms to import: only when a profile is written, not at start-up

    path = profile_path(name)
    with _profile_lock:
        target = Path(os.path.realpath(path))  # a dotfiles symlink stays a link
        try:
            text = target.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read {path}: {_reason(error)}") from None
        before = _parse(text, path)
        after = dataclasses.replace(
            before,
            audio=dataclasses.replace(before.audio),
            screen=dataclasses.replace(before.screen),
        )
        change(after)
        document = tomlkit.parse(text)
        if not _set_changed(document, before, after):
            return after, path
        new_text = tomlkit.dumps(document)
        _parse(new_text, path)  # never write a profile the app would refuse
        if not text:
            ensure_private_dir(path.parent)
        _replace_text(target, new_text)
    return after, path


def _reason(error: OSError | UnicodeDecodeError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"not UTF-8 text (byte {error.start + 1} is 0x{error.object[error.start]:02x})"
    return error.strerror or str(error)


def _parse(text: str, path: Path) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error} (the file was left unchanged)") from None
    return Profile.from_toml(data, str(path))


def _set_changed(document: Any, before: Profile, after: Profile) -> bool:
    """Set in `document` the keys whose values differ; True if any did."""
    changed = False
    for table, old, new in (
        (None, before, after),
        ("audio", before.audio, after.audio),
        ("screen", before.screen, after.screen),
    ):
        for f in dataclasses.fields(new):
            value, was = getattr(new, f.name), getattr(old, f.name)
            if f.name in ("audio", "screen") or value == was:
                continue
            changed = True
            if table is None:
                holder = document
            else:
                if table not in document:
                    document[table] = {}  # tomlkit makes it a [table] of its own
                holder = document[table]
            if value is None:
                holder.pop(f.name, None)
            else:
                holder[f.name] = value
    return changed


def _replace_text(target: Path, text: str) -> None:
    """Atomic write over `target`, keeping its mode and owner (0600 for a new file)."""
    try:
        keep: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        keep = None
    atomic_write(target, text, keep=keep)


def atomic_write(
    path: Path, text: str, *, keep: os.stat_result | None = None, new: bool = False
) -> None:
    """Write `text` to `path` through a temp file in the same folder (mode set
    before the first byte, fsync) and a rename over it.

    The file gets the mode of `keep` (the file it replaces) and, where we may
    (root), its owner; 0600 without `keep`. With `new`, the file is linked
    into place instead, so one that appeared meanwhile is not replaced
    (`FileExistsError`); a file system without hard links falls back to the
    rename.
    """
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600 if keep is None else stat.S_IMODE(keep.st_mode))
            if keep is not None and (keep.st_uid, keep.st_gid) != (os.geteuid(), os.getegid()):
                with contextlib.suppress(PermissionError):
                    os.fchown(handle.fileno(), keep.st_uid, keep.st_gid)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if new:
            try:
                os.link(temp, path)
            except FileExistsError:
                raise
            except OSError as error:
                if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV):
                    raise
            else:
                os.unlink(temp)
                return
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def ensure_private_dir(path: Path) -> None:
    """Make `path` 0700, and every folder of ours above it (up to the config or state folder).

    `mkdir(parents=True, mode=…)` gives the mode to the last folder only: the
    state folder made on the way to `state/history` would be 0755.
    """
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    for root in (config_dir(), state_dir()):
        folder = path
        while folder != root and folder.is_relative_to(root):
            folder = folder.parent
            os.chmod(folder, 0o700)


def write_private(path: Path, text: str) -> None:
    """Atomic write of a user file: temp file in the same folder, fsync, rename; mode 0600."""
    ensure_private_dir(path.parent)
    atomic_write(path, text)


def apply_env(profile: Profile, env: dict[str, str] | None = None) -> Profile:
    """Environment overrides on top of the profile (env > profile > defaults)."""
    env = dict(os.environ if env is None else env)
    updated = dataclasses.replace(profile)
    if env.get("GEMINI_MODEL"):
        updated.model = env["GEMINI_MODEL"]
    if env.get("GEMINI_VOICE"):
        updated.voice = env["GEMINI_VOICE"]
    return updated


def normalize_model(model: str) -> str:
    """`gemini-x` -> `models/gemini-x`; full names and Vertex resources are kept."""
    if model.startswith(("models/", "projects/", "publishers/")):
        return model
    return f"models/{model}"
