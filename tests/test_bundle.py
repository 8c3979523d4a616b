"""The offline bundle (``make bundle``) installs and runs with no network: the install runs in
a network namespace of its own (``unshare -n``: only loopback) with ``pip --no-index``, then the
installed ``hongtu serve`` and Chromium run in another such namespace and the map is drawn.

Slow (it builds the bundle: the app's wheel and every dependency's; a few minutes). Set
``HONGTU_BUNDLE=dist/hongtu-bundle-....tar.gz`` to test an archive built before."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _offline(command: str) -> list[str]:
    """A shell command in a new network namespace with only loopback up."""
    return ["unshare", "--net", "sh", "-c", f"ip link set lo up && {command}"]


@pytest.fixture(scope="module")
def bundle() -> Path:
    if os.environ.get("HONGTU_BUNDLE"):
        return Path(os.environ["HONGTU_BUNDLE"])
    done = subprocess.run(["bash", "scripts/build_bundle.sh"], cwd=ROOT, capture_output=True,
                          text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return ROOT / done.stdout.strip().splitlines()[-1]


def test_bundle_installs_and_draws_the_map_without_network(bundle, tmp_path):
    if shutil.which("unshare") is None or subprocess.run(
            _offline("true"), capture_output=True, check=False).returncode != 0:
        pytest.skip("no network namespaces here (unshare -n needs root)")
    with tarfile.open(bundle) as archive:
        archive.extractall(tmp_path, filter="data")
    folder = next(tmp_path.glob("hongtu-bundle-*"))
    prefix = tmp_path / "opt-hongtu"
    started = time.monotonic()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    installed = subprocess.run(_offline(f"'{folder}/install.sh' '{prefix}'"), env=env,
                               capture_output=True, text=True, timeout=900, check=False)
    install_s = time.monotonic() - started
    assert installed.returncode == 0, installed.stderr[-3000:] + installed.stdout[-2000:]
    assert (prefix / "data" / "sample.gpkg").is_file()
    checked = subprocess.run(
        _offline(f"'{sys.executable}' '{ROOT / 'tests' / 'bundle_check.py'}' '{prefix}' 8599"),
        env=env, capture_output=True, text=True, timeout=900, check=False)
    result = json.loads(checked.stdout.strip().splitlines()[-1]) if checked.stdout else {}
    log = (prefix / "serve.log").read_text(errors="replace")[-3000:] if (
        prefix / "serve.log").exists() else ""
    assert checked.returncode == 0 and result.get("drawn"), checked.stderr[-3000:] + log
    assert result["health"]["status"] == "ok"
    assert result["failed_requests"] == []
    print(f"bundle {bundle.name}: {bundle.stat().st_size / 1e6:.0f} MB, installed in "
          f"{install_s:.0f} s, server up in {result['start_s']} s")
