"""Coverage analysis: the pure core on hand-made matrices, the entry point on a tiny store
(three compounds, two positions), road-network distances and the ``hongtu coverage`` CLI.

The tiny layout (metres east/north of an origin near Huangyan's centre, EPSG:4549):
  compound A (100 households) at (0, 0), B (200) at (400, 0), C (300) at (1000, 0);
  position P1 (point, existing) at (100, 0), P2 (station, existing) at (1000, 600);
  P3 (point, planned) at (1000, 100).
Distances: A-P1 100, B-P1 300, C-P1 900, C-P2 600, B-P2 848.5, A-P2 1166.2, C-P3 100.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from geo import coverage as cov
from geo.network_distance import network_distance_matrix
from geo.schema import METRIC_CRS
from geo.store import open_store

ORIGIN = (622212.0, 3171117.0)  # EPSG:4549 metres, about lon 121.25, lat 28.65
COMPOUNDS = [("A", 0, 100), ("B", 400, 200), ("C", 1000, 300)]
# grids: (id, x from, x to, residents); 600 m tall, their representative points at (200, 0)
# (100 m from P1) and (1000, 0) (600 m from P2, 900 m from P1)
GRIDS = [("G1", -100, 500, 1000), ("G2", 800, 1200, 500)]
POSITIONS = [("P1", 100, 0, "point", "existing"), ("P2", 1000, 600, "station", "existing"),
             ("P3", 1000, 100, "point", "planned")]


def metric_point(dx, dy):
    return Point(ORIGIN[0] + dx, ORIGIN[1] + dy)


def tiny_frames():
    """Compounds (10 m squares centred on their points) and positions, in EPSG:4549."""
    compounds = gpd.GeoDataFrame(
        {"id": [c[0] for c in COMPOUNDS], "name": [f"小区{c[0]}" for c in COMPOUNDS],
         "households": [c[2] for c in COMPOUNDS], "street_id": "S1"},
        geometry=[box(ORIGIN[0] + x - 5, ORIGIN[1] - 5, ORIGIN[0] + x + 5, ORIGIN[1] + 5)
                  for _, x, _ in COMPOUNDS], crs=METRIC_CRS)
    positions = gpd.GeoDataFrame(
        {"id": [p[0] for p in POSITIONS], "name": [f"阵地{p[0]}" for p in POSITIONS],
         "tier": [p[3] for p in POSITIONS], "status": [p[4] for p in POSITIONS],
         "street_id": "S1"},
        geometry=[metric_point(p[1], p[2]) for p in POSITIONS], crs=METRIC_CRS)
    return compounds, positions


def tiny_grids():
    return gpd.GeoDataFrame(
        {"id": [g[0] for g in GRIDS], "name": [f"网格{g[0]}" for g in GRIDS],
         "residents": [g[3] for g in GRIDS], "households": [g[3] // 3 for g in GRIDS],
         "street_id": "S1"},
        geometry=[box(ORIGIN[0] + x0, ORIGIN[1] - 300, ORIGIN[0] + x1, ORIGIN[1] + 300)
                  for _, x0, x1, _ in GRIDS], crs=METRIC_CRS)


def build_tiny_store(path):
    """The tiny layout written to a GeoPackage store (WGS84 on disk), with one street."""
    compounds, positions = tiny_frames()
    street = gpd.GeoDataFrame(
        {"id": ["S1"], "name": ["东城街道"], "code": ["S1"]},
        geometry=[box(ORIGIN[0] - 500, ORIGIN[1] - 800, ORIGIN[0] + 1500, ORIGIN[1] + 800)],
        crs=METRIC_CRS)
    store = open_store(path)
    with store.transaction() as tx:
        tx.replace("streets", street.to_crs("EPSG:4326"))
        tx.replace("compounds", compounds.to_crs("EPSG:4326"))
        tx.replace("service_positions", positions.to_crs("EPSG:4326"))
        tx.replace("grids", tiny_grids().to_crs("EPSG:4326"))
    return store


# ------------------------------------------------------------------ the pure core
def test_core_nearest_catchment_and_ties():
    dist = np.array([[100.0, 1166.2], [300.0, 848.5], [900.0, 600.0], [50.0, 50.0]])
    core = cov.coverage_from_distance_matrix(dist, [100, 200, 300, 7], radius=500)
    assert core.nearest_index.tolist() == [0, 0, 1, 0]  # the tie goes to the lower index
    assert core.nearest_distance.tolist() == [100.0, 300.0, 600.0, 50.0]
    assert core.covered.tolist() == [True, True, False, True]
    assert core.catchment.tolist() == [307.0, 0.0]
    assert core.catchment_count.tolist() == [3, 0]


def test_core_without_supply_and_unreachable():
    core = cov.coverage_from_distance_matrix(np.empty((2, 0)), [5, 6], radius=500)
    assert core.nearest_index.tolist() == [-1, -1]
    assert np.isinf(core.nearest_distance).all() and not core.covered.any()
    core = cov.coverage_from_distance_matrix(np.array([[np.inf], [10.0]]), [5, 6], radius=500)
    assert core.nearest_index.tolist() == [-1, 0] and core.catchment.tolist() == [6.0]


def test_weighted_mean_and_p90():
    assert cov.weighted_mean([100, 300, 600], [100, 200, 300]) == pytest.approx(2500 / 6)
    assert cov.weighted_quantile([100, 300, 600], [100, 200, 300], 0.9) == 600
    assert cov.weighted_quantile([100, 300, 600], [100, 200, 300], 0.5) == 300  # 300 of 600
    assert cov.weighted_quantile([100, 300, 600], [100, 200, 300], 0.1) == 100


# ------------------------------------------------------------------ entry point, metric frames
def test_tiny_coverage_at_500_m():
    compounds, positions = tiny_frames()
    result = cov.analyse_coverage(compounds, positions, radius=500)
    assert result.distance_kind == cov.STRAIGHT_LINE
    assert (result.households_total, result.covered_households) == (600, 300)
    assert result.share_covered == 0.5
    assert result.uncovered_compounds == ["C"]
    assert result.compounds["distance_m"].tolist() == [100.0, 300.0, 600.0]
    assert result.compounds[cov.NEAREST_ID].tolist() == ["P1", "P1", "P2"]
    assert result.positions[cov.ID].tolist() == ["P1", "P2"]  # P3 is planned: left out
    assert result.positions[cov.CATCHMENT].tolist() == [300, 0]
    assert result.mean_distance_m == pytest.approx(250000 / 600)
    assert result.p90_distance_m == 600.0


@pytest.mark.parametrize(("radius", "covered"), [(300, 300), (299, 100), (1000, 600), (99, 0)])
def test_tiny_coverage_radius(radius, covered):
    compounds, positions = tiny_frames()
    assert cov.analyse_coverage(compounds, positions, radius).covered_households == covered


def test_tier_filter_and_planned_positions():
    compounds, positions = tiny_frames()
    points_only = cov.analyse_coverage(compounds, positions, 500, tiers=["point"])
    assert points_only.compounds["distance_m"].tolist() == [100.0, 300.0, 900.0]
    with_planned = cov.analyse_coverage(compounds, positions, 500, include_planned=True)
    assert with_planned.covered_households == 600
    assert with_planned.positions.set_index("id")[cov.CATCHMENT].to_dict() == {
        "P1": 300, "P2": 0, "P3": 300}


def test_delta_when_adding_and_removing():
    compounds, positions = tiny_frames()
    candidate = gpd.GeoDataFrame({"id": ["X"], "name": ["新阵地"]},
                                 geometry=[metric_point(1000, 0)], crs=METRIC_CRS)
    added = cov.coverage_change(compounds, positions, 500, candidates=candidate)
    assert added.covered_households == 600
    assert added.delta["covered_households"] == 300
    assert added.delta["newly_covered_compounds"] == ["C"]
    assert added.delta["mean_distance_m"] == pytest.approx(round(-180000 / 600, 1))
    removed = cov.coverage_change(compounds, positions, 500, remove_ids=["P1"])
    assert removed.covered_households == 0
    assert removed.delta["covered_households"] == -300
    assert removed.delta["newly_uncovered_compounds"] == ["A", "B"]


def test_representative_point_not_centroid():
    """A U-shaped compound's centroid lies outside it; demand sits inside the polygon."""
    u_shape = box(0, 0, 300, 100).union(box(0, 0, 100, 300)).union(box(200, 0, 300, 300))
    u_shape = gpd.GeoSeries([u_shape]).translate(*ORIGIN).iloc[0]
    compounds = gpd.GeoDataFrame({"id": ["U"], "households": [10]}, geometry=[u_shape],
                                 crs=METRIC_CRS)
    demand = cov.demand_points(compounds)
    assert u_shape.contains(demand.geometry.iloc[0])
    assert not u_shape.contains(u_shape.centroid)


