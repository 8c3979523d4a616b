"""Siting: MCLP (spopt) and fewest positions for a target share against greedy and brute
force; scenarios saved, compared, exported and promoted; the ``hongtu site`` CLI.

The classic greedy trap used below: demand a=4, b=4, c=3, d=3 households; candidate X reaches
{a, b} (8), Y reaches {a, c} (7), Z reaches {b, d} (7). For k=2 greedy takes X then Y or Z
(8 + 3 = 11); the optimum is Y + Z = 14.
"""

from __future__ import annotations

import io
import itertools
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from test_coverage import build_tiny_store, metric_point, tiny_frames, tiny_grids

from geo import auth, siting
from geo import coverage as cov
from geo import scenarios as sc
from geo import siting_core as core
from geo.schema import METRIC_CRS

TRAP_WEIGHTS = np.array([4, 4, 3, 3])
TRAP_COVER = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1]], bool)  # rows a-d, X Y Z
NO_EXISTING = np.zeros((4, 0), bool)


def as_dist(cover):
    return np.where(cover, 0.0, 1000.0)


# ------------------------------------------------------------------ cores
def test_greedy_falls_into_the_trap_and_mclp_does_not():
    greedy = core.greedy_max_coverage(NO_EXISTING, TRAP_COVER, TRAP_WEIGHTS, 2)
    assert greedy == [0, 1]
    assert core.covered_weight(TRAP_COVER, TRAP_WEIGHTS, greedy) == 11
    out = core.mclp_from_matrix(as_dist(NO_EXISTING), as_dist(TRAP_COVER), TRAP_WEIGHTS, 500, 2)
    assert (out.chosen, out.covered, out.status, out.objective) == ([1, 2], 14, "Optimal", 14)


def test_mclp_keeps_existing_positions_fixed():
    existing = np.array([[1], [0], [0], [0]], bool)  # an existing position already serves a
    out = core.mclp_from_matrix(as_dist(existing), as_dist(TRAP_COVER), TRAP_WEIGHTS, 500, 1)
    assert out.chosen == [2] and out.covered == 4 + 7  # Z adds b and d; X would add only b
    assert core.greedy_max_coverage(existing, TRAP_COVER, TRAP_WEIGHTS, 1) == [2]


def test_reduce_instance_merges_rows_and_drops_dominated_candidates():
    cover = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 0], [0, 1, 0, 1],
                      [0, 0, 1, 0]], bool)  # rows 0-5 x candidates 0-3
    existing = np.array([[0], [0], [0], [0], [1], [0]], bool)  # row 4 is served already
    small = core.reduce_instance(existing, cover, [1, 2, 3, 4, 5, 6])
    # candidate 0 reaches {0} within candidate 1's {0, 1}; candidate 3 only row 4: both dropped
    assert small.candidates.tolist() == [1, 2]
    # existing-covered row first; rows 2 and 5 merged (3 + 6); row 3 unreachable: dropped
    assert small.weights.tolist() == [5, 9, 2, 1]
    assert small.existing_cover[:, 0].tolist() == [True, False, False, False]
    assert small.candidate_cover.tolist() == [[False, False], [False, True], [True, True],
                                              [True, False]]
    identical = core.reduce_instance(np.zeros((2, 0), bool), np.array([[1, 1], [0, 0]], bool),
                                     [1, 1])
    assert identical.candidates.tolist() == [0]  # same reach: the lowest index stays


def test_fewest_for_share():
    full = core.fewest_for_share(NO_EXISTING, TRAP_COVER, TRAP_WEIGHTS, 1.0)
    assert (full.chosen, full.covered, full.status) == ([1, 2], 14, "Optimal")
    assert core.greedy_for_share(NO_EXISTING, TRAP_COVER, TRAP_WEIGHTS, 1.0) == [0, 1, 2]
    half = core.fewest_for_share(NO_EXISTING, TRAP_COVER, TRAP_WEIGHTS, 0.5)
    assert half.chosen == [0] and half.covered == 8
    impossible = core.fewest_for_share(NO_EXISTING, TRAP_COVER[:, :1], TRAP_WEIGHTS, 1.0)
    assert impossible.status == "Infeasible"
    assert core.greedy_for_share(NO_EXISTING, TRAP_COVER[:, :1], TRAP_WEIGHTS, 1.0) is None


