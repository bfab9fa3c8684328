"""Which workspace paths the file tools must not read on their own.

The workspace is often a home or project folder full of credentials: SSH
and GnuPG keys, `.netrc`, `.env`, cloud and cluster credentials, private
keys in `*.pem`. The model must never read those: `read_file` refuses them
and `list_files` marks them. Other hidden files and folders (`.gitignore`,
`.github/…`) are usually harmless but may hold anything, so reading one
asks the user first, through the same confirmation as `run_command`.

The rules look at the path as the model named it *and* at where it
resolves, so a harmless-looking symlink to `.ssh/id_ed25519` is refused too.
"""

from __future__ import annotations

import fnmatch
from enum import Enum
from pathlib import PurePosixPath


class Access(Enum):
    """What the file tools may do with a path."""

    FREE = "free"
    ASK = "ask"  # hidden: read only after the user allowed it
    SECRET = "secret"  # a known credential: never read


#: Folders whose whole content is credentials (matched on path components).
SECRET_FOLDERS = (
    (".ssh",),
    (".gnupg",),
    (".aws",),
    (".azure",),
    (".kube",),
    (".password-store",),
    (".config", "gcloud"),
    (".local", "share", "keyrings"),
)
#: File names (glob, matched case-insensitively) that are credentials wherever they are.
SECRET_NAMES = (
    ".netrc",
    "_netrc",
    ".env",
    ".env.*",
    "*.env",
    ".pgpass",
    ".git-credentials",
    ".npmrc",
    ".pypirc",
    ".htpasswd",
    "credentials",
    "credentials.json",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.jks",
    "*.keystore",
    "id_rsa",
    "id_dsa",
    "id_ecdsa",
    "id_ed25519",
    "id_ecdsa_sk",
    "id_ed25519_sk",
)
#: (folder, name) pairs: a file that is a credential in that folder only.
SECRET_FILES = ((".docker", "config.json"),)


def _has_run(parts: tuple[str, ...], run: tuple[str, ...]) -> bool:
    return any(parts[i : i + len(run)] == run for i in range(len(parts) - len(run) + 1))


def access_of(relative: str | PurePosixPath) -> Access:
    """How the file tools may treat `relative` (a path inside the workspace)."""
    parts = tuple(p for p in PurePosixPath(relative).parts if p not in (".", ""))
    lowered = tuple(p.lower() for p in parts)
    if any(_has_run(lowered, folder) for folder in SECRET_FOLDERS):
        return Access.SECRET
    if lowered and any(fnmatch.fnmatchcase(lowered[-1], pattern) for pattern in SECRET_NAMES):
        return Access.SECRET
    if any(_has_run(lowered, pair) for pair in SECRET_FILES):
        return Access.SECRET
    if any(p.startswith(".") for p in parts):
        return Access.ASK
    return Access.FREE


def strictest(*accesses: Access) -> Access:
    """The most restrictive of several verdicts (the named path and its target)."""
    order = (Access.SECRET, Access.ASK, Access.FREE)
    return next(a for a in order if a in accesses)
