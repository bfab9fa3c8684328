"""On a machine without the Debian packages the tests use, `uv run pytest` still passes.

scripts/bare_machine_check.sh runs the default test set with packages hidden
(a private mount namespace in which they are not installed; the machine is
not changed). Here, as part of the slow set, it runs with none of the
packages, with Xvfb but no x11-apps, and with PulseAudio but no PortAudio:
every run passes, and every test that skipped says which Debian package
would let it run. A new test that needs a system piece and fails without it,
instead of skipping, fails this test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SETS = ["bare", "no-x11-apps", "no-portaudio"]
# Skips that are not about a Debian package (an optional Python extra).
OTHER_SKIPS = re.compile(r"the webrtc-legacy extra is not installed|google.auth")


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_the_default_set_passes_without_the_system_packages_and_says_what_to_install():
    if os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("dpkg")):
        pytest.skip("hiding packages needs root, unshare and dpkg")
    # The parts of this worker's environment that point at its own daemons stay out.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PULSE_SERVER", "PULSE_COOKIE", "ALSA_CONFIG_PATH", "DISPLAY")
    }
    done = subprocess.run(
        [str(ROOT / "scripts" / "bare_machine_check.sh"), *SETS, "--", "-q", "-n", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=2300,
    )
    summary = done.stdout[done.stdout.rfind("=== summary") :]
    assert done.returncode == 0, summary + done.stdout[-6000:] + done.stderr[-2000:]
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED [")]
    assert skips, "hiding the packages skipped nothing: were they hidden?"
    unexplained = [s for s in skips if "Debian" not in s and not OTHER_SKIPS.search(s)]
    assert not unexplained, "\n".join(unexplained)
    for name in SETS:
        assert re.search(rf"^{name}: exit 0, \d+ passed", summary, re.M), summary