def test_invalid_inputs_are_refused():
    compounds, positions = tiny_frames()
    with pytest.raises(cov.CoverageInputError, match="no CRS"):
        cov.analyse_coverage(compounds.set_crs(None, allow_override=True), positions)
    with pytest.raises(cov.CoverageInputError, match="households"):
        cov.analyse_coverage(compounds.drop(columns=["households"]), positions)
    bowtie = compounds.copy()
    bowtie.loc[0, "geometry"] = gpd.GeoSeries.from_wkt(
        ["POLYGON((0 0, 10 10, 10 0, 0 10, 0 0))"]).iloc[0]
    with pytest.raises(cov.CoverageInputError, match="invalid geometry"):
        cov.analyse_coverage(bowtie, positions)
    with pytest.raises(cov.CoverageInputError, match="radius"):
        cov.analyse_coverage(compounds, positions, radius=0)


# ------------------------------------------------------------------ road network
def test_network_distance_along_an_l_shaped_road():
    road = [LineString([(0, 0), (1000, 0), (1000, 600)]), LineString([(5000, 0), (5100, 0)])]
    dist = network_distance_matrix(road, [(0, 0), (500, 10)], [(1000, 600), (5050, 0)])
    assert dist[0, 0] == pytest.approx(1600.0)  # straight line would be 1166.2
    assert dist[1, 0] == pytest.approx(10 + 500 + 600)  # 10 m to the road, then along it
    assert np.isinf(dist[:, 1]).all()  # a separate piece of road: unreachable