# ------------------------------------------------------------------ tiny layout
def test_suggest_on_the_tiny_layout():
    compounds, positions = tiny_frames()
    result = siting.suggest_positions(compounds, positions, k=1, radius=500)
    assert (result.covered_before, result.covered_after, result.greedy_after) == (300, 600, 600)
    row = result.chosen.iloc[0]
    assert (row["id"], row["name"], row[siting.GAIN]) == ("cand-C", "小区C", 300)
    c_point = cov.demand_points(compounds).to_crs("EPSG:4326").geometry.iloc[2]
    assert (row["lon"], row["lat"]) == pytest.approx((c_point.x, c_point.y), abs=1e-6)
    fewest = siting.fewest_positions(compounds, positions, 1.0, radius=500)
    assert fewest.extra["count"] == 1 and fewest.covered_after == 600


def test_extra_candidates_from_csv_and_geojson(tmp_path):
    compounds, positions = tiny_frames()
    far = gpd.GeoSeries([metric_point(700, 0)], crs=METRIC_CRS).to_crs("EPSG:4326").iloc[0]
    (tmp_path / "c.csv").write_text(f"lon,lat,name\n{far.x},{far.y},桥头空地\n", "utf-8")
    csv = siting.read_candidates(tmp_path / "c.csv")
    assert csv["name"].tolist() == ["桥头空地"] and csv["id"].tolist() == ["cand-x1"]
    result = siting.suggest_positions(compounds, positions, 1, 500, candidates=csv)
    assert result.chosen["name"].tolist() == ["桥头空地"] and result.covered_after == 600
    csv.to_file(tmp_path / "c.geojson", driver="GeoJSON")
    assert siting.read_candidates(tmp_path / "c.geojson")["name"].tolist() == ["桥头空地"]


