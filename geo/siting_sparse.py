"""Coverage and MCLP over sparse coverage sets, for a county or a whole city.

A coverage set is which demand points a site reaches within the radius (straight-line metres
in EPSG:4549), found with a KD-tree (scipy ``cKDTree.sparse_distance_matrix``): the memory is
the number of (demand, site) pairs within reach, never demand x sites. spopt's MCLP takes a
dense cost matrix, so the model is written here with pulp (the same formulation):

    maximise  sum_r w_r y_r        (r: demand rows not already covered by existing positions)
    subject to y_r <= sum_{j reaches r} x_j,  sum_j x_j <= k,  x binary,  0 <= y <= 1

With binary x the best y is 0/1, so y may be continuous. Rows with the same set of reaching
candidates are merged first (weights summed; exact). CBC stops on a relative gap below one
household over the whole demand (:func:`geo.siting_core.exact_gap`): the answer is the proven
optimum unless ``time_limit`` stopped it, which the outcome's status says.

Entry points take GeoDataFrames, check them and hand arrays to the pure cores
(:func:`cover_sets`, :func:`mclp_sparse`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pulp
from scipy import sparse
from scipy.spatial import cKDTree

from geo import coverage as cov
from geo.siting_core import SolveOutcome, exact_gap

OPTIMAL = "Optimal"


def cover_sets(demand_xy: np.ndarray, site_xy: np.ndarray, radius: float) -> sparse.csr_matrix:
    """Boolean demand x site matrix (CSR): True where the site is within ``radius``."""
    demand_xy = np.asarray(demand_xy, float).reshape(-1, 2)
    site_xy = np.asarray(site_xy, float).reshape(-1, 2)
    if not len(demand_xy) or not len(site_xy):
        return sparse.csr_matrix((len(demand_xy), len(site_xy)), dtype=bool)
    pairs = cKDTree(demand_xy).sparse_distance_matrix(cKDTree(site_xy), float(radius),
                                                      output_type="coo_matrix")
    reach = sparse.coo_matrix((np.ones(pairs.nnz, bool), (pairs.row, pairs.col)),
                              shape=(len(demand_xy), len(site_xy)))
    # a site exactly on a demand point has distance 0, which the sparse result leaves out
    same = cKDTree(demand_xy).query_ball_point(site_xy, r=0.0)
    rows = [i for hits in same for i in hits]
    cols = [j for j, hits in enumerate(same) for _ in hits]
    if rows:
        reach = reach + sparse.coo_matrix((np.ones(len(rows), bool), (rows, cols)),
                                          shape=reach.shape)
    return reach.tocsr().astype(bool)


def covered_by(cover: sparse.csr_matrix) -> np.ndarray:
    """Which demand rows at least one column reaches."""
    return np.asarray(cover.getnnz(axis=1) > 0) if cover.shape[1] else np.zeros(
        cover.shape[0], bool)


def mclp_sparse(existing: sparse.csr_matrix, candidates: sparse.csr_matrix, weights, k: int,
                gap_rel: float | None = None, time_limit: float | None = None) -> SolveOutcome:
    """Choose ``k`` candidates (columns of ``candidates``) maximising the weight covered by the
    existing columns plus the chosen ones."""
    started = time.perf_counter()
    weights = np.asarray(weights, float)
    base = covered_by(existing)
    base_weight = float(weights[base].sum())
    gap_rel = exact_gap(weights.sum()) if gap_rel is None else gap_rel
    rows, row_weights = _merged_open_rows(candidates, weights, base)
    useful = sorted({j for row in rows for j in row})
    k = min(int(k), len(useful))
    if k == 0 or not rows:
        return SolveOutcome([], base_weight, OPTIMAL, time.perf_counter() - started, gap_rel,
                            base_weight)
    problem = pulp.LpProblem("mclp_sparse", pulp.LpMaximize)
    x = {j: pulp.LpVariable(f"x_{j}", cat="Binary") for j in useful}
    y = [pulp.LpVariable(f"y_{r}", lowBound=0, upBound=1) for r in range(len(rows))]
    problem += pulp.lpSum(w * v for w, v in zip(row_weights, y))
    for v, row in zip(y, rows):
        problem += v <= pulp.lpSum(x[j] for j in row)
    problem += pulp.lpSum(x.values()) <= k
    problem.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=gap_rel, timeLimit=time_limit))
    chosen = sorted(int(j) for j, var in x.items() if (var.value() or 0) > 0.5)
    covered = base | covered_by(candidates[:, chosen]) if chosen else base
    status = pulp.LpStatus[problem.status]
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        status = "Stopped by the time limit (not proven optimal)"
    return SolveOutcome(chosen, float(weights[covered].sum()), status,
                        time.perf_counter() - started, gap_rel,
                        base_weight + float(pulp.value(problem.objective) or 0.0))


def fewest_sparse(existing: sparse.csr_matrix, candidates: sparse.csr_matrix, weights,
                  target_share: float, gap_rel: float | None = None,
                  time_limit: float | None = None) -> SolveOutcome:
    """The fewest candidates so that existing + chosen cover ``target_share`` (0-1) of the
    weight (status "Infeasible" when every candidate together falls short)."""
    started = time.perf_counter()
    weights = np.asarray(weights, float)
    base = covered_by(existing)
    base_weight = float(weights[base].sum())
    need = target_share * weights.sum() - base_weight - 1e-9
    if need <= 0:
        return SolveOutcome([], base_weight, OPTIMAL, time.perf_counter() - started, 0.0)
    rows, row_weights = _merged_open_rows(candidates, weights, base)
    useful = sorted({j for row in rows for j in row})
    gap_rel = exact_gap(len(useful)) if gap_rel is None else gap_rel
    problem = pulp.LpProblem("fewest_sparse", pulp.LpMinimize)
    x = {j: pulp.LpVariable(f"x_{j}", cat="Binary") for j in useful}
    y = [pulp.LpVariable(f"y_{r}", lowBound=0, upBound=1) for r in range(len(rows))]
    problem += pulp.lpSum(x.values())
    for v, row in zip(y, rows):
        problem += v <= pulp.lpSum(x[j] for j in row)
    problem += pulp.lpSum(w * v for w, v in zip(row_weights, y)) >= need
    problem.solve(pulp.PULP_CBC_CMD(msg=False, gapRel=gap_rel, timeLimit=time_limit))
    status = pulp.LpStatus[problem.status]
    if problem.status != pulp.LpStatusOptimal:
        return SolveOutcome([], base_weight, status, time.perf_counter() - started, gap_rel)
    if problem.sol_status == pulp.LpSolutionIntegerFeasible:
        status = "Stopped by the time limit (not proven optimal)"
    chosen = sorted(int(j) for j, var in x.items() if (var.value() or 0) > 0.5)
    covered = base | covered_by(candidates[:, chosen]) if chosen else base
    return SolveOutcome(chosen, float(weights[covered].sum()), status,
                        time.perf_counter() - started, gap_rel, float(len(chosen)))


def column(cover: sparse.csr_matrix, j: int) -> np.ndarray:
    """Which demand rows site ``j`` reaches (a dense boolean vector)."""
    return cover[:, [int(j)]].toarray().ravel()


def greedy_sparse(existing: sparse.csr_matrix, candidates: sparse.csr_matrix, weights,
                  k: int | None = None, target_share: float | None = None) -> list[int] | None:
    """Greedy over coverage sets: add the candidate that newly covers the most weight (ties:
    lowest index), ``k`` times (stopping early when nothing is gained), or until
    ``target_share`` of the weight is covered (None when it cannot be reached)."""
    weights = np.asarray(weights, float)
    covered = covered_by(existing).copy()
    target = None if target_share is None else target_share * weights.sum() - 1e-9
    reach_t = candidates.T.tocsr()
    chosen: list[int] = []
    while (len(chosen) < int(k)) if target is None else (weights[covered].sum() < target):
        gains = reach_t @ np.where(covered, 0.0, weights)
        if chosen:
            gains[chosen] = -1
        if not len(gains) or gains.max() <= 0:
            return None if target is not None else sorted(chosen)
        best = int(np.argmax(gains))
        chosen.append(best)
        covered |= column(candidates, best)
    return sorted(chosen)


def _merged_open_rows(candidates: sparse.csr_matrix, weights, base) -> tuple[list, list]:
    """The demand rows no existing site covers but some candidate does, rows with the same
    reaching candidates merged: (list of candidate-index tuples, their summed weights)."""
    merged: dict[tuple, float] = {}
    indptr, indices = candidates.indptr, candidates.indices
    for i in np.flatnonzero(~base):
        row = tuple(sorted(indices[indptr[i]:indptr[i + 1]].tolist()))
        if row:
            merged[row] = merged.get(row, 0.0) + float(weights[i])
    return list(merged), list(merged.values())


@dataclass
class SparseSiting:
    households_total: int
    covered_before: int
    covered_after: int
    chosen_ids: list[str]
    status: str
    seconds: float
    gap_rel: float
    candidates: int
    pairs: int  # (demand, site) pairs within reach: the size of the coverage sets


def suggest_positions_sparse(compounds, positions, k: int, radius: float = cov.DEFAULT_RADIUS_M,
                             candidates=None, tiers=None, include_planned: bool = False,
                             time_limit: float | None = None) -> SparseSiting:
    """MCLP over coverage sets (straight-line reach): ``k`` new positions among
    ``candidates`` (default: every compound's representative point), existing kept."""
    from geo.siting import default_candidates

    if radius <= 0:
        raise cov.CoverageInputError("radius must be positive")
    demand = cov.demand_points(compounds)
    if candidates is None:
        candidates = default_candidates(compounds)
    existing = cov.supply_points(positions, tiers, include_planned)
    proposed = cov.supply_points(None, candidates=candidates.reset_index(drop=True))
    xy = _xy(demand)
    existing_sets = cover_sets(xy, _xy(existing), radius)
    candidate_sets = cover_sets(xy, _xy(proposed), radius)
    weights = demand[cov.HOUSEHOLDS].to_numpy(float)
    outcome = mclp_sparse(existing_sets, candidate_sets, weights, k, time_limit=time_limit)
    ids = proposed[cov.ID].astype(str).to_numpy() if cov.ID in proposed else np.array([])
    return SparseSiting(
        households_total=int(weights.sum()),
        covered_before=int(weights[covered_by(existing_sets)].sum()),
        covered_after=int(outcome.covered), chosen_ids=[str(ids[j]) for j in outcome.chosen],
        status=outcome.status, seconds=outcome.seconds, gap_rel=outcome.gap_rel,
        candidates=len(proposed), pairs=int(existing_sets.nnz + candidate_sets.nnz))


def _xy(frame) -> np.ndarray:
    return np.column_stack([frame.geometry.x.to_numpy(), frame.geometry.y.to_numpy()]) if len(
        frame) else np.empty((0, 2))
