"""Where to connect and how to authenticate: URLs, the wss policy, credentials.

The three endpoints (Gemini API key, ephemeral token, Vertex AI) differ in
path and in how the credential travels. Credentials always go in headers,
never in the URL, because URLs end up in logs. Plain `ws://` is only allowed to a loopback address (the
simulator); anything else is refused before a socket is opened.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from .errors import ConnectError

GEMINI_BASE_URL = "wss://generativelanguage.googleapis.com"
BASE_URL_ENV = "GEMINI_LIVE_BASE_URL"

AuthKind = Literal["api_key", "ephemeral", "vertex"]

EPHEMERAL_REFUSED_HINT = (
    "an ephemeral token starts one session, within about a minute, and expires "
    "(/reconnect cannot renew it): start again with a fresh GEMINI_EPHEMERAL_TOKEN, or set "
    "GEMINI_EPHEMERAL_TOKEN_COMMAND to a command that prints one"
)

DEFAULT_API_VERSION: dict[AuthKind, str] = {
    "api_key": "v1beta",
    "ephemeral": "v1alpha",
    "vertex": "v1",
}


def endpoint_path(kind: AuthKind, api_version: str | None = None) -> str:
    """The WebSocket path for an auth kind; the API version is one setting."""
    version = api_version or DEFAULT_API_VERSION[kind]
    if kind == "api_key":
        return f"/ws/google.ai.generativelanguage.{version}.GenerativeService.BidiGenerateContent"
    if kind == "ephemeral":
        return (
            f"/ws/google.ai.generativelanguage.{version}"
            ".GenerativeService.BidiGenerateContentConstrained"
        )
    return f"/ws/google.cloud.aiplatform.{version}.LlmBidiService/BidiGenerateContent"


def default_base_url(kind: AuthKind, vertex_location: str | None = None) -> str:
    """The service's own base URL (GEMINI_LIVE_BASE_URL comes in as `Endpoint.create`'s
    `base_url`, from the environment the command read at start)."""
    if kind == "vertex":
        return vertex_base_url(vertex_location or "us-central1")
    return GEMINI_BASE_URL


VERTEX_MULTI_REGIONS = ("us", "eu")


def vertex_base_url(location: str) -> str:
    """Vertex AI's host for `location`, as google-genai builds it.

    `global` is `aiplatform.googleapis.com`; the multi-regions `us` and `eu`
    are regional endpoints `aiplatform.LOCATION.rep.googleapis.com`; any
    other region is `LOCATION-aiplatform.googleapis.com`.
    """
    location = location.strip().lower()
    if location == "global":
        return "wss://aiplatform.googleapis.com"
    if location in VERTEX_MULTI_REGIONS:
        return f"wss://aiplatform.{location}.rep.googleapis.com"
    return f"wss://{location}-aiplatform.googleapis.com"


def is_loopback_host(host: str) -> bool:
    """True only for `localhost` and literal 127.0.0.0/8 or ::1 addresses.

    Deliberately strict: names that merely resolve to loopback
    (`127.0.0.1.nip.io`, `localhost.` with a trailing dot), IPv4-mapped IPv6
    (`::ffff:127.0.0.1`) and `0.0.0.0` are not trusted, because the check must
    hold without asking DNS.
    """
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return False
    return address.is_loopback


def build_url(base_url: str, path: str) -> str:
    """Join base and path, enforcing wss except to loopback."""
    parts = urlsplit(base_url)
    scheme = parts.scheme.lower()
    if scheme not in ("ws", "wss"):
        raise ConnectError(f"base URL must start with wss:// (got {parts.scheme or 'no'} scheme)")
    host = parts.hostname or ""
    if not host:
        raise ConnectError(f"base URL {base_url!r} has no host")
    if scheme == "ws" and not is_loopback_host(host):
        raise ConnectError(
            f"refusing unencrypted ws:// to {host}: plain ws:// is only allowed to loopback "
            "(127.0.0.1, ::1, localhost); use wss://"
        )
    return f"{scheme}://{parts.netloc}{path}"


@dataclass(frozen=True)
class Credential:
    """A secret plus how it travels. `repr` and `str` never show the secret."""

    kind: AuthKind
    secret: str = field(repr=False)
    refresh: Callable[[], Awaitable[str]] | None = field(default=None, repr=False, compare=False)
    quota_project: str | None = None
    """Vertex: the project billed for quota (ADC credentials that name one), sent as
    `x-goog-user-project` the way google-genai does."""

    def __str__(self) -> str:
        return f"{self.kind} credential ({mask_secret(self.secret)})"

    @property
    def refusal_hint(self) -> str | None:
        """What to do when the service refuses this credential, if there is more to say."""
        if self.kind == "ephemeral" and self.refresh is None:
            return EPHEMERAL_REFUSED_HINT
        return None

    async def headers(self) -> dict[str, str]:
        """Headers for the handshake; refreshes the token first if it can."""
        secret = await self.refresh() if self.refresh else self.secret
        if self.kind == "api_key":
            return {"x-goog-api-key": secret}
        if self.kind == "ephemeral":
            return {"Authorization": f"Token {secret}"}
        headers = {"Authorization": f"Bearer {secret}"}
        if self.quota_project:
            headers["x-goog-user-project"] = self.quota_project
        return headers


def mask_secret(secret: str) -> str:
    """A form of the secret safe to show: its length and last two characters at most."""
    if len(secret) < 12:
        return "*" * 4
    return f"…{secret[-2:]} ({len(secret)} chars)"


@dataclass(frozen=True)
class Endpoint:
    """Everything needed to open a connection: URL and credential."""

    url: str
    credential: Credential

    @classmethod
    def create(
        cls,
        credential: Credential,
        *,
        base_url: str | None = None,
        api_version: str | None = None,
        vertex_location: str | None = None,
    ) -> Endpoint:
        base = base_url or default_base_url(credential.kind, vertex_location)
        return cls(build_url(base, endpoint_path(credential.kind, api_version)), credential)
