"""Imports on PostGIS never overwrite an edit they did not see (#15.4).

Edits (increments with optimistic locking, as the edit forms do) run in threads while six
imports replace the same layer; every increment must survive. Two imports of the same rows at
once: both succeed, or one is refused with a message saying why (never a raw database error)."""

from __future__ import annotations

import threading

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.importer import ImportRefused, apply_import, plan_import
from geo.importer.apply import ChangedSinceCheck
from geo.store import ConflictError
from geo.store.postgis import PostGISStore

pytestmark = pytest.mark.postgis
EDITED = ("g1", "g2")
EDITS = 300
IMPORTS = 6
HEADER = "编号,名称,社区编号,街道编号,户数,人口,几何WKT"


def _seed(store) -> None:
    grids = gpd.GeoDataFrame(
        {"id": ["g1", "g2", "g3"], "name": ["网格一", "网格二", "网格三"],
         "community_id": ["c1"] * 3, "street_id": ["s1"] * 3, "households": [0, 1000, 5],
         "residents": [0, 0, 0]},
        geometry=[box(121.25, 28.63, 121.26, 28.64), box(121.26, 28.63, 121.27, 28.64),
                  box(121.25, 28.64, 121.26, 28.65)], crs="EPSG:4326")
    store.write_layers({"grids": grids})


def _grids_csv(path, k: int, with_shared_row: bool) -> str:
    rows = [HEADER]
    for j in range(20):
        x = 121.25 + 0.001 * j
        rows.append(f'n{k}-{j},导入网格{k}-{j},c1,s1,{j},{j},"POLYGON (({x} 28.65, {x + 0.001} 28.65, '
                    f'{x + 0.001} 28.651, {x} 28.651, {x} 28.65))"')
    if with_shared_row:
        rows.append(f'g3,网格三(第{k}次导入),c1,s1,{k},{k},"POLYGON ((121.25 28.64, 121.26 28.64, '
                    f'121.26 28.65, 121.25 28.65, 121.25 28.64))"')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def _edit(store, edits: int, errors: list) -> None:
    try:
        for i in range(edits):
            row_id = EDITED[i % 2]
            while True:
                row = store.load("grids", where={"id": row_id}).iloc[0]
                try:
                    with store.transaction(account="editor") as tx:
                        tx.update("grids", row_id, {"households": int(row["households"]) + 1},
                                  expected_version=int(row["version"]))
                    break
                except ConflictError:
                    continue
    except Exception as exc:  # noqa: BLE001 - reported by the test
        errors.append(exc)


def _import(store, path, outcomes: list, start: threading.Barrier | None = None) -> None:
    plan = plan_import([path], store)
    assert plan.ok, [p.describe() for p in plan.problems]
    if start is not None:
        start.wait(timeout=300)
    try:
        outcomes.append(apply_import(store, plan, account="importer"))
    except ImportRefused as exc:
        outcomes.append(exc)
    except Exception as exc:  # noqa: BLE001 - a raw error is a failure of this test
        outcomes.append(exc)


def test_300_edits_during_6_imports_lose_none(fresh_postgis_url, tmp_path):
    store = PostGISStore(fresh_postgis_url)
    try:
        _seed(store)
        errors, outcomes = [], []
        editors = [threading.Thread(target=_edit, args=(store, EDITS // 2, errors))
                   for _ in range(2)]
        for thread in editors:
            thread.start()
        for k in range(IMPORTS):  # one after another, each while the edits go on
            _import(store, _grids_csv(tmp_path / f"grids_{k}.csv", k, False), outcomes)
        for thread in editors:
            thread.join(timeout=600)
        assert not errors, errors
        assert all(isinstance(o, str) for o in outcomes), outcomes
        grids = store.load("grids").set_index("id")
        assert grids.loc["g1", "households"] + grids.loc["g2", "households"] == 1000 + EDITS
        assert grids.loc["g1", "version"] + grids.loc["g2", "version"] == 2 + EDITS
        assert len(grids) == 3 + 20 * IMPORTS
    finally:
        store.dispose()


def test_two_imports_at_once_both_succeed_or_one_is_refused_clearly(fresh_postgis_url, tmp_path):
    store = PostGISStore(fresh_postgis_url)
    try:
        _seed(store)
        for attempt in range(3):
            outcomes: list = []
            start = threading.Barrier(2)
            threads = [threading.Thread(target=_import, args=(
                store, _grids_csv(tmp_path / f"grids_{attempt}_{k}.csv", 10 * attempt + k, True),
                outcomes, start)) for k in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=600)
            assert len(outcomes) == 2
            refused = [o for o in outcomes if not isinstance(o, str)]
            assert all(isinstance(o, ChangedSinceCheck) for o in refused), refused
            assert len(refused) <= 1  # the first to lock always gets in
            for exc in refused:
                assert "g3" in str(exc) and "未导入" in str(exc) and "nothing imported" in str(exc)
        grids = store.load("grids").set_index("id")
        assert grids.loc["g3", "version"] >= 1 + 3  # one import per attempt at least
    finally:
        store.dispose()


def test_an_edit_between_check_and_import_refuses_the_import(fresh_postgis_url, tmp_path):
    store = PostGISStore(fresh_postgis_url)
    try:
        _seed(store)
        plan = plan_import([_grids_csv(tmp_path / "grids.csv", 1, True)], store)
        with store.transaction() as tx:
            tx.update("grids", "g3", {"households": 77}, expected_version=1)
        with pytest.raises(ChangedSinceCheck, match="g3"):
            apply_import(store, plan)
        assert store.load("grids", where={"id": "g3"})["households"].item() == 77
    finally:
        store.dispose()
