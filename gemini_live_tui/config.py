"""Settings: environment > profile file > defaults, checked once at start.

A profile is one TOML file in the user's config folder
(`~/.config/gemini-live/NAME.toml` on Linux). It keeps choices, never
secrets: credentials come only from the environment (or a key file the user
names), and the app never writes them. A broken file is reported with its
path and line and is left as it is.

The dataclasses below are the schema: each field's type is checked without
coercion, and a field with a `rule` in its metadata (a choice among names,
a numeric range) is checked by it, so `voice = "Pucky"` or `jpeg_quality =
500` is refused in one line naming the file, the key, the value and what is
allowed. A key the schema does not know is not an error: it is told in one
notice with the closest known key (`vocie` → `voice`) and ignored.
`load_config` reads the profile and the environment once at start and
returns the `Config` the app is built from; features get their values from
it and never read the file again.

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
import difflib
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

from .environment import CONFIG_DIR_ENV as CONFIG_DIR_ENV
from .environment import STATE_DIR_ENV as STATE_DIR_ENV
from .environment import VOICE_ENV, Environment, current_environment
from .live.models import ALL_THINKING_LEVELS, VOICES
from .media.errors import MediaError
from .media.screen.limits import check_quality, parse_interval

APP_NAME = "gemini-live"
DEFAULT_MODEL = "models/gemini-3.8-live"  # live.models.DEFAULT_MODEL (a test keeps them equal)
DEFAULT_PROFILE = "default"
AEC_BACKENDS = ("aec3", "webrtc-legacy", "none")  # media.audio.aec.BACKENDS (a test keeps them equal)


class ConfigError(Exception):
    """A profile file could not be read or written; the message names the file."""


@dataclass(frozen=True)
class Choice:
    """One of `values` (any letter case; the value is kept as spelt in `values`).
    `aliases` are taken too but not listed."""

    values: tuple[str, ...]
    aliases: tuple[str, ...] = ()

    def __call__(self, value: Any) -> Any:
        for known in (*self.values, *self.aliases):
            if known.lower() == str(value).lower():
                return known
        close = difflib.get_close_matches(str(value), self.values, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"{hint}use one of {', '.join(self.values)}")


@dataclass(frozen=True)
class AtLeast:
    """A number no smaller than `low`, in `unit`."""

    low: float
    unit: str

    def __call__(self, value: Any) -> Any:
        if value < self.low:
            raise ValueError(f"use {self.unit}, {self.low:g} or more")
        return value


@dataclass(frozen=True)
class Check:
    """A validator shared with a slash command: its error's text says what is allowed."""

    check: Callable[[Any], Any]

    def __call__(self, value: Any) -> Any:
        try:
            self.check(value)
        except MediaError as error:
            raise ValueError(str(error)) from None
        return value


def rule(check: Choice | AtLeast | Check) -> dict[str, Any]:
    """A field's metadata: the check its value must pass when a profile is loaded."""
    return {"rule": check}


VOICE = Choice(VOICES)
SENSITIVITY = {
    edge: Choice(("high", "low"), (f"{edge}_SENSITIVITY_HIGH", f"{edge}_SENSITIVITY_LOW"))
    for edge in ("START", "END")
}


@dataclass
class AudioSettings:
    """Microphone, speaker, echo cancellation and turn-taking choices."""

    mic_device: str | None = None
    speaker_device: str | None = None
    mic_autostart: bool = False
    speaker_autostart: bool = False
    aec_backend: str = field(default="aec3", metadata=rule(Choice(AEC_BACKENDS)))
    push_to_talk: bool = False
    start_sensitivity: str | None = field(default=None, metadata=rule(SENSITIVITY["START"]))
    end_sensitivity: str | None = field(default=None, metadata=rule(SENSITIVITY["END"]))
    prefix_padding_ms: int | None = field(
        default=None, metadata=rule(AtLeast(0, "a whole number of milliseconds"))
    )
    silence_duration_ms: int | None = field(
        default=None, metadata=rule(AtLeast(0, "a whole number of milliseconds"))
    )


@dataclass
class ScreenSettings:
    """Screen sharing choices."""

    target: str | None = None
    interval: float = field(default=1.0, metadata=rule(Check(parse_interval)))
    autostart: bool = False
    jpeg_quality: int = field(default=75, metadata=rule(Check(check_quality)))


