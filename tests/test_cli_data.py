"""The data commands as a user runs them: hongtu sample, info."""

from __future__ import annotations

import json
import subprocess
import sys

from geo.store import open_store


def hongtu(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo.cli", *args], capture_output=True,
                          text=True, timeout=300, check=False)


def test_sample_twice_same_seed_gives_identical_layer_contents(tmp_path):
    a, b, c = tmp_path / "a.gpkg", tmp_path / "b.gpkg", tmp_path / "c.gpkg"
    for out, seed in ((a, "5"), (b, "5"), (c, "6")):
        result = hongtu("sample", "--seed", seed, "--out", str(out))
        assert result.returncode == 0, result.stderr
    sa, sb, sc = open_store(a), open_store(b), open_store(c)
    assert sa.checksum() == sb.checksum()
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
