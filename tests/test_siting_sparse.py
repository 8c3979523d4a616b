"""Sparse coverage sets and the sparse MCLP: exact on hand-checkable cases, and the same optimum
as the dense spopt path on the sample district."""

import numpy as np
import pytest

from geo import siting, siting_sparse
from geo.siting_sparse import cover_sets, mclp_sparse


def test_cover_sets_hold_the_pairs_within_the_radius_only():
    demand = np.array([[0, 0], [100, 0], [250, 0], [1000, 0]])
    sites = np.array([[0, 0], [200, 0]])
    reach = cover_sets(demand, sites, 100.0).toarray()
    # site 0 sits on demand 0 (distance 0) and reaches demand 1 at 100 m; site 1 reaches 1, 2
    assert reach.tolist() == [[True, False], [True, True], [False, True], [False, False]]


def test_mclp_takes_the_best_k_and_counts_existing_cover_once():
    # 5 demand points with weights; existing covers row 0; candidates a, b, c
    existing = np.array([[1], [0], [0], [0], [0]], bool)
    candidates = np.array([[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [0, 1, 1]], bool)
    weights = np.array([50, 10, 20, 30, 5])
    from scipy import sparse

    one = mclp_sparse(sparse.csr_matrix(existing), sparse.csr_matrix(candidates), weights, 1)
    assert one.chosen == [1] and one.covered == 50 + 10 + 20 + 5 and one.status == "Optimal"
    two = mclp_sparse(sparse.csr_matrix(existing), sparse.csr_matrix(candidates), weights, 2)
    assert two.chosen == [1, 2] and two.covered == weights.sum()


def test_the_sparse_optimum_equals_the_dense_one_on_the_sample(sample_store):
    compounds = sample_store.load("compounds")
    positions = sample_store.load("service_positions")
    for radius, k in ((300.0, 3), (500.0, 5)):
        dense = siting.suggest_positions(compounds, positions, k, radius)
        sparse_ = siting_sparse.suggest_positions_sparse(compounds, positions, k, radius)
        assert sparse_.status == "Optimal"
        assert sparse_.covered_before == dense.covered_before
        assert sparse_.covered_after == dense.covered_after
        assert sparse_.households_total == dense.households_total
        assert len(sparse_.chosen_ids) == k
        assert sparse_.pairs < len(compounds) * (len(compounds) + len(positions))


def test_a_time_limit_that_stops_the_solver_is_said(sample_store):
    compounds = sample_store.load("compounds")
    result = siting_sparse.suggest_positions_sparse(
        compounds, sample_store.load("service_positions"), 5, 500.0, time_limit=60)
    assert result.status == "Optimal"  # a generous limit: still proven optimal
    with pytest.raises(Exception, match="radius"):
        siting_sparse.suggest_positions_sparse(compounds, None, 5, 0)


def test_fewest_sparse_is_the_dense_optimum_and_says_infeasible(sample_store):
    from scipy import sparse

    compounds = sample_store.load("compounds")
    positions = sample_store.load("service_positions")
    dense = siting.fewest_positions(compounds, positions, 0.8, 500.0)
    demand = siting_sparse.cov.demand_points(compounds)
    existing = siting_sparse.cov.supply_points(positions)
    cands = siting_sparse.cov.supply_points(None, candidates=siting.default_candidates(compounds))
    xy = siting_sparse._xy(demand)
    out = siting_sparse.fewest_sparse(cover_sets(xy, siting_sparse._xy(existing), 500.0),
                                      cover_sets(xy, siting_sparse._xy(cands), 500.0),
                                      demand["households"].to_numpy(float), 0.8)
    assert out.status == "Optimal" and len(out.chosen) == dense.extra["count"]
    assert out.covered >= 0.8 * demand["households"].sum()
    none = sparse.csr_matrix((2, 1), dtype=bool)
    one = sparse.csr_matrix(np.array([[True], [False]]))
    assert siting_sparse.fewest_sparse(none, one, [1, 1], 1.0).status == "Infeasible"
