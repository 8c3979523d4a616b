"""Coverage of compounds by service positions: who lives within walking reach of a position.

Demand is each compound's ``households`` at the compound's representative point (shapely's
``representative_point``, always inside the polygon, unlike the centroid), or, with
``demand="grids"``, each community grid's ``residents`` at the grid's representative point (the
whole district, not only the managed compounds). Either weight sits in the ``households``
column of the results; ``CoverageResult.demand`` and ``unit`` say which it is. Supply is the service
positions with status "existing" (optionally narrowed to some tiers; "planned" positions only
when asked) plus any candidate points. Distances are metres in the metric CRS EPSG:4549:
straight-line, or along the store's ``roads`` layer when it has any (see
:mod:`geo.network_distance`); every result says which (``distance_kind``). A problem too wide
for a dense demand x supply matrix (a city, a province: :func:`is_wide`) is solved with a
KD-tree in straight-line metres.

The entry point :func:`analyse_coverage` validates and projects GeoDataFrames, then hands
numpy arrays to the pure core :mod:`geo.coverage_core`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.coverage_core import (
    CoreCoverage,
    coverage_from_distance_matrix,
    coverage_from_nearest,
    nearest_straight,
    straight_line_matrix,
    weighted_mean,
    weighted_quantile,
)
from geo.schema import GEOMETRY, ID, METRIC_CRS

HOUSEHOLDS = "households"
RESIDENTS = "residents"
DEMAND_COMPOUNDS, DEMAND_GRIDS = "compounds", "grids"
DEMAND_WEIGHT = {DEMAND_COMPOUNDS: HOUSEHOLDS, DEMAND_GRIDS: RESIDENTS}  # demand -> unit column
NAME = "name"
TIER = "tier"
STATUS = "status"
STATUS_EXISTING = "existing"
STATUS_PLANNED = "planned"
STATUS_CANDIDATE = "candidate"  # a point the planner is trying out, not in the store
DISTANCE_M = "distance_m"
NEAREST_ID = "nearest_position_id"
COVERED = "covered"
CATCHMENT = "catchment_households"
CATCHMENT_COMPOUNDS = "catchment_compounds"

STRAIGHT_LINE = "straight-line"
NETWORK = "network"
# The "15-minute life circle": 5/10/15-minute walks.
RADIUS_PRESETS = {"walk_5": 300.0, "walk_10": 500.0, "walk_15": 1000.0}
DEFAULT_RADIUS_M = RADIUS_PRESETS["walk_10"]
P90 = 0.9
DENSE_CELLS = 1_000_000  # demand x supply pairs of a dense matrix (8 MB); above: sparse sets


class CoverageInputError(ValueError):
    """The frames handed to the coverage analysis are unusable (no CRS, bad geometry, ...)."""


def is_wide(n_demand: int, n_supply: int) -> bool:
    """Too many demand x supply pairs for a dense matrix (a city, a province): reach is then
    found with a KD-tree, in straight-line metres."""
    return n_demand * n_supply > DENSE_CELLS


# ------------------------------------------------------------------ results
@dataclass
class CoverageResult:
    radius_m: float
    households_total: int
    covered_households: int
    distance_kind: str
    mean_distance_m: float  # household-weighted, over every compound
    p90_distance_m: float  # household-weighted 90th percentile
    compounds: pd.DataFrame  # id, name, households, nearest_position_id, distance_m, covered
    positions: pd.DataFrame  # id, name, tier, status, catchment_households, catchment_compounds
    delta: dict = field(default_factory=dict)  # filled by with_delta()
    demand: str = DEMAND_COMPOUNDS  # the demand points: compounds, or grids

    @property
    def unit(self) -> str:
        """What the demand figures count: households (compounds) or residents (grids)."""
        return DEMAND_WEIGHT[self.demand]

    @property
    def share_covered(self) -> float:
        return self.covered_households / self.households_total if self.households_total else 0.0

    @property
    def uncovered_compounds(self) -> list[str]:
        return self.compounds.loc[~self.compounds[COVERED], ID].tolist()

    def with_delta(self, before: CoverageResult) -> CoverageResult:
        """This result with the change from ``before`` (a position added or removed)."""
        self.delta = coverage_delta(before, self)
        return self

    def to_dict(self, details: bool = True) -> dict:
        out = {
            "radius_m": self.radius_m, "distance_kind": self.distance_kind,
            "demand": self.demand, "unit": self.unit,
            "households_total": self.households_total,
            "covered_households": self.covered_households,
            "share_covered": round(self.share_covered, 6),
            "uncovered_compounds": self.uncovered_compounds,
            "mean_distance_m": _finite_or_none(self.mean_distance_m),
            "p90_distance_m": _finite_or_none(self.p90_distance_m),
            "positions_count": len(self.positions),
        }
        if self.delta:
            out["delta"] = self.delta
        if details:
            out["compounds"] = _records(self.compounds)
            out["positions"] = _records(self.positions)
        return out


def coverage_delta(before: CoverageResult, after: CoverageResult) -> dict:
    newly = sorted(set(before.uncovered_compounds) - set(after.uncovered_compounds))
    lost = sorted(set(after.uncovered_compounds) - set(before.uncovered_compounds))
    return {
        "covered_households": after.covered_households - before.covered_households,
        "share_covered": round(after.share_covered - before.share_covered, 6),
        "mean_distance_m": _finite_or_none(after.mean_distance_m - before.mean_distance_m),
        "p90_distance_m": _finite_or_none(after.p90_distance_m - before.p90_distance_m),
        "newly_covered_compounds": newly, "newly_uncovered_compounds": lost,
    }


def _finite_or_none(value):
    return round(float(value), 1) if value is not None and np.isfinite(value) else None


def _records(frame: pd.DataFrame) -> list[dict]:
    plain = frame.drop(columns=[GEOMETRY], errors="ignore").astype(object)
    plain = plain.where(plain.notna(), None)
    out = plain.to_dict(orient="records")
    for row in out:
        for key, value in row.items():
            if isinstance(value, float) and not np.isfinite(value):
                row[key] = None
            elif hasattr(value, "item"):
                row[key] = value.item()
    return out


# ------------------------------------------------------------------ entry points
def validate_frame(frame, required: list[str], what: str) -> gpd.GeoDataFrame:
    """A GeoDataFrame with a CRS, the required columns and valid, non-empty geometry."""
    if not isinstance(frame, gpd.GeoDataFrame):
        raise CoverageInputError(f"{what}: not a GeoDataFrame")
    if frame.crs is None:
        raise CoverageInputError(f"{what}: no CRS")
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise CoverageInputError(f"{what}: missing columns {missing}")
    geoms = frame.geometry
    bad = geoms.isna() | geoms.is_empty | ~geoms.is_valid
    if bad.any():
        ids = frame.loc[bad, ID].tolist() if ID in frame.columns else list(frame.index[bad])
        raise CoverageInputError(f"{what}: missing, empty or invalid geometry for {ids[:5]}")
    return frame


def check_demand(demand: str) -> str:
    if demand not in DEMAND_WEIGHT:
        raise CoverageInputError(f"demand must be one of {sorted(DEMAND_WEIGHT)}, not {demand!r}")
    return demand


def demand_points(frame: gpd.GeoDataFrame, demand: str = DEMAND_COMPOUNDS) -> gpd.GeoDataFrame:
    """Compounds (weight: households) or grids (weight: residents) as points (representative
    points, metric CRS) with id, name and the weight in the ``households`` column."""
    weight = DEMAND_WEIGHT[check_demand(demand)]
    validate_frame(frame, [ID, weight], demand)
    metric = frame.to_crs(METRIC_CRS)
    names = metric[NAME] if NAME in metric.columns else metric[ID]
    households = pd.to_numeric(metric[weight], errors="coerce").fillna(0).astype(int)
    return gpd.GeoDataFrame(
        {ID: metric[ID].to_numpy(), NAME: names.to_numpy(), HOUSEHOLDS: households.to_numpy()},
        geometry=metric.geometry.representative_point().to_numpy(), crs=METRIC_CRS,
    )


def supply_points(positions: gpd.GeoDataFrame, tiers=None, include_planned: bool = False,
                  candidates: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Existing positions (of the given tiers; planned too when asked) plus candidate points,
    as points in the metric CRS with id, name, tier, status."""
    frames = []
    if positions is not None and len(positions):
        validate_frame(positions, [ID, STATUS], "service_positions")
        keep = positions[STATUS] == STATUS_EXISTING
        if include_planned:
            keep |= positions[STATUS] == STATUS_PLANNED
        if tiers:
            keep &= positions[TIER].isin(list(tiers))
        frames.append(_points(positions[keep.fillna(False).to_numpy()], STATUS_EXISTING))
    if candidates is not None and len(candidates):
        validate_frame(candidates, [ID], "candidates")
        frames.append(_points(candidates, STATUS_CANDIDATE))
    columns = [ID, NAME, TIER, STATUS]
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs=METRIC_CRS)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=METRIC_CRS)


