"""Exports and the store where they land (issue 24): GDAL 3.6's own GeoPackage validator and
ogrinfo (Debian 12), geojson-validator plus a 7-decimal check for RFC 7946, CSV cells within
Excel's 32,767 characters, times in local ISO 8601 with the offset."""

from __future__ import annotations

import csv
import io
import itertools
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from make_bad_files import build_tiny_store
from openpyxl import load_workbook

from geo import clock
from geo.exporter import export_store
from geo.store import open_store
from geo.store.backup import backup

SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with python3-gdal (GDAL 3.6 and its samples)
VALIDATOR = "osgeo_utils.samples.validate_gpkg"
EXCEL_CELL_MAX = 32_767
SAMPLE_LAYERS = ["districts", "grids", "members", "service_orders", "cases"]


def validate_gpkg(path: Path) -> None:
    """GDAL's validate_gpkg.py, warnings counted as errors."""
    probe = subprocess.run([SYSTEM_PYTHON, "-c", f"import {VALIDATOR}"], capture_output=True,
                           check=False) if Path(SYSTEM_PYTHON).exists() else None
    if probe is None or probe.returncode != 0:
        pytest.skip("GDAL's validate_gpkg.py (Debian python3-gdal) is not installed")
    done = subprocess.run([SYSTEM_PYTHON, "-m", VALIDATOR, "--warning-as-error", str(path)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{path.name}: {done.stdout}{done.stderr}"[-3000:]


def ogrinfo_output(path: Path) -> str:
    if shutil.which("ogrinfo") is None:
        pytest.skip("GDAL's ogrinfo is not installed")
    done = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(path)], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def test_store_backup_and_gpkg_exports_pass_gdal_validator(writable_sample_store, tmp_path):
    store = writable_sample_store
    with store.transaction() as tx:  # a row edit through SQL after GDAL built the file
        tx.update("grids", store.load("grids")["id"].iloc[0], {"name": "改名网格"})
    validate_gpkg(store.path)
    output = ogrinfo_output(store.path)
    assert "Warning" not in output and "hongtu_state" in output
    backup(store, tmp_path / "backup")
    validate_gpkg(tmp_path / "backup" / "hongtu.gpkg")
    for unmasked in (True, False):
        out = export_store(store, "gpkg", tmp_path / f"export_{unmasked}.gpkg",
                           layers=SAMPLE_LAYERS, can_see_personal=unmasked)
        validate_gpkg(out)
        assert "Warning" not in ogrinfo_output(out)
    with sqlite3.connect(store.path) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'gpkg%' "
            "AND name NOT LIKE 'rtree%' AND name != 'sqlite_sequence'")}
        registered = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
        kinds = dict(conn.execute("SELECT table_name, data_type FROM gpkg_contents"))
    assert tables <= registered and kinds["hongtu_state"] == "attributes"


def _old_store(path: Path) -> None:
    """A store as Hongtu wrote it before: GeoPackage 1.4 (GDAL's default), the 1.4 R-tree
    triggers, and an unregistered ``hongtu_state (key TEXT PRIMARY KEY, value)``."""
    grids = gpd.GeoDataFrame(
        {"id": ["G1", "G2"], "version": [1, 1], "name": ["一网格", "二网格"],
         "community_id": ["C1", "C1"], "street_id": ["S1", "S1"]},
        geometry=gpd.GeoSeries.from_wkt([
            "POLYGON ((121.25 28.63, 121.26 28.63, 121.26 28.64, 121.25 28.63))",
            "POLYGON ((121.26 28.63, 121.27 28.63, 121.27 28.64, 121.26 28.63))"]), crs=4326)
    pyogrio.write_dataframe(grids, path, layer="grids", driver="GPKG", promote_to_multi=True)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE hongtu_state (key TEXT PRIMARY KEY, value INTEGER)")
        conn.execute("INSERT INTO hongtu_state VALUES ('revision', 41)")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 10400
        assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = "
                            "'rtree_grids_geom_update6'").fetchone()


def test_an_older_store_opens_and_becomes_a_valid_geopackage_1_3(tmp_path):
    path = tmp_path / "old.gpkg"
    _old_store(path)
    store = open_store(path)
    assert store.revision().endswith("-41")  # the counter kept
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 10300
    validate_gpkg(path)
    assert "Warning" not in ogrinfo_output(path)
    with store.transaction() as tx:  # a geometry edit goes through the 1.3 triggers
        tx.update("grids", "G2", {"geometry": gpd.GeoSeries.from_wkt(
            ["POLYGON ((121.3 28.7, 121.31 28.7, 121.31 28.71, 121.3 28.7))"]).iloc[0]})
    assert store.revision().endswith("-42")
    with sqlite3.connect(path) as conn:
        boxes = conn.execute("SELECT minx FROM rtree_grids_geom ORDER BY id").fetchall()
    assert [round(b[0], 2) for b in boxes] == [121.25, 121.3]
    validate_gpkg(path)


