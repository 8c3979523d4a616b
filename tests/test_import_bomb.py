"""A zip bomb is refused before it is inflated (#15.3): memory measured in a subprocess."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from geo.importer import plan_import

HEADER = "编号,姓名,电话,性别,网格编号,小区编号,工作单位,岗位,职责,报到日期,入党日期,经度,纬度\n"
CHUNK = b"0" * (4 * 1024 * 1024)
RSS_BUDGET_MB = 100
PROBE = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, str(Path(sys.argv[3])))
from make_bad_files import build_tiny_store
from geo.importer import plan_import

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) / 1024

store = build_tiny_store(sys.argv[2])
plan_import([Path(sys.argv[3]) / "make_bad_files.py"], store)  # warm every import path
open("/proc/self/clear_refs", "w").write("5")  # reset the peak (VmHWM) to the current RSS
before = status("VmRSS")
plan = plan_import([sys.argv[1]], store)
print(json.dumps({"before": before, "peak": status("VmHWM"),
                  "problems": [[p.code, p.message_zh, p.message_en] for p in plan.problems]}))
"""


def write_bomb(path: Path, inflated_mb: int = 512, member: str = "members.csv") -> Path:
    """A zip of a few hundred KB holding an ``inflated_mb`` CSV (one endless cell)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open(member, "w", force_zip64=True) as handle:
        handle.write((HEADER + "M1,").encode())
        for _ in range(inflated_mb // 4):
            handle.write(CHUNK)
    return path


def lying_zip(path: Path, inflated_mb: int = 64) -> Path:
    """A zip whose headers declare 1,000 bytes for a member that inflates to ``inflated_mb``."""
    write_bomb(path, inflated_mb)
    data = bytearray(path.read_bytes())
    # local header: uncompressed size at offset 22; central directory entry: at offset 24
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    for offset in (local + 22, central + 24):
        struct.pack_into("<I", data, offset, 1000)
    path.write_bytes(bytes(data))
    return path


def probe(path: Path, tmp_path: Path) -> dict:
    tests = Path(__file__).parent
    done = subprocess.run([sys.executable, "-c", PROBE, str(path), str(tmp_path / "s.gpkg"),
                           str(tests)], capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return write_bomb(tmp_path_factory.mktemp("bomb") / "members.zip")


def test_half_megabyte_bomb_is_refused_with_bounded_memory(bomb, tmp_path):
    assert bomb.stat().st_size < 1024 * 1024  # ~0.5 MB for 512 MB of CSV
    result = probe(bomb, tmp_path)
    assert [code for code, _, _ in result["problems"]] == ["zip_too_large"]
    _, zh, en = result["problems"][0]
    assert "压缩炸弹" in zh and "zip bomb" in en and "members.csv" in en
    assert result["peak"] - result["before"] < RSS_BUDGET_MB, result


def test_bomb_below_the_total_limit_is_refused_by_its_ratio(tmp_path, small_store):
    plan = plan_import([write_bomb(tmp_path / "members.zip", inflated_mb=64)], small_store)
    assert [p.code for p in plan.problems] == ["zip_ratio"]
    assert "members.csv" in plan.problems[0].message_zh


def test_headers_that_lie_do_not_inflate(tmp_path):
    result = probe(lying_zip(tmp_path / "members.zip"), tmp_path)
    assert result["problems"] and result["problems"][0][0] in ("unreadable_file", "zip_ratio")
    assert result["peak"] - result["before"] < RSS_BUDGET_MB, result


def test_xlsx_bomb_is_refused(tmp_path, small_store):
    path = write_bomb(tmp_path / "members.xlsx", inflated_mb=64, member="xl/worksheets/s1.xml")
    plan = plan_import([path], small_store)
    assert [p.code for p in plan.problems] == ["zip_ratio"]