def _points(frame: gpd.GeoDataFrame, default_status: str) -> gpd.GeoDataFrame:
    metric = frame.to_crs(METRIC_CRS)
    n = len(metric)

    def column(name, default):
        return metric[name].to_numpy() if name in metric.columns else np.full(n, default, object)

    return gpd.GeoDataFrame(
        {ID: metric[ID].astype(str).to_numpy(), NAME: column(NAME, None),
         TIER: column(TIER, "point"), STATUS: column(STATUS, default_status)},
        geometry=metric.geometry.representative_point().to_numpy(), crs=METRIC_CRS,
    )


def points_xy(frame: gpd.GeoDataFrame) -> np.ndarray:
    """(n, 2) coordinates of a point frame."""
    return np.column_stack([frame.geometry.x, frame.geometry.y]) if len(frame) else \
        np.empty((0, 2))


def distance_matrix(demand: gpd.GeoDataFrame, supply: gpd.GeoDataFrame, roads=None):
    """Demand x supply distances in metres and their kind: along ``roads`` when it has any
    lines, else straight-line."""
    demand_xy, supply_xy = points_xy(demand), points_xy(supply)
    if roads is not None and len(roads):
        from geo.network_distance import network_distance_matrix

        return network_distance_matrix(roads, demand_xy, supply_xy), NETWORK
    return straight_line_matrix(demand_xy, supply_xy), STRAIGHT_LINE


