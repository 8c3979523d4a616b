"""Dataset validation: every problem, each naming layer, feature id and field."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import pandas as pd
from make_bad_files import build_tiny_store
from shapely.geometry import LineString, Point, Polygon, box

from geo.validation import validate_dataset, validate_store

DISTRICT = box(121.0, 28.5, 121.5, 28.8)
BOWTIE = Polygon([(121.25, 28.64), (121.26, 28.65), (121.26, 28.64), (121.25, 28.65)])


def _grids(**overrides) -> gpd.GeoDataFrame:
    data = {"id": ["G1", "G2"], "name": ["一网格", "二网格"], "community_id": ["C1", "C1"],
            "street_id": ["S1", "S1"], "households": [10, 20], "residents": [30, 40]}
    data.update(overrides.pop("data", {}))
    geoms = overrides.pop("geometry", [box(121.2, 28.6, 121.21, 28.61),
                                       box(121.21, 28.6, 121.22, 28.61)])
    return gpd.GeoDataFrame(data, geometry=geoms, crs=4326)


def ordered(items) -> list:
    return sorted(items, key=str)


def codes(problems) -> list[tuple]:
    return sorted(((p.layer, p.feature_id, p.field, p.code) for p in problems), key=str)


def test_a_clean_dataset_has_no_problems():
    known = {"streets": ["S1"], "communities": ["C1"]}
    assert validate_dataset({"grids": _grids()}, district=DISTRICT, known_ids=known) == []


def test_every_kind_of_problem_is_listed_with_layer_id_and_field():
    grids = _grids(
        data={"id": ["G1", "G1", "G3", "G4", "G5", "G6"],
              "name": ["一网格", None, "三", "四", "五", "六"],
              "community_id": ["C1", "C9", "C1", "C1", "C1", "C1"],
              "street_id": ["S1"] * 6, "households": [10, "很多", -1, 1, 2, 3],
              "residents": [1, 2, 3, 4, 5, 6]},
        geometry=[box(121.2, 28.6, 121.21, 28.61), box(121.2, 28.6, 121.21, 28.61), BOWTIE,
                  Point(121.2, 28.6), box(122.0, 30.0, 122.1, 30.1), Polygon()])
    members = gpd.GeoDataFrame(
        {"id": ["M1"], "name": ["张三"], "phone": ["1"], "gender": ["X"], "grid_id": ["G404"],
         "compound_id": ["X1"], "work_unit": ["w"], "post": ["p"], "duty": ["d"],
         "reported_on": ["2021-02-30"], "joined_party": ["2000-01-01"]},
        geometry=[Point(121.2, 28.6)], crs=4326)
    frames = {"grids": grids, "members": members}
    problems = validate_dataset(frames, district=DISTRICT, known_ids={"communities": ["C1"]})
    assert codes(problems) == ordered([
        ("grids", "G1", "id", "duplicate_id"),
        ("grids", "G1", "name", "missing_value"),
        ("grids", "G1", "community_id", "missing_ref"),
        ("grids", "G1", "households", "bad_type"),
        ("grids", "G3", "households", "below_minimum"),
        ("grids", "G3", "geometry", "invalid_geometry"),
        ("grids", "G4", "geometry", "wrong_geometry_type"),
        ("grids", "G5", "geometry", "outside_district"),
        ("grids", "G6", "geometry", "empty_geometry"),
        ("members", "M1", "gender", "bad_choice"),
        ("members", "M1", "grid_id", "missing_ref"),
        ("members", "M1", "reported_on", "bad_type"),
    ])
    invalid = next(p for p in problems if p.code == "invalid_geometry")
    assert "Self-intersection" in invalid.message_en and "几何无效" in invalid.message_zh
    ref = next(p for p in problems if p.code == "missing_ref" and p.layer == "members")
    assert ref.message_zh == "引用的grids不存在:G404"
    assert ref.describe().startswith("members / id=M1 / grid_id: ")


def test_missing_required_column_and_unique_fields():
    branches = pd.DataFrame({"id": ["B1", "B2"], "compound_id": ["X1", "X1"],
                             "name": ["一支部", "二支部"], "secretary_name": ["甲", "乙"],
                             "branch_type": ["real", "joint"], "party_members": [3, 0],
                             "party_groups": [1, 1]})
    problems = validate_dataset({"party_branches": branches})
    assert codes(problems) == ordered([
        ("party_branches", None, "founded", "missing_field"),
        ("party_branches", "B2", "compound_id", "duplicate_value"),
        ("party_branches", "B2", "party_members", "below_minimum"),
    ])


def test_the_district_outline_comes_from_the_districts_layer():
    districts = gpd.GeoDataFrame({"id": ["D1"], "name": ["黄岩区"], "adcode": ["331003"]},
                                 geometry=[box(121.0, 28.0, 121.1, 28.1)], crs=4326)
    roads = gpd.GeoDataFrame({"id": ["R1", "R2"], "name": ["a", "b"]},
                             geometry=[LineString([(121.01, 28.01), (121.05, 28.05)]),
                                       LineString([(121.09, 28.09), (121.2, 28.2)])], crs=4326)
    problems = validate_dataset({"districts": districts, "roads": roads})
    assert codes(problems) == [("roads", "R2", "geometry", "outside_district")]


def _break(store) -> None:
    """A duplicate id, a member pointing at a missing grid, a self-intersecting polygon and a
    point outside the district."""
    with store.transaction() as tx:
        members = tx.load("members")
        members.loc[1, "id"] = members.loc[0, "id"]
        members.loc[2, "grid_id"] = "G404"
        members.loc[3, "geometry"] = Point(120.0, 30.0)
        tx.replace("members", members)
        grids = tx.load("grids")
        minx, miny, maxx, maxy = grids.geometry.iloc[0].bounds
        grids.loc[0, "geometry"] = Polygon([(minx, miny), (maxx, maxy), (maxx, miny),
                                            (minx, maxy)])
        tx.replace("grids", grids)


def expected_four(members, grids) -> list[tuple]:
    return ordered([
        ("members", members.loc[0, "id"], "id", "duplicate_id"),
        ("members", members.loc[2, "id"], "grid_id", "missing_ref"),
        ("members", members.loc[3, "id"], "geometry", "outside_district"),
        ("grids", grids.loc[0, "id"], "geometry", "invalid_geometry"),
    ])


def test_broken_tiny_store_lists_all_four_problems(tmp_path):
    store = build_tiny_store(tmp_path / "tiny.gpkg")
    with store.transaction() as tx:  # two more members so that four rows can be broken
        members = tx.load("members")
        tx.replace("members", pd.concat([members, members.assign(id=["M3", "M4"])],
                                        ignore_index=True))
    assert validate_store(store) == []
    _break(store)
    members = store.load("members")
    assert codes(validate_store(store)) == expected_four(members, store.load("grids"))


def test_broken_sample_lists_all_four_problems(writable_sample_store):
    store = writable_sample_store
    assert validate_store(store) == []
    _break(store)
    problems = validate_store(store)
    assert codes(problems) == expected_four(store.load("members"), store.load("grids"))
    result = subprocess.run([sys.executable, "-m", "geo.cli", "validate", str(store.path)],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == 4
    assert any("G404" in line for line in lines)
