"""What the README promises a new user about starting the app (issue #25, point 14): another
port through make, and the password rule of `hongtu user add`."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from geo.auth import MIN_PASSWORD_LENGTH

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_takes_the_port_and_address_the_readme_names():
    assert "make run PORT=" in README and "make run ADDRESS=" in README
    dry = subprocess.run(["make", "-n", "run", "PORT=8617", "ADDRESS=0.0.0.0"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    serve = [line for line in dry.splitlines() if "hongtu serve" in line]
    assert serve and serve[-1].split()[-4:] == ["--port", "8617", "--address", "0.0.0.0"]


def test_readme_states_the_password_minimum():
    stated = {int(n) for n in re.findall(r"at least (\d+) characters", README)}
    assert stated == {MIN_PASSWORD_LENGTH}
