"""Which service to talk to and with what credential, from the environment.

Three backends: a Gemini API key, an ephemeral token (given, or a fresh
one per connection from `GEMINI_EPHEMERAL_TOKEN_COMMAND`), or Vertex
AI with a bearer token (given, or from Application Default Credentials via
the optional google-auth package, refreshed on every reconnect). None of
them: the app still opens and says how to set one, and that `--demo` works
offline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .environment import current_environment
from .live.errors import ConnectError
from .live.models import VERTEX_DEFAULT_MODEL, is_known
from .live.transport import BASE_URL_ENV, Credential, Endpoint, build_url
from .logs import register_secret
from .token_command import TOKEN_COMMAND_ENV, parse_token_command, token_command_refresher


class BackendError(Exception):
    """No usable credential, or an incomplete backend configuration."""


NO_CREDENTIAL_HELP = (
    "No credential set. Set GEMINI_API_KEY (or GOOGLE_API_KEY), or GEMINI_EPHEMERAL_TOKEN, "
    "or LIVE_BACKEND=vertex with VERTEX_PROJECT and VERTEX_AI_ACCESS_TOKEN (or VERTEX_AUTH=adc). "
    "Try `gemini-live --demo` to use the offline simulator."
)


@dataclass(frozen=True)
class Backend:
    """A resolved backend: the endpoint, the model name to put in the setup, a label."""

    endpoint: Endpoint
    model: str
    label: str


def vertex_model_name(model: str, project: str, location: str) -> str:
    """Expand a short model name into the Vertex resource name; keep a full one."""
    if model.startswith("projects/"):
        return model
    short = model.removeprefix("models/")
    if short.startswith("publishers/"):
        return f"projects/{project}/locations/{location}/{short}"
    return f"projects/{project}/locations/{location}/publishers/google/models/{short}"


def vertex_model_for(model: str) -> str:
    """The model to use on Vertex AI when VERTEX_MODEL is not set.

    A model Vertex AI offers (or one the catalog does not know, which the
    user must have meant) is kept; a Gemini-API-only model — such as the
    Gemini API default — becomes the Vertex default, which Vertex has.
    """
    if is_known(model, "vertex") or not is_known(model, "gemini"):
        return model
    return VERTEX_DEFAULT_MODEL


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _endpoint(credential: Credential, **where: str | None) -> Endpoint:
    """`Endpoint.create`, with a bad GEMINI_LIVE_BASE_URL told as a BackendError."""
    try:
        return Endpoint.create(credential, **where)  # type: ignore[arg-type]
    except ConnectError as error:
        raise BackendError(f"{BASE_URL_ENV}: {error}") from None


def _adc_credential() -> Credential:
    """A Vertex credential refreshed from Application Default Credentials (and their quota
    project, if they name one)."""
    try:
        import google.auth
        import google.auth.transport.requests
    except ImportError:
        raise BackendError(
            "VERTEX_AUTH=adc needs google-auth: install with `uv tool install 'gemini-live-tui[vertex]'`"
        ) from None
    import google.auth.exceptions

    try:
        credentials, _ = google.auth.default(
            scopes=["https://www.googleapis.com/auth/cloud-platform"]
        )
    except google.auth.exceptions.GoogleAuthError as error:
        raise BackendError(
            "VERTEX_AUTH=adc found no usable Application Default Credentials: run "
            "`gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS "
            f"to a service account key file, or set VERTEX_AI_ACCESS_TOKEN ({_first_line(error)})"
        ) from None

    async def refresh() -> str:
        def _refresh() -> str:
            credentials.refresh(google.auth.transport.requests.Request())
            register_secret(credentials.token)  # never in the log file
            return credentials.token

        return await asyncio.to_thread(_refresh)

    quota_project = getattr(credentials, "quota_project_id", None) or None
    return Credential("vertex", "", refresh=refresh, quota_project=quota_project)


#: Credentials, read without the spaces and newline a copy-paste or `$(cat file)` leaves.
CREDENTIAL_ENV = (
    "GEMINI_API_KEY",
    "GOOGLE_API_KEY",
    "GEMINI_EPHEMERAL_TOKEN",
    "VERTEX_AI_ACCESS_TOKEN",
)
BACKENDS = ("gemini", "vertex")


def resolve_backend(model: str, env: Mapping[str, str] | None = None) -> Backend:
    """Pick the backend from the environment's variables (the snapshot the command took at
    start when `env` is None); raises BackendError with help text.

    A wrong LIVE_BACKEND or GEMINI_LIVE_BASE_URL is told as itself, before
    any missing credential.
    """
    env = dict(current_environment().backend() if env is None else env)
    for name in CREDENTIAL_ENV:
        if name in env:
            env[name] = env[name].strip()
    base_url = env.get(BASE_URL_ENV, "").strip() or None
    api_version = env.get("GEMINI_LIVE_API_VERSION") or None
    backend = env.get("LIVE_BACKEND", "").strip().lower()
    if backend and backend not in BACKENDS:
        raise BackendError(
            f"LIVE_BACKEND={env['LIVE_BACKEND']!r} is not a backend: set LIVE_BACKEND=vertex "
            "for Vertex AI, or leave it unset for the Gemini API"
        )
    if base_url:
        try:
            build_url(base_url, "/")
        except ConnectError as error:
            raise BackendError(f"{BASE_URL_ENV}: {error}") from None
    if backend == "vertex":
        project = env.get("VERTEX_PROJECT") or env.get("GOOGLE_CLOUD_PROJECT")
        location = env.get("VERTEX_LOCATION") or "us-central1"
        if not project:
            raise BackendError("LIVE_BACKEND=vertex needs VERTEX_PROJECT (or GOOGLE_CLOUD_PROJECT)")
        vertex_model = vertex_model_name(
            env.get("VERTEX_MODEL") or vertex_model_for(model), project, location
        )
        token = env.get("VERTEX_AI_ACCESS_TOKEN")
        if env.get("VERTEX_AUTH", "").lower() == "adc":
            credential = _adc_credential()
        elif token:
            credential = Credential("vertex", token)
        else:
            raise BackendError(
                "LIVE_BACKEND=vertex needs VERTEX_AI_ACCESS_TOKEN or VERTEX_AUTH=adc"
            )
        endpoint = _endpoint(
            credential, base_url=base_url, api_version=api_version, vertex_location=location
        )
        short = vertex_model.rsplit("/", 1)[-1]
        return Backend(endpoint, vertex_model, f"vertex:{location} {short}")
    if env.get(TOKEN_COMMAND_ENV):
        try:
            argv = parse_token_command(env[TOKEN_COMMAND_ENV])
        except ValueError as error:
            raise BackendError(f"{TOKEN_COMMAND_ENV}: {error}") from None
        credential = Credential("ephemeral", "", refresh=token_command_refresher(argv))
    elif env.get("GEMINI_EPHEMERAL_TOKEN"):
        credential = Credential("ephemeral", env["GEMINI_EPHEMERAL_TOKEN"])
    else:
        key = env.get("GEMINI_API_KEY") or env.get("GOOGLE_API_KEY")
        key_file = env.get("GEMINI_API_KEY_FILE")
        if not key and key_file:
            try:
                key = Path(key_file).expanduser().read_text(encoding="utf-8").strip()
            except OSError as error:
                raise BackendError(f"cannot read GEMINI_API_KEY_FILE: {error.strerror}") from None
        if not key:
            raise BackendError(NO_CREDENTIAL_HELP)
        credential = Credential("api_key", key)
    endpoint = _endpoint(credential, base_url=base_url, api_version=api_version)
    return Backend(endpoint, model, model)
