"""On a machine without the Debian packages the tests use, `uv run pytest` still passes.

scripts/bare_machine_check.sh runs tests with packages hidden (a private
mount namespace in which they are not installed; the machine is not
changed). Here, as part of the slow set, it runs the whole default set with
none of the packages, the screen tests with Xvfb but no x11-apps, and the
audio tests with PulseAudio but no PortAudio: every run passes, and every
test that skipped says which Debian package would let it run. A new test that
needs a system piece and fails without it, instead of skipping, fails here.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNS = {
    "bare": [],
    "no-x11-apps": ["tests/screen", "tests/integration_screen"],
    "no-portaudio": ["tests/audio", "tests/integration_voice", "tests/integration_tools"],
}
# Skips that are not about a Debian package (an optional Python extra).
OTHER_SKIPS = re.compile(r"the webrtc-legacy extra is not installed|google.auth")


@pytest.mark.slow
@pytest.mark.timeout(2400)
@pytest.mark.parametrize("package_set", RUNS)
def test_the_tests_pass_without_the_packages_and_say_what_to_install(package_set):
    if os.geteuid() != 0 or not (shutil.which("unshare") and shutil.which("dpkg")):
        pytest.skip("hiding packages needs root, unshare and dpkg")
    # The parts of this worker's environment that point at its own daemons stay out.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PULSE_SERVER", "PULSE_COOKIE", "ALSA_CONFIG_PATH", "DISPLAY")
    }
    script = ROOT / "scripts" / "bare_machine_check.sh"
    done = subprocess.run(
        [str(script), package_set, "--", *RUNS[package_set], "-q", "-n", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=2300,
    )
    summary = done.stdout[done.stdout.rfind("=== summary") :]
    assert done.returncode == 0, summary + done.stdout[-6000:] + done.stderr[-2000:]
    assert re.search(rf"^{package_set}: exit 0, \d+ passed", summary, re.M), summary
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED [")]
    assert skips, "hiding the packages skipped nothing: were they hidden?"
    unexplained = [s for s in skips if "Debian" not in s and not OTHER_SKIPS.search(s)]
    assert not unexplained, "\n".join(unexplained)
