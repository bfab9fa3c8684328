"""`access_of`: which workspace paths are credentials, which are hidden, which are free."""

from __future__ import annotations

import pytest

from gemini_live_tui.tools.secret_paths import Access, access_of, strictest


@pytest.mark.parametrize(
    "path",
    [
        ".ssh/id_ed25519",
        ".ssh",
        "project/.ssh/config",
        ".gnupg/pubring.kbx",
        ".netrc",
        ".env",
        ".env.local",
        "app/prod.env",
        ".aws/credentials",
        ".config/gcloud/application_default_credentials.json",
        ".kube/config",
        ".docker/config.json",
        "certs/server.pem",
        "keys/ID_RSA",
        "backup/id_ed25519",
        ".git-credentials",
        "deploy/credentials.json",
    ],
)
def test_credentials_are_secret(path: str) -> None:
    assert access_of(path) is Access.SECRET


@pytest.mark.parametrize("path", [".gitignore", ".github/workflows/ci.yml", "src/.cache/x"])
def test_other_hidden_paths_ask(path: str) -> None:
    assert access_of(path) is Access.ASK


@pytest.mark.parametrize(
    "path", [".", "notes.txt", "src/main.py", "docs/id_card.md", "id_ed25519.pub.txt"]
)
def test_ordinary_paths_are_free(path: str) -> None:
    assert access_of(path) is Access.FREE


def test_the_stricter_verdict_wins() -> None:
    assert strictest(Access.FREE, Access.SECRET) is Access.SECRET
    assert strictest(Access.ASK, Access.FREE) is Access.ASK