@dataclass
class Profile:
    """Everything a user may choose and keep between runs."""

    model: str = DEFAULT_MODEL
    voice: str | None = field(default=None, metadata=rule(VOICE))
    language: str | None = None
    text_only: bool = False
    system_instruction: str | None = None
    thinking_level: str | None = field(default=None, metadata=rule(Choice(ALL_THINKING_LEVELS)))
    greeting: str | None = None
    tools: list[str] | None = None  # None: each tool's default
    workspace: str | None = None  # the file tools' folder; None: the launch folder unless $HOME
    audio: AudioSettings = field(default_factory=AudioSettings)
    screen: ScreenSettings = field(default_factory=ScreenSettings)

    @classmethod
    def from_toml(
        cls, data: dict[str, Any], source: str = "profile", notices: list[str] | None = None
    ) -> Profile:
        """The profile `data` describes; `ConfigError` naming `source` and the key for a
        value of the wrong type or outside its rule. Unknown keys go to `notices`."""
        notices = [] if notices is None else notices
        tables = {table: data.pop(table, {}) for table in ("audio", "screen")}
        for table, value in tables.items():
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{source}: {table} must be a table ([{table}]), "
                    f"not {_toml_kind(value)} ({_shown(value)})"
                )
        profile = _build(cls, data, source, "", notices)
        profile.audio = _build(AudioSettings, tables["audio"], source, "[audio] ", notices)
        profile.screen = _build(ScreenSettings, tables["screen"], source, "[screen] ", notices)
        return profile


def _build(kind: type, data: dict[str, Any], source: str, table: str, notices: list[str]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(kind) if f.name not in ("audio", "screen")}
    known = [*fields, *(("audio", "screen") if not table else ())]
    for key in [k for k in data if k not in fields]:
        notices.append(unknown_key_notice(source, table, key, known))
        del data[key]
    hints = typing.get_type_hints(kind)
    for key, value in data.items():
        if not _matches(value, hints[key]):
            raise ConfigError(
                f"{source}: {table}{key} must be {_describe(hints[key])}, "
                f"not {_toml_kind(value)} ({_shown(value)})"
            )
        check = fields[key].metadata.get("rule")
        if check is not None and value is not None:
            try:
                data[key] = check(value)
            except ValueError as error:
                raise ConfigError(f"{source}: {table}{key} = {_shown(value)}: {error}") from None
    try:
        return kind(**data)
    except TypeError as error:
        raise ConfigError(f"{source}: {error}") from None


def unknown_key_notice(source: str, table: str, key: str, known: list[str]) -> str:
    """One line for a key the schema does not know, with the closest known key."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f" — did you mean {close[0]!r}?" if close else ""
    return f"{source}: unknown key {table}{key!r} is ignored{hint}"


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
    """The value as a message quotes it; a credential pasted into a setting shows as ***."""
    from .logs import mask  # logs imports this module

    text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    text = mask(text)
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


def config_dir(environment: Environment | None = None) -> Path:
    """The profiles' folder (`GEMINI_LIVE_CONFIG_DIR` of `environment`, or the start's)."""
    override = (environment or current_environment()).config_dir
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def state_dir() -> Path:
    override = current_environment().state_dir
    return Path(override) if override else Path(platformdirs.user_state_dir(APP_NAME))


def profile_path(name: str = DEFAULT_PROFILE, environment: Environment | None = None) -> Path:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ConfigError(f"invalid profile name {name!r}")
    return config_dir(environment) / f"{name}.toml"


def load_profile(name: str = DEFAULT_PROFILE, notices: list[str] | None = None) -> Profile:
    """The saved profile, or defaults when there is no file yet; unknown keys go to `notices`."""
    return _read_profile(profile_path(name), notices)


def _read_profile(path: Path, notices: list[str] | None) -> Profile:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Profile()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {path}: {_reason(error)}") from None
    return _parse(text, path, notices)


@dataclass(frozen=True)
class Config:
    """Everything the launch decided from the profile file and the environment, read once.

    `profile` has the environment's overrides applied; `notices` are one line
    each (an unknown key) for the app to show at start.
    """

    name: str
    path: Path
    profile: Profile
    environment: Environment
    notices: tuple[str, ...] = ()


def load_config(name: str = DEFAULT_PROFILE, environment: Environment | None = None) -> Config:
    """The profile `name` checked against the schema, with the environment's overrides
    (checked by the same rules); `ConfigError` in one line for the first bad value."""
    environment = current_environment() if environment is None else environment
    notices: list[str] = []
    path = profile_path(name, environment)
    profile = _read_profile(path, notices)
    return Config(name, path, _overridden(profile, environment), environment, tuple(notices))


def _overridden(profile: Profile, environment: Environment) -> Profile:
    """`apply_env` on a snapshot: a voice from the environment passes the profile's rule."""
    updated = dataclasses.replace(profile)
    if environment.model:
        updated.model = environment.model
    if environment.voice:
        try:
            updated.voice = VOICE(environment.voice.strip())
        except ValueError as error:
            raise ConfigError(
                f"environment: {VOICE_ENV} = {_shown(environment.voice)}: {error}"
            ) from None
    return updated


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


def _parse(text: str, path: Path, notices: list[str] | None = None) -> Profile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error} (the file was left unchanged)") from None
    return Profile.from_toml(data, str(path), notices)


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
    from .environment import read_environment

    environment = current_environment() if env is None else read_environment(env)
    return _overridden(profile, environment)


def normalize_model(model: str) -> str:
    """`gemini-x` -> `models/gemini-x`; full names and Vertex resources are kept."""
    if model.startswith(("models/", "projects/", "publishers/")):
        return model
    return f"models/{model}"
