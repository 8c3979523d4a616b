"""The store contract, run against both backends: GeoPackage and a real PostGIS."""

from __future__ import annotations

import datetime as dt
import shutil

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiLineString, MultiPolygon, Point, box
from store_dataset import dataset

from geo import schema
from geo.store import ConflictError, NotFoundError, StoreError, open_store
from geo.store.base import coerce, frame_digest
from geo.store.postgis import PostGISStore

WGS84 = schema.WGS84
TOL = 1e-9
BACKENDS = ["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)]


@pytest.fixture(params=BACKENDS)
def any_store(request, tmp_path):
    """An empty store of each backend."""
    if request.param == "gpkg":
        return open_store(tmp_path / "t.gpkg")
    return request.getfixturevalue("postgis_store")


@pytest.fixture(scope="module")
def filled_gpkg(tmp_path_factory):
    """A GeoPackage holding :func:`dataset`, written once per module (tests write copies)."""
    path = tmp_path_factory.mktemp("filled") / "filled.gpkg"
    open_store(path).write_layers(dataset())
    return path


@pytest.fixture(scope="module")
def filled_postgis_url(postgis_cluster):
    """A database holding :func:`dataset`, written once per module and used as a template."""
    url = postgis_cluster.new_database("hongtu_filled")
    store = PostGISStore(url)
    store.write_layers(dataset())
    store.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def filled_store(request, tmp_path):
    """A private, writable store of each backend holding :func:`dataset`."""
    if request.param == "gpkg":
        path = tmp_path / "t.gpkg"
        shutil.copyfile(request.getfixturevalue("filled_gpkg"), path)
        yield open_store(path)
        return
    cluster = request.getfixturevalue("postgis_cluster")
    template = request.getfixturevalue("filled_postgis_url").rsplit("/", 1)[1]
    store = PostGISStore(cluster.new_database(template=template))
    yield store
    store.dispose()
    cluster.drop_database(store.url)


def _stored(geometry: gpd.GeoSeries, geometry_type: str) -> list:
    """Geometries as a layer of ``geometry_type`` holds them: single parts become Multi*."""
    multi = {"Polygon": MultiPolygon, "LineString": MultiLineString}
    return [multi[g.geom_type]([g]) if geometry_type.startswith("Multi") and g.geom_type in multi
            else g for g in geometry]


def _attributes(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(frame.drop(columns=[schema.GEOMETRY], errors="ignore"))


def test_every_layer_round_trips_with_exact_values_and_dtypes(filled_store):
    for name, written in dataset().items():
        expected, loaded = coerce(name, written), filled_store.load(name)
        pd.testing.assert_frame_equal(_attributes(loaded), _attributes(expected), obj=name)
        if schema.layer(name).geometry:
            assert isinstance(loaded, gpd.GeoDataFrame) and loaded.crs == WGS84
            wanted = _stored(expected.geometry, schema.layer(name).geometry)
            assert shapely.equals_exact(loaded.geometry.values, wanted, tolerance=TOL).all(), name
    assert filled_store.layer_names() == sorted(dataset())


def test_round_trip_spot_values(filled_store):
    grids = filled_store.load("grids").set_index("id")
    assert grids.loc["g3", "households"] == 9_000_000_000 and grids.loc["g2", "residents"] == 0
    assert str(grids["households"].dtype) == "Int64"
    assert grids.loc["g1", "name"] == "网格1"
    assert grids.geometry["g1"].geom_type == "MultiPolygon"  # a Polygon written, promoted
    assert grids.geometry["g1"].bounds == pytest.approx(
        (121.25, 28.63, 121.2512345678, 28.6412345678), abs=TOL)
    firms = filled_store.load("property_firms").set_index("id")
    assert firms.loc["f2", "score"] == 0.1 + 0.2 and firms.loc["f1", "score"] == 97.125
    assert firms["red_property"].tolist() == [True, False] and firms["red_property"].dtype == bool
    orders = filled_store.load("service_orders").set_index("id")
    assert orders.loc["so1", "done_at"] == pd.Timestamp("2022-04-02 17:45:59")
    assert pd.isna(orders.loc["so2", "dispatched_at"]) and pd.isna(orders.loc["so2", "rating"])
    assert orders.loc["so1", "rating"] == 5 and str(orders["rating"].dtype) == "Int64"
    cases = filled_store.load("cases").set_index("id")
    assert str(cases["satisfied"].dtype) == "boolean"
    assert cases["satisfied"].tolist()[0] is True and pd.isna(cases.loc["k2", "satisfied"])
    members = filled_store.load("members").set_index("id")
    assert members.loc["m2", "name"] == "O'Brien \"Li\""
    assert members.loc["m1", "joined_party"] == pd.Timestamp("1999-12-31")
    assert members["reported_on"].dtype == "datetime64[ns]"
    point = filled_store.load("service_positions").set_index("id").geometry["p1"]
    assert abs(point.x - 121.2512345678901) < TOL and abs(point.y - 28.6398765432109) < TOL
    payload = filled_store.load("scenarios")["payload"].iloc[0]
    assert payload == '{"k": 2, "sites": ["p1", "p2"], "名称": "新增点位"}'
    assert filled_store.load("audit")["before"].isna().tolist() == [True]


def test_rows_come_back_in_written_order(filled_store):
    assert filled_store.load("members")["id"].tolist() == ["m1", "m2", "m3"]
    with filled_store.transaction() as tx:
        tx.update("members", "m1", {"post": "楼栋长"})
    assert filled_store.load("members")["id"].tolist() == ["m1", "m2", "m3"]


def test_where_filters(filled_store):
    members = filled_store.load("members", where={"grid_id": "g1"})
    assert members["id"].tolist() == ["m1", "m2"] and isinstance(members, gpd.GeoDataFrame)
    both = filled_store.load("members", where={"grid_id": "g1", "gender": "女"})
    assert both["name"].tolist() == ["O'Brien \"Li\""]
    assert filled_store.load("members", where={"name": "O'Brien \"Li\""})["id"].tolist() == ["m2"]
    orders = filled_store.load("service_orders", where={"status": "new"})
    assert orders["id"].tolist() == ["so2"] and str(orders["rating"].dtype) == "Int64"
    none = filled_store.load("compounds", where={"name": "不存在"})
    assert len(none) == 0 and list(none.columns) == schema.layer("compounds").columns
    with pytest.raises(KeyError):
        filled_store.load("members", where={"no_such_column": 1})


def test_load_compound_attaches_everything(filled_store):
    detail = filled_store.load_compound("cp1")
    assert detail.compound["name"] == "永悦华府" and detail.compound["households"] == 820
    assert detail.party_branch["secretary_name"] == "李红"
    assert detail.party_branch["party_members"] == 31
    assert detail.owners_committee["one_shoulder"] is True
    assert detail.supervisory_committee["director_name"] == "陈静"
    assert detail.property_firm["name"] == "黄岩红色物业有限公司"
    assert detail.party_instructor["phone"] == "13812341234"
    assert detail.party_alliance["name"] == "迎熏党建联盟"
    assert detail.geometry.bounds == pytest.approx(
        (121.25, 28.63, 121.2512345678, 28.6412345678), abs=TOL)
    counts = {name: len(frame) for name, frame in detail.related.items()}
    assert counts == {"members": 2, "joint_meetings": 2, "disclosures": 1, "service_orders": 2,
                      "cases": 1, "pairings": 1, "volunteer_teams": 1, "service_positions": 1}
    bare = filled_store.load_compound("cp2")
    assert bare.party_branch is None and bare.party_alliance is None
    assert bare.property_firm["name"] == "Lime Property"
    with pytest.raises(NotFoundError):
        filled_store.load_compound("cp9")


def test_update_checks_the_version(filled_store):
    with filled_store.transaction() as tx:
        before = tx.update("members", "m1", {"post": "楼栋长", "reported_on": "2022-04-01",
                                             "geometry": Point(121.26, 28.64)}, expected_version=1)
    assert before["post"] == "楼道长" and before["version"] == 1
    row = filled_store.load("members", where={"id": "m1"}).iloc[0]
    assert (row["post"], row["version"]) == ("楼栋长", 2)
    assert row["reported_on"] == pd.Timestamp("2022-04-01")
    assert (row.geometry.x, row.geometry.y) == (121.26, 28.64)
    with pytest.raises(ConflictError) as stale, filled_store.transaction() as tx:
        tx.update("members", "m1", {"post": "旧值"}, expected_version=1)
    assert (stale.value.expected, stale.value.actual) == (1, 2)
    with pytest.raises(NotFoundError), filled_store.transaction() as tx:
        tx.update("members", "m404", {"post": "x"}, expected_version=1)
    with pytest.raises(StoreError), filled_store.transaction() as tx:
        tx.update("members", "m1", {"version": 9})
    with filled_store.transaction() as tx:
        tx.update("cases", "k1", {"satisfied": None, "closed_at": dt.datetime(2022, 3, 6, 8)})
        tx.update("compounds", "cp2", {"geometry": box(121.21, 28.63, 121.22, 28.64)})
    case = filled_store.load("cases", where={"id": "k1"}).iloc[0]
    assert pd.isna(case["satisfied"]) and case["closed_at"] == pd.Timestamp("2022-03-06 08:00")
    compound = filled_store.load("compounds", where={"id": "cp2"}).iloc[0]
    assert compound.geometry.geom_type == "MultiPolygon" and compound["version"] == 2
    assert filled_store.load("members", where={"id": "m1"})["post"].tolist() == ["楼栋长"]


def test_append_and_delete(filled_store):
    with filled_store.transaction() as tx:
        tx.append("joint_meetings", pd.DataFrame([{"id": "jm3", "compound_id": "cp2",
                                                  "held_on": "2022-04-18", "topic": "垃圾分类",
                                                  "attendees": 6}]))
        assert tx.load("joint_meetings")["id"].tolist() == ["jm1", "jm2", "jm3"]
        assert tx.delete("members", ["m2", "m3", "m404"]) == 2
    assert filled_store.load("joint_meetings")["version"].tolist() == [1, 1, 1]
    assert filled_store.load("members")["id"].tolist() == ["m1"]


def test_failed_transaction_changes_nothing(filled_store):
    checksum, revision = filled_store.checksum(), filled_store.revision()
    gpkg_bytes = filled_store.path.read_bytes() if hasattr(filled_store, "path") else None
    with pytest.raises(RuntimeError), filled_store.transaction() as tx:
        tx.replace("members", dataset()["members"].iloc[:1])
        tx.update("grids", "g1", {"households": 1})
        tx.delete("compounds", ["cp1"])
        raise RuntimeError("cancelled half way")
    assert filled_store.checksum() == checksum and filled_store.revision() == revision
    assert len(filled_store.load("members")) == 3
    if gpkg_bytes is not None:
        assert filled_store.path.read_bytes() == gpkg_bytes


def test_revision_changes_after_every_write(filled_store):
    seen = [filled_store.revision()]
    assert filled_store.revision() == seen[0]  # stable while nothing is written
    writes = [
        lambda tx: tx.update("grids", "g2", {"households": 5}),
        lambda tx: tx.append("meta", pd.DataFrame([{"id": "k", "key": "k", "value": "v"}])),
        lambda tx: tx.delete("meta", ["k"]),
        lambda tx: tx.replace("roads", dataset()["roads"]),
    ]
    for write in writes:
        with filled_store.transaction() as tx:
            write(tx)
        seen.append(filled_store.revision())
    assert len(set(seen)) == len(seen)


def test_empty_store(any_store):
    assert any_store.layer_names() == []
    members = any_store.load("members")
    assert len(members) == 0 and list(members.columns) == schema.layer("members").columns
    assert isinstance(members, gpd.GeoDataFrame) and members.crs == WGS84
    firms = any_store.load("property_firms", where={"id": "f1"})
    assert len(firms) == 0 and list(firms.columns) == schema.layer("property_firms").columns
    assert any_store.meta() == {} and not any_store.is_sample
    with any_store.transaction() as tx:
        tx.replace("grids", dataset()["grids"])
    assert any_store.layer_names() == ["grids"] and len(any_store.load("members")) == 0
    assert len(any_store.load("grids")) == 3


@pytest.mark.postgis
def test_both_backends_give_identical_frames(filled_gpkg, filled_postgis_url):
    gpkg, postgis = open_store(filled_gpkg), PostGISStore(filled_postgis_url)
    try:
        for name in dataset():
            a, b = gpkg.load(name), postgis.load(name)
            assert a.dtypes.astype(str).tolist() == b.dtypes.astype(str).tolist(), name
            assert frame_digest(a) == frame_digest(b), name
        assert gpkg.checksum() == postgis.checksum()
    finally:
        postgis.dispose()


def test_import_and_rollback_around_a_later_edit(filled_store, tmp_path):
    """The importer's one transaction and its rollback on each backend: exact values come
    back, and a row edited after the import keeps its edit."""
    from geo.importer import RollbackConflict, import_files, rollback_import
    from geo.importer.templates import layer_table

    def content(name):
        return frame_digest(filled_store.load(name).drop(columns="version"))

    before = {n: content(n) for n in ("grids", "property_firms")}
    firms = filled_store.load("property_firms").assign(score=88.5, rating="C")
    grids = filled_store.load("grids")
    new_grids = grids.assign(id=grids["id"] + "n", name=grids["name"] + "新")
    layer_table("property_firms", firms).to_csv(tmp_path / "property_firms.csv", index=False)
    layer_table("grids", new_grids).to_csv(tmp_path / "grids.csv", index=False)
    plan, log_id = import_files(filled_store, [tmp_path / "property_firms.csv",
                                               tmp_path / "grids.csv"])
    assert log_id, [p.describe() for p in plan.problems]
    assert len(filled_store.load("grids")) == 2 * len(grids)
    with filled_store.transaction("editor") as tx:
        tx.update("property_firms", "f1", {"rating": "B"})
    frozen = filled_store.checksum()
    with pytest.raises(RollbackConflict) as caught:
        rollback_import(filled_store, log_id)
    assert caught.value.conflicts == [("property_firms", "f1", "changed")]
    assert filled_store.checksum() == frozen
    restored = rollback_import(filled_store, log_id, keep_later_edits=True)
    assert restored == {"property_firms": {"removed": 0, "restored": 1, "kept": 1},
                        "grids": {"removed": len(grids), "restored": 0}}
    after = filled_store.load("property_firms").set_index("id")
    assert (after.loc["f1", "rating"], after.loc["f1", "score"]) == ("B", 88.5)
    assert after.loc["f2", "score"] == 0.1 + 0.2  # restored to the last bit
    assert content("grids") == before["grids"]



def test_a_compound_from_cached_layers_equals_the_stored_read(filled_store):
    """components.network_cache builds a compound's panel by filtering cached whole layers:
    the same detail as Store.load_compound's queries."""
    from components.network_cache import _cached_rows
    from geo.store.compound_detail import compound_detail

    for compound_id in ("cp1", "cp2"):
        read, cached = (filled_store.load_compound(compound_id),
                        compound_detail(compound_id, _cached_rows(filled_store.url)))
        assert cached.compound == read.compound and cached.geometry.equals(read.geometry)
        for part in ("party_branch", "owners_committee", "supervisory_committee",
                     "property_firm", "party_instructor", "party_alliance"):
            assert getattr(cached, part) == getattr(read, part), part
        assert set(cached.related) == set(read.related)
        for name, frame in read.related.items():
            pd.testing.assert_frame_equal(cached.related[name], frame)
    with pytest.raises(NotFoundError):
        compound_detail("cp9", _cached_rows(filled_store.url))
