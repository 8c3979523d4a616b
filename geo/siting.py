"""Where should the next service positions go? Entry points over GeoDataFrames.

- :func:`suggest_positions` (MCLP): choose ``k`` candidates that maximise covered households,
  existing positions kept fixed (spopt's predefined facilities); greedy solution beside it.
- :func:`fewest_positions` (LSCP for a target share, formulated with pulp directly because
  spopt's LSCP only models full coverage): the fewest candidates reaching a target share.

Candidates default to the compounds' representative points; extra candidate points come from a
file (:func:`read_candidates`) or the planner page. The cores live in :mod:`geo.siting_core`;
a problem too wide for dense matrices (a city, a province: :func:`geo.coverage.is_wide`) is
solved over sparse coverage sets by :mod:`geo.siting_sparse`, in straight-line metres.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse

from geo import coverage as cov
from geo import siting_core as core
from geo import siting_sparse as wide
from geo.schema import ID, WGS84

CANDIDATE_PREFIX = "cand-"
LON, LAT = "lon", "lat"
GAIN = "new_households"
CANDIDATE_COLUMNS = [ID, cov.NAME, cov.TIER, LON, LAT]


@dataclass
class SitingResult:
    method: str  # "mclp" or "fewest"
    radius_m: float
    households_total: int
    covered_before: int
    covered_after: int
    greedy_after: int
    chosen: pd.DataFrame  # id, name, tier, lon, lat, new_households (added in choice order)
    greedy_chosen: pd.DataFrame
    solver_status: str
    seconds: float
    greedy_seconds: float
    gap_rel: float
    objective: float | None
    distance_kind: str
    candidates_count: int
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        total = self.households_total or 1
        return {
            "method": self.method, "radius_m": self.radius_m,
            "distance_kind": self.distance_kind, "households_total": self.households_total,
            "covered_before": self.covered_before, "covered_after": self.covered_after,
            "share_before": round(self.covered_before / total, 6),
            "share_after": round(self.covered_after / total, 6),
            "chosen": _rows(self.chosen), "greedy_after": self.greedy_after,
            "greedy_chosen": _rows(self.greedy_chosen), "solver_status": self.solver_status,
            "seconds": round(self.seconds, 4), "greedy_seconds": round(self.greedy_seconds, 4),
            "gap_rel": self.gap_rel, "objective": self.objective,
            "candidates_count": self.candidates_count, **self.extra,
        }


def _rows(frame: pd.DataFrame) -> list[dict]:
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


# ------------------------------------------------------------------ candidates
def default_candidates(compounds: gpd.GeoDataFrame,
                       demand: str = cov.DEMAND_COMPOUNDS) -> gpd.GeoDataFrame:
    """One candidate per compound (per grid with ``demand="grids"``), at its representative
    point (WGS84)."""
    points = cov.demand_points(compounds, demand).to_crs(WGS84)
    return gpd.GeoDataFrame(
        {ID: CANDIDATE_PREFIX + points[ID].astype(str), cov.NAME: points[cov.NAME],
         cov.TIER: "point"}, geometry=points.geometry.to_numpy(), crs=WGS84,
    )


def candidates_from_points(rows: list[dict]) -> gpd.GeoDataFrame:
    """Candidates from dicts with lon, lat (WGS84) and optional id, name, tier."""
    frame = pd.DataFrame(rows, columns=CANDIDATE_COLUMNS) if rows else \
        pd.DataFrame(columns=CANDIDATE_COLUMNS)
    def text(value):
        return None if value is None or pd.isna(value) or str(value) == "" else str(value)

    ids = [text(r) or f"{CANDIDATE_PREFIX}x{i + 1}" for i, r in enumerate(frame[ID].tolist())]
    names = [text(n) or i for n, i in zip(frame[cov.NAME].tolist(), ids, strict=True)]
    tiers = [text(t) or "point" for t in frame[cov.TIER].tolist()]
    return gpd.GeoDataFrame(
        {ID: ids, cov.NAME: names, cov.TIER: tiers},
        geometry=gpd.points_from_xy(frame[LON].astype(float), frame[LAT].astype(float)),
        crs=WGS84,
    )


def read_candidates(path: str | Path) -> gpd.GeoDataFrame:
    """Extra candidates from a file: CSV with lon, lat (WGS84) [, id, name, tier], or any
    vector file GDAL reads (GeoJSON, GeoPackage, ...; polygons give their representative
    point)."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        table = pd.read_csv(path, dtype={ID: str})
        return candidates_from_points(table.to_dict(orient="records"))
    frame = gpd.read_file(path)
    frame = frame.set_crs(WGS84) if frame.crs is None else frame.to_crs(WGS84)
    points = frame.geometry.representative_point()
    rows = [{ID: str(row.get(ID)) if row.get(ID) is not None else None,
             cov.NAME: row.get(cov.NAME), cov.TIER: row.get(cov.TIER),
             LON: pt.x, LAT: pt.y} for (_, row), pt in zip(frame.iterrows(), points, strict=True)]
    return candidates_from_points(rows)


