"""Export: every format round-trips through the importer; GDAL opens GeoPackage and GeoJSON
with EPSG:4326 and intact Chinese values; Excel has Chinese headers; personal data masked."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

import pandas as pd
import pytest
from make_bad_files import build_tiny_store
from openpyxl import load_workbook

from geo.exporter import export_bytes, export_layers, export_store
from geo.importer import import_files
from geo.store import open_store

FORMAT_OUT = {"gpkg": "out.gpkg", "geojson": "out_geojson.zip", "xlsx": "out.xlsx",
              "csv": "out_csv.zip"}


def assert_same_layers(source, target, layers):
    for name in layers:
        a = source.load(name).sort_values("id").reset_index(drop=True)
        b = target.load(name).sort_values("id").reset_index(drop=True)
        assert a["id"].tolist() == b["id"].tolist(), name
        plain_a = a.drop(columns=["version", "geometry"], errors="ignore")
        plain_b = b.drop(columns=["version", "geometry"], errors="ignore")
        pd.testing.assert_frame_equal(plain_a, plain_b, obj=name)
        if "geometry" in a.columns:  # RFC 7946 GeoJSON turns outer rings counter-clockwise
            assert a.geometry.normalize().geom_equals_exact(b.geometry.normalize(), 1e-7).all(), \
                name


@pytest.mark.parametrize("fmt", list(FORMAT_OUT))
def test_tiny_store_round_trips_through_each_format(fmt, tmp_path):
    source = build_tiny_store(tmp_path / "tiny.gpkg")
    out = export_store(source, fmt, tmp_path / FORMAT_OUT[fmt], can_see_personal=True)
    target = open_store(tmp_path / "empty.gpkg")
    plan, log_id = import_files(target, [out])
    assert log_id, [p.describe() for p in plan.problems]
    layers = export_layers(source)
    assert layers == ["districts", "streets", "communities", "grids", "compounds", "members"]
    assert_same_layers(source, target, layers)
    assert {t.crs for t in plan.tables} == {"wgs84"}


@pytest.mark.parametrize("fmt", list(FORMAT_OUT))
def test_sample_district_round_trips_through_each_format(fmt, sample_store, tmp_path):
    """Every exported layer of the whole sample district, in every format."""
    out = export_store(sample_store, fmt, tmp_path / FORMAT_OUT[fmt], can_see_personal=True)
    target = open_store(tmp_path / "empty.gpkg")
    plan, log_id = import_files(target, [out])
    assert log_id, [p.describe() for p in plan.problems[:5]]
    layers = [n for n in export_layers(sample_store) if len(sample_store.load(n))]
    assert len(layers) >= 22 and {"service_orders", "cases", "disclosures"} <= set(layers)
    assert set(plan.counts) == set(layers)
    assert len(target.load("members")) == 4760 and len(target.load("grids")) == 381
    assert_same_layers(sample_store, target, layers)


def ogrinfo(*args) -> str:
    if shutil.which("ogrinfo") is None:
        pytest.skip("GDAL's ogrinfo is not installed")
    result = subprocess.run(["ogrinfo", *args], check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_gdal_opens_geopackage_with_wgs84_and_chinese_values(tmp_path):
    source = build_tiny_store(tmp_path / "tiny.gpkg")
    out = export_store(source, "gpkg", tmp_path / "out.gpkg", can_see_personal=True)
    summary = ogrinfo("-al", "-so", str(out), "grids")
    assert 'ID["EPSG",4326]' in summary and "Feature Count: 2" in summary
    assert "households: Integer" in summary
    rows = ogrinfo("-q", str(out), "-sql", "SELECT name FROM members WHERE id = 'M1'")
    assert "name (String) = 张三明" in rows
    tables = ogrinfo("-q", str(out), "-sql", "SELECT name FROM compounds")
    assert "永悦华府" in tables


def test_gdal_opens_geojson_with_wgs84_and_chinese_values(tmp_path):
    source = build_tiny_store(tmp_path / "tiny.gpkg")
    folder = export_store(source, "geojson", tmp_path / "geojson", can_see_personal=True)
    summary = ogrinfo("-al", "-so", str(folder / "members.geojson"))
    assert 'ID["EPSG",4326]' in summary and "Feature Count: 2" in summary
    rows = ogrinfo("-al", "-q", str(folder / "grids.geojson"))
    assert "name (String) = 桔源一网格" in rows and "name (String) = 桔源二网格" in rows


def test_excel_has_chinese_headers_and_one_sheet_per_layer(tmp_path):
    source = build_tiny_store(tmp_path / "tiny.gpkg")
    data, name = export_bytes(source, "xlsx", can_see_personal=True)
    assert name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["区县", "街道", "社区", "网格", "小区", "在职党员", "导出说明"]
    head = [c.value for c in book["在职党员"][1]]
    assert head[:4] == ["编号", "姓名", "电话", "性别"] and head[-2:] == ["经度", "纬度"]
    assert [c.value for c in book["在职党员"][2]][:3] == ["M1", "张三明", "13812341234"]
    district_head = [c.value for c in book["区县"][1]]
    assert district_head[-2:] == ["几何WKT", "几何WKT续1"]  # the 1,627-vertex outline spills


def test_csv_is_utf8_with_bom_in_a_zip(tmp_path):
    source = build_tiny_store(tmp_path / "tiny.gpkg")
    data, _ = export_bytes(source, "csv", can_see_personal=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        raw = archive.read("members.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("编号,姓名,电话,性别,网格编号")
    assert lines[1].startswith("M1,张三明,13812341234,男,G1,X1")


def test_personal_data_masked_unless_allowed(tmp_path):
    source = build_tiny_store(tmp_path / "tiny.gpkg")
    masked, _ = export_bytes(source, "csv")
    with zipfile.ZipFile(io.BytesIO(masked)) as archive:
        text = archive.read("members.csv").decode("utf-8-sig")
    assert "张*明" in text and "138****1234" in text
    assert "张三明" not in text and "13812341234" not in text
    out = export_store(source, "gpkg", tmp_path / "masked.gpkg")
    assert open_store(out).load("members")["phone"].tolist() == ["138****1234", "139****1111"]


@pytest.mark.postgis
def test_sample_district_export_imports_into_an_empty_postgis(sample_store, postgis_store,
                                                              tmp_path):
    out = export_store(sample_store, "gpkg", tmp_path / "out.gpkg", can_see_personal=True)
    plan, log_id = import_files(postgis_store, [out])
    assert log_id, [p.describe() for p in plan.problems[:5]]
    layers = [n for n in export_layers(sample_store) if len(sample_store.load(n))]
    assert_same_layers(sample_store, postgis_store, layers)