def coverage_result(demand: gpd.GeoDataFrame, supply: gpd.GeoDataFrame, core: CoreCoverage,
                    radius: float, distance_kind: str,
                    demand_kind: str = DEMAND_COMPOUNDS) -> CoverageResult:
    """Assemble a CoverageResult from prepared points and their core coverage."""
    households = demand[HOUSEHOLDS].to_numpy(dtype=float)
    supply_ids = supply[ID].to_numpy()
    compounds = pd.DataFrame({
        ID: demand[ID].to_numpy(), NAME: demand[NAME].to_numpy(),
        HOUSEHOLDS: demand[HOUSEHOLDS].to_numpy(),
        NEAREST_ID: [supply_ids[i] if i >= 0 else None for i in core.nearest_index],
        DISTANCE_M: np.round(core.nearest_distance, 1), COVERED: core.covered,
    })
    positions = pd.DataFrame({
        ID: supply_ids, NAME: supply[NAME].to_numpy(), TIER: supply[TIER].to_numpy(),
        STATUS: supply[STATUS].to_numpy(), CATCHMENT: core.catchment.astype(int),
        CATCHMENT_COMPOUNDS: core.catchment_count,
    })
    return CoverageResult(
        radius_m=float(radius), households_total=int(households.sum()),
        covered_households=int(households[core.covered].sum()), distance_kind=distance_kind,
        mean_distance_m=weighted_mean(core.nearest_distance, households),
        p90_distance_m=weighted_quantile(core.nearest_distance, households, P90),
        compounds=compounds, positions=positions, demand=demand_kind,
    )


def analyse_coverage(compounds, positions, radius: float = DEFAULT_RADIUS_M, tiers=None,
                     include_planned: bool = False, candidates=None, roads=None,
                     demand: str = DEMAND_COMPOUNDS) -> CoverageResult:
    """Coverage of ``compounds`` (or, with ``demand="grids"``, of grids: pass the grids frame)
    by existing ``positions`` (+ ``candidates``) within ``radius`` metres. Frames in any CRS
    (they are projected to EPSG:4549)."""
    if radius <= 0:
        raise CoverageInputError("radius must be positive")
    demand_kind, demand = demand, demand_points(compounds, demand)
    supply = supply_points(positions, tiers, include_planned, candidates)
    households = demand[HOUSEHOLDS].to_numpy(dtype=float)
    if is_wide(len(demand), len(supply)):
        nearest, distance = nearest_straight(points_xy(demand), points_xy(supply))
        core, kind = coverage_from_nearest(nearest, distance, households, len(supply),
                                           radius), STRAIGHT_LINE
    else:
        road_lines = roads.to_crs(METRIC_CRS) if roads is not None and len(roads) else None
        dist, kind = distance_matrix(demand, supply, road_lines)
        core = coverage_from_distance_matrix(dist, households, radius)
    return coverage_result(demand, supply, core, radius, kind, demand_kind)


def coverage_change(compounds, positions, radius: float = DEFAULT_RADIUS_M, tiers=None,
                    include_planned: bool = False, candidates=None, remove_ids=(),
                    roads=None, demand: str = DEMAND_COMPOUNDS) -> CoverageResult:
    """Coverage after adding ``candidates`` and removing positions ``remove_ids``, with the
    delta against the current coverage."""
    before = analyse_coverage(compounds, positions, radius, tiers, include_planned, roads=roads,
                              demand=demand)
    kept = positions[~positions[ID].isin(list(remove_ids))] if len(remove_ids) else positions
    after = analyse_coverage(compounds, kept, radius, tiers, include_planned, candidates, roads,
                             demand)
    return after.with_delta(before)
