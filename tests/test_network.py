"""geo.network on a tiny hand-made district: every figure below can be checked by hand."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import network
from geo.schema import WGS84
from geo.store import open_store

LON, LAT = 121.26, 28.65
D = 0.004  # about 390 m east-west, 440 m north-south at this latitude


def _gdf(rows, geoms):
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=WGS84)


def tiny_frames() -> dict[str, pd.DataFrame]:
    """2 streets, 2 communities, 3 grids, 3 compounds (2 with branches), 2 firms (1 red),
    4 positions (one per tier), 5 members, 6 disclosure rows, 2 events."""
    west, east = box(LON, LAT, LON + 2 * D, LAT + D), box(LON + 2 * D, LAT, LON + 4 * D, LAT + D)
    grid_boxes = [box(LON, LAT, LON + D, LAT + D), box(LON + D, LAT, LON + 2 * D, LAT + D),
                  box(LON + 2 * D, LAT, LON + 4 * D, LAT + D)]
    compound_boxes = [box(LON + 0.001, LAT + 0.001, LON + 0.002, LAT + 0.002),
                      box(LON + D + 0.001, LAT + 0.001, LON + D + 0.002, LAT + 0.002),
                      box(LON + 2 * D + 0.001, LAT + 0.001, LON + 2 * D + 0.002, LAT + 0.002)]
    frames = {
        "districts": _gdf([{"id": "331003", "name": "黄岩区", "adcode": "331003"}],
                          [box(LON, LAT, LON + 4 * D, LAT + D)]),
        "counties": _gdf([{"id": "331002", "name": "椒江区", "adcode": "331002"}],
                         [box(LON + 4 * D, LAT, LON + 6 * D, LAT + D)]),
        "streets": _gdf([{"id": "S1", "name": "东城街道", "code": "S1"},
                         {"id": "S2", "name": "西城街道", "code": "S2"}], [west, east]),
        "communities": _gdf([
            {"id": "K1", "name": "桔源社区", "street_id": "S1", "members_reported": 5,
             "volunteers_registered": 3},
            {"id": "K2", "name": "江滨社区", "street_id": "S2", "members_reported": 1,
             "volunteers_registered": 1}], [west, east]),
        "grids": _gdf([
            {"id": "G1", "name": "桔源第1网格", "community_id": "K1", "street_id": "S1",
             "households": 200, "residents": 500},
            {"id": "G2", "name": "桔源第2网格", "community_id": "K1", "street_id": "S1",
             "households": 100, "residents": 250},
            {"id": "G3", "name": "江滨第1网格", "community_id": "K2", "street_id": "S2",
             "households": 0, "residents": 0}], grid_boxes),
        "property_firms": pd.DataFrame([
            {"id": "F1", "name": "台州市黄岩永安物业服务有限公司", "red_property": True,
             "rating": "AAA", "score": 95.5, "party_members": 30, "association_member": True},
            {"id": "F2", "name": "台州市黄岩恒信物业服务有限公司", "red_property": False,
             "rating": "A", "score": 80.0, "party_members": 10, "association_member": True}]),
        "party_instructors": pd.DataFrame([
            {"id": "I1", "name": "王小明", "phone": "13812345678", "kind": "community_worker",
             "organisation": "桔源社区"}]),
        "compounds": _gdf([
            {"id": "C1", "name": "永悦华府", "pinyin": "yyhf", "street_id": "S1",
             "community_id": "K1", "grid_id": "G1", "households": 419, "buildings": 10,
             "built_year": 2009, "property_firm_id": "F1", "party_instructor_id": "I1",
             "practice": "四方会谈、五步议事"},
            {"id": "C2", "name": "书香园", "pinyin": "sxy", "street_id": "S1",
             "community_id": "K1", "grid_id": "G2", "households": 300, "buildings": 6,
             "built_year": 2012, "property_firm_id": "F2", "party_instructor_id": "I1"},
            {"id": "C3", "name": "世纪花园", "pinyin": "sjhy", "street_id": "S2",
             "community_id": "K2", "grid_id": "G3", "households": 500, "buildings": 8,
             "built_year": 2003, "property_firm_id": "F2", "party_instructor_id": "I1"}],
            compound_boxes),
        "party_branches": pd.DataFrame([
            {"id": "B1", "compound_id": "C1", "name": "永悦华府小区党支部",
             "secretary_name": "乔红梅", "branch_type": "real", "party_members": 34,
             "party_groups": 10, "founded": "2019-05-01"},
            {"id": "B2", "compound_id": "C2", "name": "书香园小区党支部",
             "secretary_name": "万燕", "branch_type": "joint", "party_members": 7,
             "party_groups": 3, "founded": "2019-07-01"}]),
        "owners_committees": pd.DataFrame([
            {"id": "O1", "compound_id": "C1", "director_name": "乔红梅",
             "term_start": "2021-08-07", "term_end": "2026-08-07", "seats": 5, "party_seats": 4,
             "one_shoulder": True}]),
        # one position of each tier; P4 sits 0.001 degrees east of C1's east edge (~97.7 m)
        "service_positions": _gdf([
            {"id": f"P{i}", "name": name, "tier": tier, "status": "existing", "street_id": s,
             "floor_area_m2": area, "functions": "服务", "opening_hours": "8:30-17:30",
             "kind": kind}
            for i, (name, tier, s, area, kind) in enumerate([
                ("黄岩区党群服务中心", "core", "S1", 500.0, None),
                ("东城街道党群服务中心", "zone", "S1", 200.0, None),
                ("江北联勤共治站", "station", "S2", 100.0, "joint_duty_station"),
                ("永悦华府·小桔e站", "point", "S1", 30.5, None)], start=1)],
            [Point(LON + 3 * D, LAT + 0.0005), Point(LON + 2 * D - 0.0005, LAT + 0.003),
             Point(LON + 3.5 * D, LAT + 0.003), Point(LON + 0.003, LAT + 0.0015)]),
        "members": _gdf([
            {"id": f"M{i}", "name": name, "phone": "13900000000", "gender": "男", "grid_id": g,
             "compound_id": c, "work_unit": "区统计局", "post": "宣传员", "duty": "入户走访",
             "reported_on": "2021-01-01", "joined_party": "2000-01-01"}
            for i, (name, g, c) in enumerate([
                ("张三丰", "G1", "C1"), ("李四", "G1", "C1"), ("王五六", "G1", "C1"),
                ("赵六", "G2", "C2"), ("钱七", "G9", "C2")], start=1)],
            [Point(LON + 0.0015, LAT + 0.0015)] * 5),
        "disclosures": pd.DataFrame([
            {"id": f"DS{i}", "compound_id": c, "category": "property_services", "month": m,
             "disclosed": flag}
            for i, (c, m, flag) in enumerate([
                ("C1", "2022-01", True), ("C1", "2022-02", True), ("C2", "2022-01", True),
                ("C2", "2022-02", False), ("C3", "2022-01", False), ("C3", "2022-02", False)])]),
        "events": pd.DataFrame([
            {"id": f"E{i}", "service_position_id": "P1", "held_on": "2022-03-01",
             "kind": "学习", "title": "党史学习", "attendees": 20} for i in (1, 2)]),
    }
    return frames


def build_tiny_store(path):
    store = open_store(path)
    store.write_layers(tiny_frames())
    return store


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    store = build_tiny_store(tmp_path_factory.mktemp("tiny") / "tiny.gpkg")
    return {name: store.load(name) for name in tiny_frames()}


def test_grid_density_counts_members_per_100_households(tiny):
    density = network.grid_density(tiny["grids"], tiny["members"]).set_index("id")
    assert density["members"].to_dict() == {"G1": 3, "G2": 1, "G3": 0}
    assert density["members_per_100"].to_dict() == {"G1": 1.5, "G2": 1.0, "G3": 0.0}


def test_quantile_classification_of_one_to_ten():
    result = network.classify(range(1, 11), k=5)
    assert result.bins == pytest.approx((2.8, 4.6, 6.4, 8.2, 10.0))
    assert result.classes == (0, 0, 1, 1, 2, 2, 3, 3, 4, 4)
    assert result.counts() == [2, 2, 2, 2, 2]
    assert result.ranges(1.0)[0] == (1.0, pytest.approx(2.8))


def test_compound_indicators(tiny):
    ind = network.compound_indicators(tiny["compounds"], tiny["party_branches"],
                                      tiny["property_firms"], tiny["disclosures"]).set_index("id")
    assert ind["branch_type"].to_dict() == {"C1": "real", "C2": "joint", "C3": "none"}
    assert ind["red_property"].to_dict() == {"C1": True, "C2": False, "C3": False}
    assert ind["disclosure_pct"].to_dict() == {"C1": 100.0, "C2": 50.0, "C3": 0.0}
    assert ind["disclosure"].to_dict() == {"C1": "full", "C2": "partial", "C3": "none"}


def test_compound_at_a_clicked_point(tiny):
    compounds = tiny["compounds"]
    assert network.compound_at(compounds, LON + 0.0015, LAT + 0.0015) == "C1"
    # 0.0002 degrees (~20 m) east of C1: within the 30 m click tolerance
    assert network.compound_at(compounds, LON + 0.0022, LAT + 0.0015) == "C1"
    assert network.compound_at(compounds, LON + 0.0032, LAT + 0.0015) is None


def test_nearest_positions_in_metres(tiny):
    c1 = tiny["compounds"].set_index("id").loc["C1", "geometry"]
    nearest = network.nearest_positions(c1, tiny["service_positions"], n=2)
    assert list(nearest["id"]) == ["P4", "P2"]
    # 0.001 degrees of longitude at 28.6515 N: 111.32 km * cos(28.65) = 97.7 m
    assert nearest.loc[0, "distance_m"] == pytest.approx(97.7, abs=1.0)


def test_search_by_name_and_pinyin_initials(tiny):
    index = network.search_index(tiny["compounds"], tiny["service_positions"], tiny["streets"])
    assert len(index) == 3 + 4 + 2
    assert network.pinyin_keys("永悦华府") == ("yyhf", "yongyuehuafu")
    assert network.search(index, "yyhf")["name"].tolist()[0] == "永悦华府"
    assert network.search(index, "yyhf")["name"].tolist() == ["永悦华府", "永悦华府·小桔e站"]
    assert network.search(index, "书香")["id"].tolist() == ["C2"]
    # exact initials of 东城街道 first, then 东城街道党群服务中心 (initials start with dcjd)
    assert network.search(index, "dcjd")[["kind", "id"]].values.tolist() == [
        ["street", "S1"], ["position", "P2"]]
    assert network.search(index, "shijihuayuan")["id"].tolist() == ["C3"]
    assert network.search(index, "zzzz").empty
    assert network.search(index, "").empty


def test_headline_figures(tiny):
    figures = network.headline_figures(tiny)
    assert figures["compounds"] == 3
    assert figures["branch_coverage_pct"] == 66.7
    assert figures["grids"] == 3
    assert figures["members_in_grids"] == 4  # M5's grid G9 does not exist
    assert figures["positions"] == 4
    assert figures["positions_by_tier"] == {"core": 1, "zone": 1, "station": 1, "point": 1}
    assert figures["floor_area_m2"] == 830.5
    assert figures["events"] == 2
    assert figures["disclosure_pct"] == 50.0  # 3 of 6 rows


def test_compound_summary(tiny, tmp_path):
    store = build_tiny_store(tmp_path / "t.gpkg")
    detail = store.load_compound("C1")
    summary = network.compound_summary(detail, tiny["grids"], tiny["members"],
                                       tiny["service_positions"])
    assert summary["grids"][["id", "members"]].values.tolist() == [["G1", 3]]
    assert summary["nearest"]["id"].tolist() == ["P4", "P2", "P1"]
    assert summary["disclosures"].values.tolist() == [["property_services", 2, 2]]
    assert summary["orders"] == 0 and summary["rating_avg"] is None