def _decimals(value: float) -> int:
    text = repr(float(value))
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def _ring_area(ring) -> float:
    """Signed area (shoelace): > 0 counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def _polygons(geometry: dict):
    if geometry is None:
        return []
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def _coordinates(value):
    if isinstance(value, (int, float)):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _coordinates(item)


def check_rfc7946(path: Path) -> int:
    """geojson-validator (structure with its crs check; the invalid-geometry criteria, among
    them exterior_not_ccw and interior_not_cw) and a written check of the same points plus
    at most 7 decimals; returns the number of polygons checked."""
    import geojson_validator

    data = json.loads(path.read_text(encoding="utf-8"))
    assert "crs" not in data, path.name
    assert geojson_validator.validate_structure(data, check_crs=True) == {}, path.name
    assert geojson_validator.validate_geometries(data)["invalid"] == {}, path.name
    polygons = 0
    for feature in data["features"]:
        geometry = feature["geometry"]
        if geometry is not None:
            assert max(_decimals(v) for v in _coordinates(geometry["coordinates"])) <= 7
        for rings in _polygons(geometry):
            polygons += 1
            assert _ring_area(rings[0]) > 0, (path.name, feature["properties"].get("id"))
            assert all(_ring_area(hole) < 0 for hole in rings[1:])
    return polygons


def test_geojson_exports_are_rfc7946(sample_store, tmp_path):
    folder = export_store(sample_store, "geojson", tmp_path / "geojson", can_see_personal=True)
    files = sorted(folder.glob("*.geojson"))
    assert {"grids.geojson", "districts.geojson", "members.geojson"} <= {f.name for f in files}
    polygons = sum(check_rfc7946(f) for f in files)
    assert polygons >= 519  # every polygon layer of the sample district
    masked = export_store(sample_store, "geojson", tmp_path / "masked",
                          layers=["grids", "members"])
    assert sum(check_rfc7946(f) for f in sorted(masked.glob("*.geojson"))) == 381


def test_csv_cells_fit_excel_and_the_outline_spills_into_columns(tmp_path):
    source = build_tiny_store(tmp_path / "tiny.gpkg")
    folder = export_store(source, "csv", tmp_path / "csv", can_see_personal=True)
    for file in folder.glob("*.csv"):
        rows = list(csv.reader(io.StringIO(file.read_text(encoding="utf-8-sig"))))
        assert max(len(cell) for row in rows for cell in row) <= EXCEL_CELL_MAX, file.name
    head, outline = list(csv.reader(io.StringIO(
        (folder / "districts.csv").read_text(encoding="utf-8-sig"))))[:2]
    assert head[-2:] == ["几何WKT", "几何WKT续1"]
    district = source.load("districts").geometry.iloc[0]
    assert len("".join(outline[-2:])) > EXCEL_CELL_MAX  # one cell would have been cut
    assert gpd.GeoSeries.from_wkt(["".join(outline[-2:])]).iloc[0].equals_exact(district, 0)


def test_times_are_local_iso_with_offset_in_every_format(sample_store, tmp_path):
    stored = sample_store.load("service_orders").sort_values("id").reset_index(drop=True)
    expected = clock.local_iso(stored["created_at"]).tolist()
    assert expected[0].endswith("+08:00") and "T" in expected[0]
    csv_dir = export_store(sample_store, "csv", tmp_path / "csv", layers=["service_orders"],
                           can_see_personal=True)
    table = pd.read_csv(csv_dir / "service_orders.csv", dtype=str, encoding="utf-8-sig")
    assert table.sort_values("编号")["下单时间"].tolist() == expected
    book = export_store(sample_store, "xlsx", tmp_path / "out.xlsx", layers=["service_orders"],
                        can_see_personal=True)
    sheet = load_workbook(book, read_only=True)["服务工单"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("下单时间")
    assert sorted(r[column] for r in rows[1:]) == sorted(expected)
    folder = export_store(sample_store, "geojson", tmp_path / "geojson",
                          layers=["service_orders"], can_see_personal=True)
    features = json.loads((folder / "service_orders.geojson").read_text())["features"]
    assert sorted(f["properties"]["created_at"] for f in features) == sorted(expected)
    first = stored.iloc[0]
    local = clock.to_local(first["created_at"])
    assert expected[0] == f"{local:%Y-%m-%dT%H:%M:%S}+08:00"


def test_a_backup_of_an_older_store_restores_as_geopackage_1_3(monkeypatch, small_store,
                                                                tmp_path):
    from geo.store import gpkg_compat
    from geo.store.backup import restore

    _old_store(tmp_path / "old.gpkg")
    with monkeypatch.context() as patch:  # a backup taken before stores were upgraded
        patch.setattr(gpkg_compat, "ensure_current", lambda path: None)
        backup(open_store(tmp_path / "old.gpkg"), tmp_path / "backup")
    with sqlite3.connect(tmp_path / "backup" / "hongtu.gpkg") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 10400
    restore(small_store, tmp_path / "backup")
    assert small_store.layer_names() == ["grids"]
    validate_gpkg(small_store.path)
    assert "Warning" not in ogrinfo_output(small_store.path)
