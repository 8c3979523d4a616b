"""The data commands as a user runs them: hongtu sample, info."""

from __future__ import annotations

import json
import subprocess
import sys

from fixtures_store import SAMPLE_SEED

from geo.store import open_store


def hongtu(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_sample_twice_same_seed_gives_identical_layer_contents(tmp_path, sample_store_path):
    """The command, in a process of its own, gives the same store as the test's build of the
    same seed (``sample_store_path``: another process, maybe another run); another seed gives
    another store of the same size."""
    same, other = tmp_path / "same.gpkg", tmp_path / "other.gpkg"
    for out, seed in ((same, SAMPLE_SEED), (other, SAMPLE_SEED + 1)):
        result = hongtu("sample", "--seed", str(seed), "--out", str(out))
        assert result.returncode == 0, result.stderr
    built, sa, sc = open_store(sample_store_path), open_store(same), open_store(other)
    assert sa.checksum() == built.checksum()
    assert sa.checksum() != sc.checksum()
    for name in ("grids", "compounds", "members", "service_positions"):
        assert len(sa.load(name)) == len(sc.load(name))


def test_info_json_counts(sample_store_path):
    result = hongtu("info", str(sample_store_path), "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["is_sample"] is True
    assert info["layers"]["grids"] == 381
    assert info["layers"]["members"] == 4760
    assert info["meta"]["as_of"] == "2022-04-24"
