"""Pages reading the GeoPackage while a member is moved: no "disk I/O error", no crash.

The server's page runs read whole layers in their threads while another session's move writes
in WAL mode. Whole spatial layers were read through GDAL (pyogrio), whose wheel carries a SQLite
library of its own: two SQLite libraries on one WAL file in one process release each other's
locks and truncate the shared memory the other has mapped, so a write failed with "disk I/O
error" and the process died of SIGBUS (found by benchmarks/bench_sessions.py, issue #27). The
threads run in a child process: a crash is a return code here, not a lost pytest worker.
"""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
from shapely.geometry import box

from geo.store import open_store

WRITES = 60
READERS = 4
WORKER = r"""
import sys, threading, traceback
from geo.store import open_store

store = open_store(sys.argv[1])
writes, readers = int(sys.argv[2]), int(sys.argv[3])
errors, done = [], threading.Event()

def write():
    try:
        for i in range(writes):
            row = store.load("grids", where={"id": "g1"}).iloc[0]
            with store.transaction(account="mover") as tx:
                tx.update("grids", "g1", {"households": int(row["households"]) + 1},
                          expected_version=int(row["version"]))
    except Exception:
        errors.append(traceback.format_exc(limit=3))
    finally:
        done.set()

def read(k):
    while not done.is_set():
        try:
            store.revision()
            frame = store.load(("grids", "compounds")[k % 2])
            assert len(frame) == 2, len(frame)
        except Exception:
            errors.append(traceback.format_exc(limit=3))
            return

threads = [threading.Thread(target=write)] + [
    threading.Thread(target=read, args=(k,)) for k in range(readers)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("errors", len(errors))
print("\n".join(errors[:3]))
"""


def _seed(path) -> None:
    shapes = [box(121.25, 28.63, 121.26, 28.64), box(121.26, 28.63, 121.27, 28.64)]
    grids = gpd.GeoDataFrame(
        {"id": ["g1", "g2"], "name": ["网格一", "网格二"], "community_id": ["c1", "c1"],
         "street_id": ["s1", "s1"], "households": [0, 1000], "residents": [0, 0]},
        geometry=shapes, crs="EPSG:4326")
    compounds = gpd.GeoDataFrame(
        {"id": ["x1", "x2"], "name": ["小区一", "小区二"], "grid_id": ["g1", "g2"]},
        geometry=shapes, crs="EPSG:4326")
    open_store(path).write_layers({"grids": grids, "compounds": compounds})


def test_whole_layers_read_while_a_writer_commits_lose_nothing_and_never_crash(tmp_path):
    path = tmp_path / "store.gpkg"
    _seed(path)
    child = subprocess.run([sys.executable, "-c", WORKER, str(path), str(WRITES), str(READERS)],
                           check=False, capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, (child.returncode, child.stdout[-2000:], child.stderr[-2000:])
    assert child.stdout.startswith("errors 0\n"), child.stdout[-3000:]
    grids = open_store(path).load("grids").set_index("id")
    assert int(grids.loc["g1", "households"]) == WRITES  # every write committed, none lost
    assert int(grids.loc["g2", "households"]) == 1000