def combine_candidates(*frames) -> gpd.GeoDataFrame:
    frames = [f.to_crs(WGS84) for f in frames if f is not None and len(f)]
    if not frames:
        return candidates_from_points([])
    combined = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
    return combined.drop_duplicates(subset=[ID]).reset_index(drop=True)


# ------------------------------------------------------------------ problem set-up
@dataclass
class _Problem:
    weights: np.ndarray
    existing_cover: np.ndarray | sparse.csr_matrix  # demand x existing: within the radius
    candidate_cover: np.ndarray | sparse.csr_matrix  # demand x candidates
    candidates: gpd.GeoDataFrame  # WGS84, aligned with candidate_cover's columns
    radius: float
    distance_kind: str
    existing_dist: np.ndarray | None = None  # dense problems only (spopt's cost matrix)
    candidate_dist: np.ndarray | None = None

    @property
    def wide(self) -> bool:
        return sparse.issparse(self.candidate_cover)

    def covers(self):
        return self.existing_cover, self.candidate_cover

    def covered(self, chosen) -> int:
        union = _reached(self.existing_cover) | _reached(self.candidate_cover, list(chosen))
        return int(self.weights[union].sum())


def _reached(cover, columns=None) -> np.ndarray:
    """Demand rows reached by any of ``columns`` (all columns when None)."""
    part = cover if columns is None else cover[:, columns]
    if sparse.issparse(part):
        return np.asarray(part.getnnz(axis=1) > 0).ravel()
    return part.any(axis=1) if part.shape[1] else np.zeros(part.shape[0], bool)


def _column(cover, j: int) -> np.ndarray:
    return wide.column(cover, j) if sparse.issparse(cover) else cover[:, j]


def _problem(compounds, positions, radius, candidates, tiers, include_planned, roads, fixed,
             demand_kind=cov.DEMAND_COMPOUNDS):
    if radius <= 0:
        raise cov.CoverageInputError("radius must be positive")
    demand = cov.demand_points(compounds, demand_kind)
    if candidates is None:
        candidates = default_candidates(compounds, demand_kind)
    candidates = candidates.to_crs(WGS84)
    if fixed is not None and len(fixed):
        candidates = candidates[~candidates[ID].isin(set(fixed[ID]))]
    candidates = candidates.reset_index(drop=True)
    existing = cov.supply_points(positions, tiers, include_planned, fixed)
    proposed = cov.supply_points(None, candidates=candidates)
    weights = demand[cov.HOUSEHOLDS].to_numpy(float)
    if cov.is_wide(len(demand), len(existing) + len(proposed)):
        xy = cov.points_xy(demand)
        return _Problem(weights, wide.cover_sets(xy, cov.points_xy(existing), radius),
                        wide.cover_sets(xy, cov.points_xy(proposed), radius), candidates,
                        float(radius), cov.STRAIGHT_LINE)
    supply = pd.concat([existing, proposed], ignore_index=True)
    supply = gpd.GeoDataFrame(supply, crs=existing.crs)
    road_lines = roads.to_crs(cov.METRIC_CRS) if roads is not None and len(roads) else None
    dist, kind = cov.distance_matrix(demand, supply, road_lines)
    n = len(existing)
    return _Problem(weights, dist[:, :n] <= radius, dist[:, n:] <= radius, candidates,
                    float(radius), kind, dist[:, :n], dist[:, n:])