def test_cli_site_json(tmp_path, capsys):
    from geo.cli import main

    build_tiny_store(tmp_path / "t.gpkg")
    assert main(["site", "--add", "1", "--radius", "500", "--store", str(tmp_path / "t.gpkg"),
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["covered_before"], data["covered_after"], data["greedy_after"]) == (300, 600, 600)
    assert data["solver_status"] == "Optimal" and data["seconds"] >= 0
    assert [c["id"] for c in data["chosen"]] == ["cand-C"]
    assert 121.2 < data["chosen"][0]["lon"] < 121.3 and 28.6 < data["chosen"][0]["lat"] < 28.7


# ------------------------------------------------------------------ scenarios
def scenario_at_c(compounds, name="方案一"):
    point = cov.demand_points(compounds).to_crs("EPSG:4326").geometry.iloc[2]
    return sc.Scenario(name, 500, candidates=[
        {"id": "X1", "name": "C旁新点", "tier": "point", "lon": point.x, "lat": point.y}])


def test_scenarios_save_load_compare_export(tmp_path):
    store = build_tiny_store(tmp_path / "t.gpkg")
    compounds, positions = store.load("compounds"), store.load("service_positions")
    first = scenario_at_c(compounds)
    second = sc.Scenario("方案二", 500, removed=["P1"])
    planner = auth.Principal("li", auth.Role.PLANNER)
    for scenario in (first, second):
        sc.save_scenario(store, scenario, planner)
    loaded = sc.load_scenarios(store)
    assert [s.name for s in loaded] == ["方案一", "方案二"] and loaded[1].removed == ["P1"]
    assert loaded[0].account == "li" and loaded[0].candidates[0]["name"] == "C旁新点"
    table = sc.compare(loaded, compounds, positions, baseline_name="现状")
    assert table["scenario"].tolist() == ["现状", "方案一", "方案二"]
    assert table["covered_households"].tolist() == [300, 600, 0]
    assert table["positions_added"].tolist() == [0, 1, 0]
    geojson = json.loads(sc.to_geojson(first))
    assert geojson["features"][0]["properties"]["name"] == "C旁新点"
    workbook = pd.read_excel(io.BytesIO(sc.to_excel(first, sc.evaluate(first, compounds,
                                                                      positions))), None)
    assert workbook["summary"]["covered_households"].tolist() == [600]
    assert set(workbook) == {"summary", "candidates", "compounds", "positions"}


def test_viewer_may_not_save_or_promote(tmp_path):
    store = build_tiny_store(tmp_path / "t.gpkg")
    scenario = scenario_at_c(store.load("compounds"))
    with pytest.raises(auth.PermissionDenied):
        sc.save_scenario(store, scenario, auth.DEMO)
    with pytest.raises(auth.PermissionDenied):
        sc.promote(store, scenario, auth.DEMO)
    assert len(store.load("service_positions")) == 3
    audit = store.load("audit")
    assert audit["outcome"].tolist() == ["refused", "refused"]


def test_promote_writes_planned_positions_with_audit(tmp_path):
    store = build_tiny_store(tmp_path / "t.gpkg")
    compounds = store.load("compounds")
    scenario = scenario_at_c(compounds)
    ids = sc.promote(store, scenario, auth.Principal("li", auth.Role.PLANNER))
    positions = store.load("service_positions")
    new = positions[positions["id"].isin(ids)].iloc[0]
    assert (new["status"], new["name"], new["street_id"], new["compound_id"]) == (
        "planned", "C旁新点", "S1", "C")
    audit = store.load("audit")
    assert audit[["account", "action", "object_layer", "outcome"]].values.tolist() == [
        ["li", "promote_scenario", "scenarios", "ok"]]
    assert json.loads(audit["after"].iloc[0])["positions"][0]["id"] == ids[0]
    # planned positions are not mixed with existing ones in the figures
    assert cov.analyse_coverage(compounds, positions, 500).covered_households == 300
    assert cov.analyse_coverage(compounds, positions, 500,
                                include_planned=True).covered_households == 600


# ------------------------------------------------------------------ the sample district
def brute_force(existing, cover, weights, k):
    base = existing.any(axis=1)
    return max(weights[base | cover[:, list(combo)].any(axis=1)].sum()
               for combo in itertools.combinations(range(cover.shape[1]), k))


@pytest.mark.parametrize("k", [1, 2])
def test_mclp_equals_brute_force_on_the_sample(sample_store, k):
    compounds, positions = sample_store.load("compounds"), sample_store.load("service_positions")
    result = siting.suggest_positions(compounds, positions, k, radius=500)
    demand = cov.demand_points(compounds)
    supply = cov.supply_points(positions)
    candidates = cov.supply_points(None, candidates=siting.default_candidates(compounds))
    existing = cov.straight_line_matrix(demand.get_coordinates(), supply.get_coordinates()) <= 500
    cover = cov.straight_line_matrix(demand.get_coordinates(),
                                     candidates.get_coordinates()) <= 500
    best = brute_force(existing, cover, demand["households"].to_numpy(), k)
    assert result.solver_status == "Optimal"
    assert result.covered_after == best == result.objective
    assert result.covered_after >= result.greedy_after
    assert len(result.chosen) == k


# ------------------------------------------------------------------ demand: residents per grid
def test_mclp_and_fewest_on_grid_residents(tmp_path, capsys):
    """k=1 over the grids' points: G2's point (500 residents uncovered) is the only gain."""
    from geo.cli import main

    _, positions = tiny_frames()
    grids = tiny_grids()
    result = siting.suggest_positions(grids, positions, 1, 500, demand=cov.DEMAND_GRIDS)
    assert (result.covered_before, result.covered_after, result.households_total) == (
        1000, 1500, 1500)
    assert result.chosen["id"].tolist() == ["cand-G2"] and result.chosen[siting.GAIN].tolist() \
        == [500]
    assert result.to_dict()["unit"] == "residents"
    fewest = siting.fewest_positions(grids, positions, 1.0, 500, demand=cov.DEMAND_GRIDS)
    assert fewest.extra["count"] == 1 and fewest.covered_after == 1500
    build_tiny_store(tmp_path / "t.gpkg")
    assert main(["site", "--add", "1", "--radius", "500", "--demand", "grids", "--store",
                 str(tmp_path / "t.gpkg"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["covered_before"], data["covered_after"], data["demand"]) == (1000, 1500, "grids")
    assert [c["id"] for c in data["chosen"]] == ["cand-G2"]


def test_scenario_keeps_its_demand(tmp_path):
    store = build_tiny_store(tmp_path / "t.gpkg")
    compounds, positions, grids = (store.load(n) for n in ("compounds", "service_positions",
                                                            "grids"))
    by_grid = sc.Scenario("网格口径", 500, demand=cov.DEMAND_GRIDS)
    sc.save_scenario(store, by_grid, auth.Principal("li", auth.Role.PLANNER))
    loaded = sc.load_scenarios(store)
    assert loaded[0].demand == cov.DEMAND_GRIDS
    table = sc.compare(loaded, compounds, positions, baseline_name="现状", grids=grids)
    assert table["demand"].tolist() == ["compounds", "grids"]
    assert table["households_total"].tolist() == [600, 1500]
    assert table["covered_households"].tolist() == [300, 1000]
    with pytest.raises(cov.CoverageInputError, match="no grids layer"):
        sc.evaluate(loaded[0], compounds, positions)
    workbook = pd.read_excel(io.BytesIO(sc.to_excel(loaded[0], sc.evaluate(
        loaded[0], compounds, positions, grids=grids))), None)
    assert workbook["summary"][["demand", "unit"]].values.tolist() == [["grids", "residents"]]
