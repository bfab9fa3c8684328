"""Fixtures for `gemini-live doctor`: real PulseAudio and Xvfb, and a TLS endpoint on loopback.

- `pulse`, `xvfb`: the shared private PulseAudio (tests/pulse_support.py) and
  Xvfb (tests/xvfb_support.py); they skip where the packages are missing.
- `tls_endpoint`: a TLS server on 127.0.0.1 with a certificate for
  `localhost` from a test CA (trustme); `.ca_file` is that CA, for
  SSL_CERT_FILE. It completes handshakes and closes: the doctor sends nothing
  more, so nothing more is needed to test its endpoint line.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import trustme
from pulse_support import pulse  # noqa: F401 - fixture
from xvfb_support import xvfb  # noqa: F401 - fixture


@dataclass
class TlsEndpoint:
    port: int
    ca_file: Path
    handshakes: int = 0

    @property
    def url(self) -> str:
        return f"wss://localhost:{self.port}"


@pytest.fixture
def tls_endpoint(tmp_path: Path) -> Iterator[TlsEndpoint]:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    listener = socket.create_server(("127.0.0.1", 0))
    endpoint = TlsEndpoint(listener.getsockname()[1], ca_file)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(5)
            try:
                with context.wrap_socket(conn, server_side=True):
                    endpoint.handshakes += 1
            except (OSError, ssl.SSLError):
                conn.close()  # an untrusting client aborts the handshake

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield endpoint
    stop.set()
    thread.join(5)
    listener.close()
