"""GeoPackage writes are SQLite transactions: a writer killed at any moment (kill -9) leaves a
file that passes ``PRAGMA integrity_check`` and holds either the state before the write or the
state after it, never a mix; a write costs the rows it touches, not a copy of the file."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from geo.store import gpkg, open_store

ROWS = ("g1", "g2", "g3")
KILLS = 20
# A process that imports the store once, then forks one writer per line "PATH OUT" it reads:
# the writer (a whole process of its own, killed with SIGKILL) writes until it dies; each
# transaction writes the iteration number into three grid rows (row edits) and replaces the
# meta layer (a whole-layer write) with it, and prints the number to OUT once committed. The
# forking process prints the writer's pid, then "dead" once it has reaped it.
WRITERS = r"""
import os
import sys
import pandas as pd
from geo.store import open_store

for line in sys.stdin:
    path, out = line.split()
    pid = os.fork()
    if pid == 0:
        with open(out, "w") as fh:
            store = open_store(path)
            i = int(store.load("grids", where={"id": "g1"}).iloc[0]["households"])
            print("ready", file=fh, flush=True)
            while True:
                i += 1
                with store.transaction("crash-test") as tx:
                    for row_id in ("g1", "g2", "g3"):
                        tx.update("grids", row_id, {"households": i})
                    tx.replace("meta", pd.DataFrame({"id": ["iteration", "pad"],
                                                     "key": ["iteration", "pad"],
                                                     "value": [str(i), "x" * (i % 5000)]}))
                print(i, file=fh, flush=True)
    print(pid, flush=True)
    os.waitpid(pid, 0)
    print("dead", flush=True)
"""

def _seed(path: Path) -> None:
    grids = gpd.GeoDataFrame(
        {"id": list(ROWS), "name": ["一", "二", "三"], "community_id": ["c1"] * 3,
         "street_id": ["s1"] * 3, "households": [0, 0, 0], "residents": [0, 0, 0]},
        geometry=[box(121.25 + k / 100, 28.63, 121.26 + k / 100, 28.64) for k in range(3)],
        crs="EPSG:4326",
    )
    meta = pd.DataFrame({"id": ["iteration"], "key": ["iteration"], "value": ["0"]})
    open_store(path).write_layers({"grids": grids, "meta": meta})


def _state(path: Path) -> tuple[str, list[int], int]:
    with closing(sqlite3.connect(path)) as conn:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    store = open_store(path)
    grids = store.load("grids").set_index("id")
    return check, [int(grids.loc[r, "households"]) for r in ROWS], int(store.meta()["iteration"])


def test_kill_9_during_writes_leaves_the_old_or_the_new_state(tmp_path):
    path = tmp_path / "crash.gpkg"
    _seed(path)
    rng = random.Random()
    committed = 0
    writers = subprocess.Popen([sys.executable, "-c", WRITERS], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for kill in range(KILLS):
            out = tmp_path / f"worker-{kill}.txt"
            writers.stdin.write(f"{path} {out}\n")
            writers.stdin.flush()
            pid = int(writers.stdout.readline())
            deadline = time.monotonic() + 120
            while not out.exists() or len(out.read_text().split()) < 2:
                assert time.monotonic() < deadline, "worker did not start writing"
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.3))  # inside the write loop, at a random moment
            os.kill(pid, signal.SIGKILL)
            assert writers.stdout.readline().strip() == "dead", writers.stderr.read()
            committed = _check_after_kill(path, out, kill, committed)
    finally:
        writers.kill()
        writers.wait()
    assert committed >= KILLS  # every worker wrote before it was killed
    assert not list(tmp_path.glob("crash.tx-*")), "private copies left behind"


def _check_after_kill(path: Path, out: Path, kill: int, committed: int) -> int:
    printed = [int(line) for line in out.read_text().split()[1:] if line.isdigit()]
    check, rows, iteration = _state(path)
    assert check == "ok", f"kill {kill}: {check}"
    assert rows == [iteration] * 3, f"kill {kill}: a mix of writes {rows} / meta {iteration}"
    last_printed = printed[-1] if printed else committed
    # every write reported as committed is there; at most the one in flight went through
    assert last_printed <= iteration <= last_printed + 1, (kill, last_printed, iteration)
    assert iteration >= committed
    return iteration

def test_row_edit_writes_no_copy_of_the_file(tmp_path, monkeypatch):
    path = tmp_path / "edit.gpkg"
    _seed(path)
    store = open_store(path)
    before = store.revision()
    seen = []

    def no_copy(*args):
        seen.append(args)
        raise AssertionError("a row edit copied the file")

    monkeypatch.setattr(gpkg, "_CopyWriter", no_copy)
    with store.transaction() as tx:
        tx.update("grids", "g2", {"households": 7})
        tx.replace("meta", pd.DataFrame({"id": ["a"], "key": ["a"], "value": ["b"]}))
    assert not seen and store.revision() != before
    assert store.load("grids", where={"id": "g2"}).iloc[0]["households"] == 7
    assert not list(tmp_path.glob("edit.tx-*"))
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_new_layer_goes_through_a_copy_and_replays_earlier_edits(tmp_path):
    path = tmp_path / "new.gpkg"
    _seed(path)
    store = open_store(path)
    with store.transaction() as tx:
        tx.update("grids", "g1", {"households": 5})
        tx.append("audit", pd.DataFrame([{"id": "a1", "account": "x", "action": "t",
                                          "at": "2024-01-01T00:00:00"}]))  # new layer: GDAL
        assert tx.load("grids").set_index("id").loc["g1", "households"] == 5
    assert store.load("grids", where={"id": "g1"}).iloc[0]["households"] == 5
    assert store.load("audit")["id"].tolist() == ["a1"]
    assert not list(tmp_path.glob("new.tx-*"))


def test_a_copy_left_by_a_killed_writer_is_removed_by_the_next_write(tmp_path):
    path = tmp_path / "left.gpkg"
    _seed(path)
    stale = [tmp_path / "left.tx-k1ll3d.gpkg", tmp_path / "left.tx-k1ll3d.gpkg-journal"]
    for leftover in stale:
        leftover.write_bytes(b"half a copy")
    other = tmp_path / "other.tx-keep.gpkg"  # another store's file is not touched
    other.write_bytes(b"x")
    with open_store(path).transaction() as tx:
        tx.update("grids", "g1", {"households": 1})
    assert not any(p.exists() for p in stale) and other.exists()