def _chosen_frame(problem: _Problem, chosen: list[int]) -> pd.DataFrame:
    """Chosen candidates in greedy order of marginal gain, each with the households it adds."""
    covered = _reached(problem.existing_cover)
    reach = {j: _column(problem.candidate_cover, j) for j in chosen}
    rows, left = [], list(chosen)
    while left:
        gains = [problem.weights[~covered & reach[j]].sum() for j in left]
        j = left.pop(int(np.argmax(gains)))
        covered |= reach[j]
        point = problem.candidates.geometry.iloc[j].representative_point()
        source = problem.candidates.iloc[j]
        rows.append({ID: source[ID], cov.NAME: source.get(cov.NAME), cov.TIER:
                     source.get(cov.TIER) or "point", LON: round(point.x, 7),
                     LAT: round(point.y, 7), GAIN: int(max(gains))})
    return pd.DataFrame(rows, columns=[*CANDIDATE_COLUMNS, GAIN])


def _result(method, problem, outcome, greedy, greedy_seconds, extra=None) -> SitingResult:
    return SitingResult(
        method=method, radius_m=problem.radius, households_total=int(problem.weights.sum()),
        covered_before=problem.covered([]), covered_after=problem.covered(outcome.chosen),
        greedy_after=problem.covered(greedy or []),
        chosen=_chosen_frame(problem, outcome.chosen),
        greedy_chosen=_chosen_frame(problem, greedy or []), solver_status=outcome.status,
        seconds=outcome.seconds, greedy_seconds=greedy_seconds, gap_rel=outcome.gap_rel,
        objective=outcome.objective, distance_kind=problem.distance_kind,
        candidates_count=len(problem.candidates), extra=extra or {},
    )


# ------------------------------------------------------------------ entry points
def _demand(demand: str) -> dict:
    return {"demand": demand, "unit": cov.DEMAND_WEIGHT[cov.check_demand(demand)]}


def suggest_positions(compounds, positions, k: int, radius: float = cov.DEFAULT_RADIUS_M,
                      candidates=None, tiers=None, include_planned: bool = False, roads=None,
                      gap_rel: float | None = None, fixed=None,
                      demand: str = cov.DEMAND_COMPOUNDS) -> SitingResult:
    """MCLP: ``k`` new positions among ``candidates`` (default: every compound's
    representative point) maximising covered households, existing positions (and the points
    in ``fixed``, e.g. candidates the planner placed already) kept. ``demand="grids"``: pass
    the grids as ``compounds``; residents per grid are covered instead (default candidates:
    the grids' representative points)."""
    problem = _problem(compounds, positions, radius, candidates, tiers, include_planned, roads,
                       fixed, demand)
    if problem.wide:
        outcome = wide.mclp_sparse(*problem.covers(), problem.weights, k, gap_rel)
    else:
        outcome = core.mclp_from_matrix(problem.existing_dist, problem.candidate_dist,
                                        problem.weights, problem.radius, k, gap_rel)
    started = time.perf_counter()
    greedy = (wide.greedy_sparse(*problem.covers(), problem.weights, k=k) if problem.wide
              else core.greedy_max_coverage(*problem.covers(), problem.weights, k))
    return _result("mclp", problem, outcome, greedy, time.perf_counter() - started,
                   {"k": k, **_demand(demand)})


def fewest_positions(compounds, positions, target_share: float,
                     radius: float = cov.DEFAULT_RADIUS_M, candidates=None, tiers=None,
                     include_planned: bool = False, roads=None,
                     gap_rel: float | None = None, fixed=None,
                     demand: str = cov.DEMAND_COMPOUNDS) -> SitingResult:
    """The fewest new positions among ``candidates`` so that ``target_share`` (0-1) of the
    households (residents with ``demand="grids"``) are covered (status "Infeasible" when the
    candidates cannot reach it)."""
    problem = _problem(compounds, positions, radius, candidates, tiers, include_planned, roads,
                       fixed, demand)
    existing, candidate = problem.covers()
    if problem.wide:
        outcome = wide.fewest_sparse(existing, candidate, problem.weights, target_share, gap_rel)
    else:
        outcome = core.fewest_for_share(existing, candidate, problem.weights, target_share,
                                        gap_rel)
    started = time.perf_counter()
    greedy = (wide.greedy_sparse(existing, candidate, problem.weights, target_share=target_share)
              if problem.wide else
              core.greedy_for_share(existing, candidate, problem.weights, target_share))
    extra = {"target_share": target_share, "count": len(outcome.chosen),
             "greedy_count": None if greedy is None else len(greedy), **_demand(demand)}
    return _result("fewest", problem, outcome, greedy, time.perf_counter() - started, extra)
