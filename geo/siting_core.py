"""The pure cores of siting (numpy in, indices out): maximal coverage (MCLP) and fewest
positions for a target share (partial set covering), and their greedy counterparts.

- MCLP: PySAL spopt's ``MCLP.from_cost_matrix`` over the existing positions (kept fixed through
  ``predefined_facilities_arr``) plus the candidates, choosing ``k`` candidates that maximise
  covered households.
- Fewest positions for a target share: spopt's ``LSCP`` only models full coverage, so this is
  formulated directly with pulp (minimise opened candidates subject to covered households >=
  target x total; existing positions' coverage is a constant).

Both stop on a relative optimality gap (CBC ``gapRel``), never on a time limit (a CBC time-out
makes spopt raise). The default gap is below one household over the whole district, so with
whole-number households the solution CBC returns is the proven optimum.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pulp
from spopt.locate import MCLP


@dataclass
class SolveOutcome:
    chosen: list[int]  # candidate indices, ascending
    covered: float  # households covered by existing + chosen
    status: str  # pulp status text, e.g. "Optimal"
    seconds: float
    gap_rel: float
    objective: float | None = None  # the solver's objective value (households covered)


def exact_gap(total_weight: float) -> float:
    """A relative gap small enough that any solution within it is optimal for integer weights."""
    return 0.5 / max(float(total_weight), 1.0)


def solver(gap_rel: float) -> pulp.LpSolver:
    return pulp.PULP_CBC_CMD(msg=False, gapRel=gap_rel)


def covered_weight(cover: np.ndarray, weights, columns) -> float:
    """Households covered by the union of the given columns of a demand x site cover matrix."""
    columns = list(columns)
    if not columns:
        return 0.0
    return float(np.asarray(weights, float)[cover[:, columns].any(axis=1)].sum())


def greedy_max_coverage(existing_cover, candidate_cover, weights, k: int) -> list[int]:
    """Greedy: k times, add the candidate that newly covers the most households (ties: lowest
    index; stops early when no candidate adds anything)."""
    weights = np.asarray(weights, float)
    covered = np.asarray(existing_cover, bool).reshape(len(weights), -1).any(axis=1)
    chosen: list[int] = []
    for _ in range(int(k)):
        gains = weights[~covered] @ candidate_cover[~covered]
        if len(chosen):
            gains[chosen] = -1
        if len(gains) == 0 or gains.max() <= 0:
            break
        best = int(np.argmax(gains))
        chosen.append(best)
        covered |= candidate_cover[:, best]
    return sorted(chosen)


@dataclass
class ReducedInstance:
    """An exact, smaller MCLP instance: demand rows merged, useless candidates dropped."""

    existing_cover: np.ndarray  # rows x existing
    candidate_cover: np.ndarray  # rows x kept candidates
    weights: np.ndarray  # households per row
    candidates: np.ndarray  # original index of each kept candidate


def reduce_instance(existing_cover, candidate_cover, weights) -> ReducedInstance:
    """Shrink an MCLP instance without changing its optimum.

    - every demand point covered by an existing position becomes one row (weight summed),
      covered by every existing position;
    - demand points no site can reach are dropped (they stay uncovered whatever is chosen);
    - the other demand points with the same set of reaching candidates are merged;
    - a candidate whose reach (among the remaining rows) is contained in another's is dropped
      (identical reaches: the lowest index stays). Any optimal choice with a dropped candidate
      can swap it for the one containing it without losing households.
    """
    weights = np.asarray(weights, float)
    existing_cover = np.asarray(existing_cover, bool).reshape(len(weights), -1)
    candidate_cover = np.asarray(candidate_cover, bool).reshape(len(weights), -1)
    base = existing_cover.any(axis=1)
    open_rows = ~base & candidate_cover.any(axis=1)
    patterns, inverse = np.unique(candidate_cover[open_rows], axis=0, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=weights[open_rows], minlength=len(patterns))
    reach = patterns.astype(np.float32)
    overlap = reach.T @ reach  # candidates x candidates: shared rows
    size = np.diag(overlap)
    contained = np.isclose(overlap, size[:, None])  # [j, j2]: reach(j) within reach(j2)
    order = np.arange(len(size))
    dominated = (contained & ((size[None, :] > size[:, None]) | (order[None, :] < order[:, None]))
                 ).any(axis=1) | (size == 0)
    keep = np.flatnonzero(~dominated)
    n_existing = existing_cover.shape[1]
    rows_existing = np.zeros((len(patterns), n_existing), bool)
    rows_candidate = patterns[:, keep]
    if base.any():
        rows_existing = np.vstack([np.ones((1, n_existing), bool), rows_existing])
        rows_candidate = np.vstack([np.zeros((1, len(keep)), bool), rows_candidate])
        merged = np.r_[weights[base].sum(), merged]
    return ReducedInstance(rows_existing, rows_candidate, merged, keep)


def mclp_from_matrix(existing_dist, candidate_dist, weights, radius: float, k: int,
                     gap_rel: float | None = None) -> SolveOutcome:
    """MCLP with spopt on the reduced instance (:func:`reduce_instance`): the existing
    positions are predefined facilities, ``k`` candidates are added.

    spopt builds one dense pulp term per demand x site pair (about 30 microseconds each), so
    the reduction is what keeps the district-sized problems within a second. The instance is
    handed to spopt as a 0/1 cost matrix (0 = within reach) with a service radius of 0.5."""
    weights = np.asarray(weights, float)
    n = len(weights)
    existing_cover = np.asarray(existing_dist, float).reshape(n, -1) <= radius
    candidate_cover = np.asarray(candidate_dist, float).reshape(n, -1) <= radius
    gap_rel = exact_gap(weights.sum()) if gap_rel is None else gap_rel
    started = time.perf_counter()
    small = reduce_instance(existing_cover, candidate_cover, weights)
    n_existing, n_candidates = small.existing_cover.shape[1], small.candidate_cover.shape[1]
    k = min(int(k), n_candidates)
    if k == 0 or len(small.weights) == 0:
        covered = float(weights[existing_cover.any(axis=1)].sum())
        return SolveOutcome([], covered, "Optimal", time.perf_counter() - started, gap_rel)
    reach = np.hstack([small.existing_cover, small.candidate_cover])
    predefined = np.r_[np.ones(n_existing, int), np.zeros(n_candidates, int)]
    model = MCLP.from_cost_matrix(
        np.where(reach, 0.0, 1.0), small.weights, service_radius=0.5,
        p_facilities=n_existing + k, predefined_facilities_arr=predefined if n_existing else None,
    )
    model.solve(solver(gap_rel), results=False)
    seconds = time.perf_counter() - started
    opened = [j - n_existing for j, var in enumerate(model.fac_vars)
              if j >= n_existing and (var.value() or 0) > 0.5]
    chosen = sorted(int(small.candidates[j]) for j in opened)
    full = np.hstack([existing_cover, candidate_cover])
    covered = covered_weight(full, weights, [*range(existing_cover.shape[1]),
                                             *[existing_cover.shape[1] + j for j in chosen]])
    return SolveOutcome(chosen, covered, pulp.LpStatus[model.problem.status], seconds, gap_rel,
                        float(pulp.value(model.problem.objective)))


def fewest_for_share(existing_cover, candidate_cover, weights, target_share: float,
                     gap_rel: float | None = None) -> SolveOutcome:
    """Fewest candidates so that existing + chosen cover at least ``target_share`` of the
    households (pulp; status "Infeasible" when even every candidate falls short)."""
    weights = np.asarray(weights, float)
    n = len(weights)
    base = np.asarray(existing_cover, bool).reshape(n, -1).any(axis=1)
    need = target_share * weights.sum() - weights[base].sum() - 1e-9
    started = time.perf_counter()
    if need <= 0:
        return SolveOutcome([], float(weights[base].sum()), "Optimal", 0.0, 0.0)
    open_rows = np.flatnonzero(~base)
    useful = np.flatnonzero(candidate_cover[open_rows].any(axis=0))
    problem = pulp.LpProblem("fewest_positions", pulp.LpMinimize)
    x = {j: pulp.LpVariable(f"x_{j}", cat="Binary") for j in useful}
    y = {i: pulp.LpVariable(f"y_{i}", cat="Binary") for i in open_rows}
    problem += pulp.lpSum(x.values())
    for i in open_rows:
        problem += y[i] <= pulp.lpSum(x[j] for j in np.flatnonzero(candidate_cover[i]) if j in x)
    problem += pulp.lpSum(weights[i] * y[i] for i in open_rows) >= need
    gap_rel = exact_gap(len(useful)) if gap_rel is None else gap_rel
    problem.solve(solver(gap_rel))
    seconds = time.perf_counter() - started
    status = pulp.LpStatus[problem.status]
    if problem.status != pulp.LpStatusOptimal:
        return SolveOutcome([], float(weights[base].sum()), status, seconds, gap_rel)
    chosen = sorted(int(j) for j, var in x.items() if (var.value() or 0) > 0.5)
    cover = np.hstack([base[:, None], candidate_cover])
    covered = covered_weight(cover, weights, [0, *[j + 1 for j in chosen]])
    return SolveOutcome(chosen, covered, status, seconds, gap_rel)


def greedy_for_share(existing_cover, candidate_cover, weights, target_share: float):
    """Greedy counterpart of :func:`fewest_for_share`: add the best candidate until the target
    share is reached (sorted indices; None when it cannot be reached)."""
    weights = np.asarray(weights, float)
    covered = np.asarray(existing_cover, bool).reshape(len(weights), -1).any(axis=1).copy()
    target = target_share * weights.sum() - 1e-9
    chosen: list[int] = []
    while weights[covered].sum() < target:
        gains = weights[~covered] @ candidate_cover[~covered]
        if len(gains) == 0 or gains.max() <= 0:
            return None
        best = int(np.argmax(gains))
        chosen.append(best)
        covered |= candidate_cover[:, best]
    return sorted(chosen)
