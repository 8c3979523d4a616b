"""Edits whose cost does not grow with the district (#18): reads of a list of ids on both
backends, the GeoPackage's index on ``id`` used by row edits, and a reassignment that reads
only the members it moves."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing

import pytest
import test_store
from test_grid_coverage import build_grid_store

from geo import auth, schema
from geo import reassignment as ra
from geo.store import ConflictError, open_store

# test_store's filled stores (both backends), as fixtures of this module too
filled_gpkg = test_store.filled_gpkg
filled_postgis_url = test_store.filled_postgis_url
filled_store = test_store.filled_store

LEADER = auth.Principal("leader1", auth.Role.GRID_LEADER, frozenset({"A", "B", "C", "D"}))


def test_where_takes_a_list_of_ids(filled_store):
    both = filled_store.load("members", where={"id": ["m2", "m1"]})
    assert both["id"].tolist() == ["m1", "m2"]  # in written order, not in the asked order
    assert both.crs is not None and both.geometry.notna().all()
    whole = filled_store.load("members").set_index("id")
    assert both.set_index("id")["name"].to_dict() == whole.loc[["m1", "m2"], "name"].to_dict()
    assert filled_store.load("members", where={"id": ("m2",)})["id"].tolist() == ["m2"]
    mixed = filled_store.load("members", where={"id": ["m1", "m2"], "name": "O'Brien \"Li\""})
    assert mixed["id"].tolist() == ["m2"]
    none = filled_store.load("members", where={"id": []})
    assert len(none) == 0 and list(none.columns) == schema.layer("members").columns


def _indexes(path, layer: str) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[1] for row in conn.execute(f'PRAGMA index_list("{layer}")')}


def test_gpkg_row_edit_finds_its_row_by_an_index(filled_gpkg, tmp_path):
    path = tmp_path / "edit.gpkg"
    shutil.copyfile(filled_gpkg, path)
    store = open_store(path)
    version = int(store.load("members", where={"id": "m1"})["version"].iloc[0])
    with store.transaction("test") as tx:
        tx.update("members", "m1", {"post": "楼栋长"}, expected_version=version)
    assert "members_id_idx" in _indexes(path, "members")
    with closing(sqlite3.connect(path)) as conn:
        plan = " ".join(str(r) for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM members WHERE id = ?", ("m1",)))
    assert "members_id_idx" in plan, plan
    assert store.load("members", where={"id": "m1"})["post"].iloc[0] == "楼栋长"


def test_a_layer_written_by_gdal_gets_the_index(tmp_path):
    store = build_grid_store(tmp_path / "grids.gpkg")
    assert "members_id_idx" in _indexes(store.path, "members")
    assert "grids_id_idx" in _indexes(store.path, "grids")


def test_reassignment_reads_only_the_members_it_moves(tmp_path, monkeypatch):
    store = build_grid_store(tmp_path / "grids.gpkg")
    reads = []
    load = store.load

    def recording_load(name, where=None):
        reads.append((name, where))
        return load(name, where)

    monkeypatch.setattr(store, "load", recording_load)
    ra.move_members(store, ["m3", "m5"], "C", "补齐空白网格", account="leader1",
                    principal=LEADER)
    member_reads = [where for name, where in reads if name == "members"]
    assert member_reads == [{"id": ["m3", "m5"]}]
    moved = load("members", where={"id": ["m3", "m5"]})
    assert set(moved["grid_id"]) == {"C"}


def test_a_member_changed_since_the_page_drew_it_is_a_conflict(tmp_path):
    store = build_grid_store(tmp_path / "grids.gpkg")
    seen = int(store.load("members", where={"id": "m3"})["version"].iloc[0])
    ra.set_post_duty(store, ["m3"], "岗位调整", account="leader1", post="楼栋长",
                     principal=LEADER)
    with pytest.raises(ConflictError):
        ra.move_members(store, ["m3"], "C", "补齐空白网格", account="leader1",
                        principal=LEADER, expected_versions={"m3": seen})
    assert store.load("members", where={"id": "m3"})["grid_id"].iloc[0] != "C"
