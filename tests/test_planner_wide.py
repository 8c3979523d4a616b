"""A planner problem too wide for dense matrices (a city, a province) is solved over sparse
coverage sets and a KD-tree: the same optimum, greedy and coverage figures as the dense
straight-line path, and the planner page of a whole city suggests positions that way."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from streamlit.testing.v1 import AppTest

from geo import coverage as cov
from geo import siting
from geo.siting_sparse import greedy_sparse
from geo.store import ENV_URL

CITY = "331000"


@pytest.fixture
def wide(monkeypatch):
    """Every problem counts as wide."""
    monkeypatch.setattr(cov, "DENSE_CELLS", 0)


def test_greedy_over_coverage_sets_by_hand():
    existing = sparse.csr_matrix(np.array([[1], [0], [0], [0]], bool))
    candidates = sparse.csr_matrix(np.array([[1, 0, 0], [0, 1, 1], [0, 0, 1], [0, 1, 0]], bool))
    weights = [9, 4, 3, 3]
    # gains: a 0, b 4+3, c 4+3 (tie: lowest index b); then c adds row 2 (3)
    assert greedy_sparse(existing, candidates, weights, k=2) == [1, 2]
    assert greedy_sparse(existing, candidates, weights, k=3) == [1, 2]  # a adds nothing
    assert greedy_sparse(existing, candidates, weights, target_share=0.8) == [1]  # 16 >= 15.2
    assert greedy_sparse(existing, candidates[:, [0]], weights, target_share=0.8) is None


@pytest.mark.parametrize("demand", [cov.DEMAND_COMPOUNDS, cov.DEMAND_GRIDS])
def test_a_wide_problem_has_the_dense_optimum(sample_store, monkeypatch, demand):
    frame = sample_store.load(demand)
    positions = sample_store.load("service_positions")
    dense = siting.suggest_positions(frame, positions, 4, 500.0, demand=demand)
    dense_fewest = siting.fewest_positions(frame, positions, 0.85, 500.0, demand=demand)
    monkeypatch.setattr(cov, "DENSE_CELLS", 0)
    found = siting.suggest_positions(frame, positions, 4, 500.0, demand=demand)
    assert found.solver_status == "Optimal" and found.distance_kind == cov.STRAIGHT_LINE
    assert (found.covered_before, found.covered_after, found.greedy_after) == (
        dense.covered_before, dense.covered_after, dense.greedy_after)
    assert found.covered_after > found.covered_before
    assert len(found.chosen) == 4 and found.chosen[siting.GAIN].sum() == (
        found.covered_after - found.covered_before)
    fewest = siting.fewest_positions(frame, positions, 0.85, 500.0, demand=demand)
    assert fewest.extra["count"] == dense_fewest.extra["count"]
    assert fewest.extra["greedy_count"] == dense_fewest.extra["greedy_count"]
    assert fewest.covered_after >= 0.85 * fewest.households_total


def test_wide_coverage_equals_the_dense_straight_line_figures(sample_store, monkeypatch):
    compounds = sample_store.load("compounds")
    positions = sample_store.load("service_positions")
    dense = cov.analyse_coverage(compounds, positions, 500.0)
    monkeypatch.setattr(cov, "DENSE_CELLS", 0)
    found = cov.analyse_coverage(compounds, positions, 500.0, roads=sample_store.load("roads"))
    assert found.distance_kind == cov.STRAIGHT_LINE  # too wide for roads: said, not hidden
    assert found.covered_households == dense.covered_households
    assert found.mean_distance_m == pytest.approx(dense.mean_distance_m)
    assert found.p90_distance_m == pytest.approx(dense.p90_distance_m)
    assert found.positions[cov.CATCHMENT].sum() == dense.positions[cov.CATCHMENT].sum()
    none = cov.analyse_coverage(compounds, positions.iloc[0:0], 500.0)
    assert none.covered_households == 0 and none.compounds[cov.NEAREST_ID].isna().all()


def test_the_planner_of_a_whole_city_suggests_over_coverage_sets(taizhou_store_path,
                                                                monkeypatch, app_first):
    monkeypatch.setenv(ENV_URL, str(taizhou_store_path))
    at = AppTest.from_file("../app.py", default_timeout=240)
    at.query_params["unit"] = CITY
    at.switch_page("views/planner.py").run()
    at.selectbox(key="planner_demand").select(cov.DEMAND_GRIDS).run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "覆盖集合" in captions and "直线距离" in captions  # the city's grids: a wide problem
    at.button(key="planner_suggest").click().run()
    assert not at.exception, at.exception
    report = at.session_state["planner_report"]
    assert report["solver_status"] == "Optimal" and report["distance_kind"] == cov.STRAIGHT_LINE
    assert report["covered_after"] > report["covered_before"]
    assert len(at.session_state["planner_cands"]) == 3
    assert "最优解" in " ".join(i.value for i in at.info)
    at.selectbox(key="planner_demand").select(cov.DEMAND_COMPOUNDS).run()
    assert "覆盖集合" not in " ".join(c.value for c in at.caption)  # the city's compounds: dense


def test_the_map_of_a_wide_problem_draws_the_uncovered_points_only(sample_store):
    from components import planner_map

    compounds = sample_store.load("compounds")
    positions = sample_store.load("service_positions")
    result = cov.analyse_coverage(compounds, positions, 500.0)
    demand, supply = cov.demand_points(compounds), cov.supply_points(positions)

    def drawn(**kwargs) -> int:
        fmap = planner_map.planner_map(result, demand, supply, [], **kwargs)
        layer = next(c for c in fmap._children.values() if getattr(c, "layer_name", "")
                     == "compounds")
        return len(layer.data["features"])

    uncovered = int((~result.compounds[cov.COVERED]).sum())
    assert 0 < uncovered < len(compounds)
    assert drawn() == len(compounds)
    assert drawn(uncovered_only=True) == uncovered