def test_roads_layer_switches_to_network_distance():
    compounds, positions = tiny_frames()
    road = gpd.GeoDataFrame(
        {"id": ["R1"], "name": ["路"]},
        geometry=[LineString([metric_point(0, 0).coords[0], metric_point(1000, 0).coords[0],
                              metric_point(1000, 600).coords[0]])], crs=METRIC_CRS)
    result = cov.analyse_coverage(compounds, positions, radius=500, roads=road)
    assert result.distance_kind == cov.NETWORK
    assert result.compounds["distance_m"].tolist() == pytest.approx([100.0, 300.0, 600.0])
    assert result.covered_households == 300


# ------------------------------------------------------------------ the tiny store, CLI
def test_tiny_store_round_trip(tmp_path):
    store = build_tiny_store(tmp_path / "t.gpkg")
    result = cov.analyse_coverage(store.load("compounds"), store.load("service_positions"),
                                  radius=500, roads=store.load("roads"))
    assert (result.households_total, result.covered_households) == (600, 300)
    assert result.compounds["distance_m"].tolist() == pytest.approx([100, 300, 600], abs=0.5)
    assert result.positions[cov.CATCHMENT].tolist() == [300, 0]


def test_cli_coverage_json(tmp_path, capsys):
    from geo.cli import main

    build_tiny_store(tmp_path / "t.gpkg")
    assert main(["coverage", "--radius", "500", "--store", str(tmp_path / "t.gpkg"),
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["radius_m"], data["households_total"], data["covered_households"]) == (
        500.0, 600, 300)
    assert data["uncovered_compounds"] == ["C"] and data["distance_kind"] == "straight-line"
    assert main(["coverage", "--radius", "500", "--tier", "station", "--store",
                 str(tmp_path / "t.gpkg"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["covered_households"] == 0  # P2 alone: C is 600 m away
    assert math.isclose(data["mean_distance_m"], (100 * 1166.2 + 200 * 848.5 + 300 * 600) / 600,
                        abs_tol=0.6)


# ------------------------------------------------------------------ demand: residents per grid
def test_grid_residents_as_demand():
    """G1 (1,000 residents) is 100 m from P1; G2 (500) is 600 m from P2 and 900 m from P1."""
    _, positions = tiny_frames()
    grids = tiny_grids()
    result = cov.analyse_coverage(grids, positions, radius=500, demand=cov.DEMAND_GRIDS)
    assert (result.demand, result.unit) == ("grids", "residents")
    assert (result.households_total, result.covered_households) == (1500, 1000)
    assert result.uncovered_compounds == ["G2"]
    assert result.compounds["distance_m"].tolist() == pytest.approx([100, 600], abs=0.5)
    assert result.mean_distance_m == pytest.approx((1000 * 100 + 500 * 600) / 1500, abs=0.5)
    assert result.positions[cov.CATCHMENT].tolist() == [1000, 0]
    at_1000 = cov.analyse_coverage(grids, positions, radius=1000, demand=cov.DEMAND_GRIDS)
    assert at_1000.covered_households == 1500
    planned = cov.analyse_coverage(grids, positions, radius=500, include_planned=True,
                                   demand=cov.DEMAND_GRIDS)
    assert planned.covered_households == 1500  # P3 (planned) is 100 m from G2's point
    out = result.to_dict()
    assert (out["demand"], out["unit"], out["households_total"]) == ("grids", "residents", 1500)


def test_unknown_demand_and_missing_weight_are_refused():
    compounds, positions = tiny_frames()
    with pytest.raises(cov.CoverageInputError, match="demand must be one of"):
        cov.analyse_coverage(compounds, positions, demand="people")
    with pytest.raises(cov.CoverageInputError, match="residents"):
        cov.analyse_coverage(compounds, positions, demand=cov.DEMAND_GRIDS)  # no residents


def test_cli_coverage_json_grid_demand(tmp_path, capsys):
    from geo.cli import main

    build_tiny_store(tmp_path / "t.gpkg")
    assert main(["coverage", "--radius", "500", "--demand", "grids", "--store",
                 str(tmp_path / "t.gpkg"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["demand"], data["unit"]) == ("grids", "residents")
    assert (data["households_total"], data["covered_households"]) == (1500, 1000)
    assert data["uncovered_compounds"] == ["G2"]
