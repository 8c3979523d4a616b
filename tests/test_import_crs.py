"""Import: coordinate systems detected (GCJ-02, BD-09, Gauss-Kruger, CGCS2000) and chosen
per file, on the data page and on the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import numpy as np
import pytest

from geo import crs
from geo.importer import (
    APPLIED,
    detect,
    distinct_names,
    import_files,
    plan_import,
)
from geo.importer.templates import layer_table


def _positions_csv(positions, path, transform=None):
    table = layer_table("service_positions", positions)
    if transform:
        table["经度"], table["纬度"] = transform(table["经度"].to_numpy(), table["纬度"].to_numpy())
    table.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _max_metres(a, b) -> float:
    a = gpd.GeoSeries(a, crs=4326).to_crs(4549).reset_index(drop=True)
    b = gpd.GeoSeries(b, crs=4326).to_crs(4549).reset_index(drop=True)
    return float(a.distance(b).max())


def test_gcj02_positions_detected_and_within_one_metre(writable_sample_store, tmp_path):
    store = writable_sample_store
    positions = store.load("service_positions")
    assert len(positions) == 32
    path = _positions_csv(positions, tmp_path / "service_positions.csv", crs.wgs84_to_gcj02)
    plan, log_id = import_files(store, [path])
    assert plan.tables[0].crs == "gcj02" and plan.ok
    converted = plan.frames["service_positions"].set_index("id").loc[positions["id"]]
    assert _max_metres(converted.geometry.values, positions.geometry.values) < 1.0
    # converted back within a centimetre: the stored positions are the same, left unwritten
    assert plan.counts["service_positions"]["unchanged"] == 32 and log_id is None


def test_bd09_and_gcj02_declared_into_an_empty_store(sample_store, tmp_path):
    positions = sample_store.load("service_positions")
    for choice, forward in (("gcj02", crs.wgs84_to_gcj02), ("bd09", crs.wgs84_to_bd09)):
        path = _positions_csv(positions, tmp_path / f"阵地_{choice}.csv", forward)
        plan = plan_import([path], None, crs=choice)
        assert plan.tables[0].crs == choice and plan.tables[0].layer == "service_positions"
        got = plan.frames["service_positions"].geometry.values
        assert _max_metres(got, positions.geometry.values) < 1.0


@pytest.mark.parametrize("epsg", ["EPSG:4549", "EPSG:4528"])
def test_projected_gauss_kruger_detected_from_metre_values(epsg, small_store, tmp_path):
    members = small_store.load("members").to_crs(epsg)
    path = tmp_path / "members_projected.csv"
    layer_table("members", members).to_csv(path, index=False)
    plan = plan_import([path], small_store)
    assert plan.tables[0].crs == epsg and plan.ok
    got = plan.frames["members"].geometry.values
    assert _max_metres(got, small_store.load("members").geometry.values) < 0.01


def test_wgs84_file_stays_wgs84_and_cgcs2000_is_noted(small_store, tmp_path):
    frame = small_store.load("members")
    path = tmp_path / "members.geojson"
    frame.set_crs(4490, allow_override=True).to_file(path, driver="GeoJSON")
    plan = plan_import([path], small_store)
    assert plan.tables[0].crs in ("wgs84", "EPSG:4490")
    assert np.allclose(plan.frames["members"].geometry.x, frame.geometry.x, atol=1e-12)


def test_crs_override_per_file(sample_store, tmp_path):
    positions = sample_store.load("service_positions")
    gcj = _positions_csv(positions, tmp_path / "阵地_高德.csv", crs.wgs84_to_gcj02)
    bd = _positions_csv(positions.assign(id=positions["id"] + "B"), tmp_path / "阵地_百度.csv",
                        crs.wgs84_to_bd09)
    plan = plan_import([gcj, bd], None, crs={"阵地_百度.csv": "bd09"})
    assert [(r.file, r.crs) for r in plan.tables] == [("阵地_高德.csv", "gcj02"),
                                                      ("阵地_百度.csv", "bd09")]
    got = plan.frames["service_positions"].set_index("id")
    for suffix in ("", "B"):
        back = got.loc[positions["id"] + suffix].geometry.values
        assert _max_metres(back, positions.geometry.values) < 1.0
    other = plan_import([gcj, bd], sample_store, crs={"阵地_高德.csv": "bd09"})  # overrides win
    assert [r.crs for r in other.tables] == ["bd09", "bd09"]  # the other file: detected


def test_cli_crs_per_file_imports_and_rollback(small_store, tmp_path):
    members = small_store.load("members").assign(id=lambda f: f["id"] + "P")
    projected = tmp_path / "members_survey.csv"
    layer_table("members", members.to_crs(4549)).to_csv(projected, index=False)
    store = ["--store", str(small_store.path)]
    run = [sys.executable, "-m", "geo.cli"]
    bad = subprocess.run([*run, "import", str(projected), "--crs", "other.csv=4549", *store],
                         check=False, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "other.csv is not one of the files" in bad.stderr
    result = subprocess.run([*run, "import", str(projected), "--crs",
                             "members_survey.csv=EPSG:4549", *store],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "crs=EPSG:4549" in result.stdout
    got = small_store.load("members").set_index("id").loc[members["id"]]
    assert _max_metres(got.geometry.values, members.geometry.values) < 0.01
    listed = subprocess.run([*run, "imports", "--json", *store], check=False,
                            capture_output=True, text=True, timeout=120)
    log = json.loads(listed.stdout)
    assert [r["status"] for r in log] == [APPLIED] and "members_survey.csv" in log[0]["files"]
    back = subprocess.run([*run, "rollback", log[0]["id"], *store], check=False,
                          capture_output=True, text=True, timeout=120)
    assert back.returncode == 0, back.stderr
    assert not set(members["id"]) & set(small_store.load("members")["id"])
    again = subprocess.run([*run, "rollback", log[0]["id"], *store], check=False,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "already rolled back" in again.stderr


def test_same_file_name_twice_keeps_its_own_crs(sample_store, tmp_path):
    assert distinct_names(["a.csv", "b.csv", "a.csv", "a.csv"]) == [
        "a.csv", "b.csv", "a (2).csv", "a (3).csv"]
    positions = sample_store.load("service_positions")
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    first = _positions_csv(positions, tmp_path / "x" / "service_positions.csv", crs.wgs84_to_gcj02)
    second = _positions_csv(positions.assign(id=positions["id"] + "B"),
                            tmp_path / "y" / "service_positions.csv", crs.wgs84_to_bd09)
    plan = plan_import([first, second], None, crs={"service_positions.csv": "gcj02",
                                                   "service_positions (2).csv": "bd09"})
    assert [(r.file, r.crs) for r in plan.tables] == [("service_positions.csv", "gcj02"),
                                                      ("service_positions (2).csv", "bd09")]
    got = plan.frames["service_positions"].set_index("id")
    assert _max_metres(got.loc[positions["id"] + "B"].geometry.values,
                       positions.geometry.values) < 1.0


def _problems(plan, code):
    return [p for p in plan.problems if p.code == code]


def test_a_longitude_of_200_is_named_and_the_crs_comes_from_the_valid_rows(sample_store,
                                                                           tmp_path):
    positions = sample_store.load("service_positions")
    table = layer_table("service_positions", positions)
    table.loc[3, "经度"] = 200.5
    table.loc[6, "纬度"] = 95.25
    path = tmp_path / "阵地_坐标错.csv"
    table.to_csv(path, index=False, encoding="utf-8-sig")
    plan = plan_import([path], sample_store)
    assert plan.tables[0].crs == "wgs84"
    bad = {p.row: p for p in _problems(plan, "coordinate_out_of_range")}
    assert sorted(bad) == [5, 8] and {p.file for p in bad.values()} == {"阵地_坐标错.csv"}
    assert "经度 200.5 超出 −180…180" in bad[5].message_zh
    assert "longitude 200.5 is outside −180…180" in bad[5].message_en
    assert "纬度 95.25 超出 −90…90" in bad[8].message_zh
    assert "latitude 95.25 is outside −90…90" in bad[8].message_en
    assert bad[5].describe() and "位置" in bad[5].message_zh  # the field, as people call it
    assert not [p for p in plan.problems if p.row in bad and p.code == "outside_district"]


@pytest.mark.parametrize("column,value,words", [
    ("经度", 200.5, ("经度 200.5 超出 −180…180", "longitude 200.5 is outside −180…180")),
    ("纬度", -91.0, ("纬度 -91.0 超出 −90…90", "latitude -91.0 is outside −90…90"))])
def test_a_file_of_only_bad_degrees_says_cannot_tell_not_a_metric_guess(
        column, value, words, sample_store, tmp_path):
    table = layer_table("service_positions", sample_store.load("service_positions").head(1))
    table.loc[0, column] = value
    path = tmp_path / "阵地_一行.csv"
    table.to_csv(path, index=False, encoding="utf-8-sig")
    plan = plan_import([path], sample_store)
    assert plan.tables[0].crs == detect.UNKNOWN_CRS
    assert (detect.crs_label(plan.tables[0].crs, "zh"),
            detect.crs_label(plan.tables[0].crs, "en")) == ("无法判定", "cannot tell")
    [bad] = _problems(plan, "coordinate_out_of_range")
    assert (bad.file, bad.row) == ("阵地_一行.csv", 2)
    assert words[0] in bad.message_zh and words[1] in bad.message_en
    assert not _problems(plan, "outside_district") and not plan.ok


def test_a_degree_row_in_a_metre_file_is_outside_the_grid_crs(small_store, tmp_path):
    members = small_store.load("members").to_crs(4549)
    table = layer_table("members", members)
    table.loc[1, "经度"] = 200.5
    path = tmp_path / "members_projected.csv"
    table.to_csv(path, index=False)
    plan = plan_import([path], small_store)
    assert plan.tables[0].crs == "EPSG:4549"
    [bad] = _problems(plan, "coordinate_out_of_range")
    assert bad.row == 3 and "EPSG:4549" in bad.message_zh and "area of use" in bad.message_en
