"""The process environment, read once when the command starts.

Every variable the app reads is named here. The command takes one snapshot
(`read_environment`) before it loads the profile and passes it down: the
backend gets its credential variables from it, the profile its overrides,
the app its options, and `use_environment` makes it the one the config and
state folders and the log file's secret list come from. Features and the
session receive values; none of them reads `os.environ`, so a variable
changed while the app runs changes nothing.

Left to the process, because they are plumbing for a library or a child
process rather than choices of the user: `DISPLAY`, `WAYLAND_DISPLAY` and
`XDG_SESSION_TYPE` (the X display mss and python-xlib open), `PULSE_SERVER`
and the ALSA variables (read by PortAudio itself), and the environment a
tool's command or `uv` inherits (`tools/command.py`, `selfupdate.py`).

A snapshot's `repr` names the variables only: credentials never show.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

CONFIG_DIR_ENV = "GEMINI_LIVE_CONFIG_DIR"
STATE_DIR_ENV = "GEMINI_LIVE_STATE_DIR"
MODEL_ENV = "GEMINI_MODEL"
VOICE_ENV = "GEMINI_VOICE"
FIRST_PAINT_ENV = "GEMINI_LIVE_FIRST_PAINT_FILE"
DATA_HOME_ENV = "XDG_DATA_HOME"

#: The variables `backend.resolve_backend` chooses the service and the credential from.
BACKEND_ENV = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY_FILE",
    "GEMINI_EPHEMERAL_TOKEN",
    "GEMINI_EPHEMERAL_TOKEN_COMMAND",
    "LIVE_BACKEND",
    "VERTEX_PROJECT",
    "GOOGLE_CLOUD_PROJECT",
    "VERTEX_LOCATION",
    "VERTEX_MODEL",
    "VERTEX_AI_ACCESS_TOKEN",
    "VERTEX_AUTH",
    "GEMINI_LIVE_BASE_URL",
    "GEMINI_LIVE_API_VERSION",
)


@dataclass(frozen=True)
class Environment:
    """The variables of one process start, read once."""

    variables: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, name: str) -> str | None:
        """The variable's value; None when it is unset or empty."""
        return self.variables.get(name) or None

    @property
    def config_dir(self) -> str | None:
        return self.get(CONFIG_DIR_ENV)

    @property
    def state_dir(self) -> str | None:
        return self.get(STATE_DIR_ENV)

    @property
    def model(self) -> str | None:
        return self.get(MODEL_ENV)

    @property
    def voice(self) -> str | None:
        return self.get(VOICE_ENV)

    @property
    def first_paint_file(self) -> str | None:
        """A file the app writes the time of its first paint to, then quits (benchmarks)."""
        return self.get(FIRST_PAINT_ENV)

    @property
    def data_home(self) -> str | None:
        return self.get(DATA_HOME_ENV)

    def backend(self) -> dict[str, str]:
        """The backend's variables, for `backend.resolve_backend`."""
        return {name: self.variables[name] for name in BACKEND_ENV if name in self.variables}

    def __repr__(self) -> str:  # names only: values may be credentials
        return f"Environment({len(self.variables)} variables)"


def read_environment(source: Mapping[str, str] | None = None) -> Environment:
    """A snapshot of `source` (the process environment by default)."""
    return Environment(MappingProxyType(dict(os.environ if source is None else source)))


_current: Environment | None = None


def use_environment(environment: Environment | None) -> Environment | None:
    """Make `environment` the one the whole process uses (None: none yet); returns it."""
    global _current
    _current = environment
    return environment


def current_environment() -> Environment:
    """The snapshot the command took at start; outside a running command (a library
    call, a test), the process environment as it is now."""
    return _current if _current is not None else read_environment()
