"""hongtu backup / restore: a backup restored into an empty store gives back every layer
exactly (GeoPackage and PostGIS); a restore over a changed store brings the backup's state
back and gives the store a revision no cache has seen."""

from __future__ import annotations

import json
import threading

import pandas as pd
import pytest

from geo.cli import main as cli
from geo.store import open_store
from geo.store.backup import MANIFEST

LAYERS_CHECKED = 20  # the sample store has every data layer with rows


def _assert_same_layers(restored, original) -> None:
    names = original.layer_names()
    assert restored.layer_names() == names
    filled = 0
    for name in names:
        expected, got = original.load(name), restored.load(name)
        pd.testing.assert_frame_equal(got, expected, obj=name)
        filled += len(expected) > 0
    assert filled >= LAYERS_CHECKED


def test_geopackage_backup_while_writing_restores_into_an_empty_store(
        writable_sample_store, tmp_path, capsys):
    store = writable_sample_store
    stop = threading.Event()

    def writer():  # the app keeps writing while the backup runs
        i = 0
        while not stop.is_set():
            with store.transaction("app") as tx:
                tx.update("grids", store_grid, {"residents": i})
            i += 1

    store_grid = store.load("grids")["id"].iloc[0]
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert cli(["backup", "--out", str(tmp_path / "bk"), "--store", str(store.path)]) == 0
    finally:
        stop.set()
        thread.join()
    manifest = json.loads((tmp_path / "bk" / MANIFEST).read_text())
    assert manifest["kind"] == "gpkg" and len(manifest["layers"]) == len(store.layer_names())
    empty = tmp_path / "restored" / "empty.gpkg"
    assert cli(["restore", str(tmp_path / "bk"), "--store", str(empty)]) == 0
    assert "every layer matches" in capsys.readouterr().out
    restored = open_store(empty)
    backed_up = open_store(tmp_path / "bk" / "hongtu.gpkg")
    _assert_same_layers(restored, backed_up)
    # the backup is one consistent state: its grid row is a value the writer committed
    assert int(backed_up.load("grids", where={"id": store_grid}).iloc[0]["residents"]) >= 0


def test_geopackage_restore_over_a_changed_store_brings_the_backup_back(
        writable_sample_store, tmp_path):
    store = writable_sample_store
    before = {n: store.load(n) for n in store.layer_names()}
    assert cli(["backup", "--out", str(tmp_path / "bk"), "--store", str(store.path)]) == 0
    seen = set()
    for households in (1, 2, 3):
        with store.transaction() as tx:
            tx.update("grids", before["grids"]["id"].iloc[0], {"households": households})
            tx.delete("members", before["members"]["id"].iloc[:5].tolist())
        seen.add(store.revision())
    assert cli(["restore", str(tmp_path / "bk"), "--store", str(store.path)]) == 0
    for name, frame in before.items():
        pd.testing.assert_frame_equal(store.load(name), frame, obj=name)
    assert store.revision() not in seen


def test_restore_refuses_a_backup_of_the_other_kind(tmp_path, capsys):
    folder = tmp_path / "bk"
    folder.mkdir()
    (folder / MANIFEST).write_text(json.dumps({"kind": "postgis", "file": "x", "layers": {}}))
    assert cli(["restore", str(folder), "--store", str(tmp_path / "s.gpkg")]) == 1
    assert "the backup is postgis" in capsys.readouterr().err


@pytest.mark.postgis
def test_postgis_backup_restores_into_an_empty_database(postgis_cluster, sample_store, tmp_path):
    source_url = postgis_cluster.new_database("hongtu_bk_src")
    source = open_store(source_url)
    source.write_layers({n: sample_store.load(n) for n in sample_store.layer_names()})
    assert cli(["backup", "--out", str(tmp_path / "pg"), "--store", source_url]) == 0
    assert (tmp_path / "pg" / "hongtu.dump").stat().st_size > 0
    empty_url = postgis_cluster.new_database("hongtu_bk_dst")
    assert cli(["restore", str(tmp_path / "pg"), "--store", empty_url]) == 0
    restored = open_store(empty_url)
    _assert_same_layers(restored, source)
    revision = restored.revision()
    with source.transaction() as tx:  # the source goes on; the restored copy is independent
        tx.update("grids", sample_store.load("grids")["id"].iloc[0], {"households": 1})
    assert restored.revision() == revision
    source.dispose()
    restored.dispose()
