"""Endpoints, the wss policy and credentials."""

from __future__ import annotations

import asyncio

import pytest

from gemini_live_tui.live.errors import ConnectError
from gemini_live_tui.live.messages import Setup
from gemini_live_tui.live.session import LiveSession
from gemini_live_tui.live.transport import (
    BASE_URL_ENV,
    Credential,
    Endpoint,
    build_url,
    endpoint_path,
    mask_secret,
)


def test_three_endpoints_with_their_paths_and_default_versions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(BASE_URL_ENV, raising=False)
    key = Endpoint.create(Credential("api_key", "k"))
    assert key.url == (
        "wss://generativelanguage.googleapis.com/ws/"
        "google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
    )
    token = Endpoint.create(Credential("ephemeral", "t"))
    assert token.url.endswith("v1alpha.GenerativeService.BidiGenerateContentConstrained")
    vertex = Endpoint.create(Credential("vertex", "b"), vertex_location="europe-west4")
    assert vertex.url == (
        "wss://europe-west4-aiplatform.googleapis.com/ws/"
        "google.cloud.aiplatform.v1.LlmBidiService/BidiGenerateContent"
    )


def test_api_version_is_one_setting() -> None:
    assert ".v1alpha.GenerativeService.BidiGenerateContent" in endpoint_path("api_key", "v1alpha")
    assert "aiplatform.v1beta1.LlmBidiService" in endpoint_path("vertex", "v1beta1")


def test_base_url_env_overrides_scheme_host_and_port() -> None:
    from gemini_live_tui.backend import resolve_backend

    backend = resolve_backend("m", {"GEMINI_API_KEY": "k", BASE_URL_ENV: "ws://127.0.0.1:9999"})
    assert backend.endpoint.url.startswith(
        "ws://127.0.0.1:9999/ws/google.ai.generativelanguage.v1beta."
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.8.7", "[::1]", "localhost", "LocalHost"])
def test_plain_ws_is_allowed_to_loopback(host: str) -> None:
    assert build_url(f"ws://{host}:1234", "/p").startswith("ws://")


@pytest.mark.parametrize(
    "host",
    [
        "example.com",
        "10.0.0.1",
        "192.168.1.1",
        "0.0.0.0",
        "LOCALHOST.",
        "127.0.0.1.nip.io",
        "[::ffff:127.0.0.1]",
        "localhost.example.com",
    ],
)
def test_plain_ws_to_anything_else_is_refused_with_the_reason(host: str) -> None:
    with pytest.raises(ConnectError, match="only allowed to loopback"):
        build_url(f"ws://{host}:1234", "/p")


def test_other_schemes_are_refused() -> None:
    with pytest.raises(ConnectError, match="wss://"):
        build_url("http://example.com", "/p")


async def test_refused_before_any_connection_attempt() -> None:
    """A listening socket on a non-loopback address would see no connection at all."""
    connections = 0

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        writer.close()

    server = await asyncio.start_server(on_connect, "0.0.0.0", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(ConnectError):
            LiveSession(
                Endpoint.create(Credential("api_key", "k"), base_url=f"ws://0.0.0.0:{port}"),
                Setup(model="m"),
            )
        await asyncio.sleep(0.05)
        assert connections == 0
    finally:
        server.close()


async def test_credentials_travel_in_headers_never_in_the_url() -> None:
    assert await Credential("api_key", "AIzaSECRET").headers() == {"x-goog-api-key": "AIzaSECRET"}
    assert await Credential("vertex", "ya29").headers() == {"Authorization": "Bearer ya29"}
    assert await Credential("ephemeral", "tok").headers() == {"Authorization": "Token tok"}
    assert "AIzaSECRET" not in Endpoint.create(Credential("api_key", "AIzaSECRET")).url


def test_secret_never_in_repr_or_str() -> None:
    secret = "AIzaSyD-very-secret-key-123456"
    credential = Credential("api_key", secret)
    endpoint = Endpoint.create(credential, base_url="wss://x")
    for text in (repr(credential), str(credential), repr(endpoint), mask_secret(secret)):
        assert secret not in text
        assert "very-secret" not in text
