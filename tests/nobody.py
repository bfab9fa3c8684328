"""Run a piece of a test as the unprivileged user `nobody`, for permission checks.

Root reads a file whatever its mode (CI runs as root), so a test that wants
"permission denied" runs the read in a forked child that has dropped to
`nobody`; what the child returns comes back through a pipe as text.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable


def as_nobody(work: Callable[[], str]) -> str:
    """What ``work()`` returns when run as `nobody` in a forked child.

    An exception in the child comes back as ``"TypeName: message"``.
    """
    nobody = pwd.getpwnam("nobody")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: no pytest, no event loop from here on
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
            try:
                outcome = work()
            except BaseException as e:
                outcome = f"{type(e).__name__}: {e}"
            os.write(write_end, outcome.encode())
        finally:
            os._exit(0)
    os.close(write_end)
    chunks = []
    while chunk := os.read(read_end, 4096):
        chunks.append(chunk)
    os.close(read_end)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()
