"""Concurrent writers lose no edit: two OS processes increment the same rows at once.

Each process reads a row's value and version, then updates it with ``expected_version`` and
retries on ConflictError (optimistic locking), as the app's edit forms do: 200 edits per
process on both backends (a GeoPackage edit is one SQLite transaction in WAL mode).
"""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.store import open_store

ROWS = ("g1", "g2")
WORKER = r"""
import sys
from geo.store import ConflictError, open_store

url, edits = sys.argv[1], int(sys.argv[2])
store = open_store(url)
print("ready", flush=True)
sys.stdin.readline()  # start together
retries = 0
for i in range(edits):
    row_id = ("g1", "g2")[i % 2]
    while True:
        row = store.load("grids", where={"id": row_id}).iloc[0]
        try:
            with store.transaction(account="worker") as tx:
                tx.update("grids", row_id, {"households": int(row["households"]) + 1},
                          expected_version=int(row["version"]))
            break
        except ConflictError:
            retries += 1
print("done", retries, flush=True)
"""


def _seed(url) -> None:
    grids = gpd.GeoDataFrame(
        {"id": list(ROWS), "name": ["网格一", "网格二"], "community_id": ["c1", "c1"],
         "street_id": ["s1", "s1"], "households": [0, 1000], "residents": [0, 0]},
        geometry=[box(121.25, 28.63, 121.26, 28.64), box(121.26, 28.63, 121.27, 28.64)],
        crs="EPSG:4326",
    )
    store = open_store(url)
    store.write_layers({"grids": grids})
    getattr(store, "dispose", lambda: None)()


def _run_two_writers(url: str, edits: int) -> list[int]:
    """Start two worker processes, release them together, return their retry counts."""
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, url, str(edits)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        for worker in workers:
            assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
        for worker in workers:
            worker.stdin.write("go\n")
            worker.stdin.flush()
        retries = []
        for worker in workers:
            out, err = worker.communicate(timeout=600)
            assert worker.returncode == 0, err
            retries.append(int(out.split()[-1]))
        return retries
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()


def _assert_no_edit_lost(url: str, edits: int) -> None:
    store = open_store(url)
    grids = store.load("grids").set_index("id")
    getattr(store, "dispose", lambda: None)()
    # each process made edits/2 increments to each of the two rows
    assert grids.loc["g1", "households"] == edits
    assert grids.loc["g2", "households"] == 1000 + edits
    assert grids["version"].tolist() == [1 + edits, 1 + edits]


@pytest.mark.postgis
def test_two_processes_200_edits_each_on_postgis_lose_nothing(fresh_postgis_url):
    _seed(fresh_postgis_url)
    _run_two_writers(fresh_postgis_url, 200)
    _assert_no_edit_lost(fresh_postgis_url, 200)


def test_two_processes_on_geopackage_lose_nothing(tmp_path):
    url = str(tmp_path / "c.gpkg")
    _seed(url)
    _run_two_writers(url, 200)
    _assert_no_edit_lost(url, 200)
