"""Planning scenarios: a named set of candidate positions (and existing ones taken away) at a
radius. Saved in the store's ``scenarios`` layer (payload as JSON), compared side by side,
exported to GeoJSON and Excel, and promoted into ``service_positions`` as status "planned".
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import uuid
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import pandas as pd

from geo import cells, clock, siting
from geo import coverage as cov
from geo.schema import GEOMETRY, ID, WGS84

SCENARIOS = "scenarios"
POSITIONS = "service_positions"
ACTION_SAVE = "save_scenario"
ACTION_PROMOTE = "promote_scenario"
PLANNED_FUNCTIONS = "党员活动、协商议事、收集民意、综合服务(规划)"
PLANNED_HOURS = "待定"
SAME_SPOT_M = 1.0  # a planned position this close, of the same tier, is the same one
COMPARE_COLUMNS = ("scenario", "demand", "positions_added", "positions_removed", "households_total",
                   "covered_households", "share_covered", "mean_distance_m", "p90_distance_m")


@dataclass
class Scenario:
    name: str
    radius_m: float
    candidates: list[dict] = field(default_factory=list)  # id, name, tier, lon, lat (WGS84)
    removed: list[str] = field(default_factory=list)  # existing position ids taken away
    tiers: list[str] | None = None
    include_planned: bool = False
    demand: str = cov.DEMAND_COMPOUNDS  # compounds (households) or grids (residents)
    id: str | None = None
    account: str | None = None
    created_at: str | None = None

    def payload(self) -> dict:
        keep = ("candidates", "removed", "tiers", "include_planned", "demand")
        return {k: v for k, v in asdict(self).items() if k in keep}

    def candidate_frame(self) -> gpd.GeoDataFrame:
        return siting.candidates_from_points(self.candidates)


def new_id(prefix: str = "S") -> str:
    return f"{prefix}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"


# ------------------------------------------------------------------ store
class ScenarioNameTaken(ValueError):
    """A scenario of that name exists already (the message is Chinese | English)."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(f"已有同名方案:{name} | a scenario named {name!r} exists already")


def name_key(name) -> str:
    """A scenario name as compared for sameness: trimmed, inner spaces squeezed, case folded."""
    return " ".join(str(name or "").split()).casefold()


def check_new_name(name: str, existing) -> str:
    """``name`` trimmed; :class:`ScenarioNameTaken` when one of ``existing`` names is the same
    (see :func:`name_key`), ValueError when it is empty."""
    clean = " ".join(str(name or "").split())
    if not clean:
        raise ValueError("方案名称不能为空 | a scenario needs a name")
    if name_key(clean) in {name_key(n) for n in existing}:
        raise ScenarioNameTaken(clean)
    return clean


def free_default_name(pattern, existing) -> str:
    """The first of ``pattern(1)``, ``pattern(2)``... that no ``existing`` name takes."""
    taken = {name_key(n) for n in existing}
    n = 1
    while name_key(pattern(n)) in taken:
        n += 1
    return pattern(n)


def save_scenario(store, scenario: Scenario, principal=None, account: str | None = None) -> str:
    """Append the scenario to the store's ``scenarios`` layer (refused, and the refusal
    audited, unless the principal may save scenarios; :class:`ScenarioNameTaken` when the store
    holds a scenario of the same name); returns its id."""
    from geo import auth

    principal = principal or auth.SYSTEM
    account = account or principal.name
    auth.require(principal, ACTION_SAVE, store=store, object_layer=SCENARIOS)
    existing = store.load(SCENARIOS)["name"] if SCENARIOS in store.layer_names() else []
    scenario.name = check_new_name(scenario.name, existing)
    scenario.id = scenario.id or new_id()
    scenario.account = account
    scenario.created_at = clock.now_utc().isoformat()
    row = {ID: scenario.id, "name": scenario.name, "created_at": scenario.created_at,
           "account": account, "radius_m": float(scenario.radius_m),
           "payload": json.dumps(scenario.payload(), ensure_ascii=False, sort_keys=True)}
    with store.transaction(account) as tx:
        tx.append(SCENARIOS, pd.DataFrame([row]))
    return scenario.id


def load_scenarios(store) -> list[Scenario]:
    return scenarios_from_frame(store.load(SCENARIOS))


def scenarios_from_frame(frame: pd.DataFrame) -> list[Scenario]:
    out = []
    for row in frame.sort_values("created_at").to_dict(orient="records"):
        payload = json.loads(row["payload"] or "{}")
        created = row.get("created_at")
        out.append(Scenario(
            name=row["name"], radius_m=float(row["radius_m"]), id=row[ID],
            account=row.get("account"),
            created_at=None if pd.isna(created) else pd.Timestamp(created).isoformat(),
            candidates=payload.get("candidates", []), removed=payload.get("removed", []),
            tiers=payload.get("tiers"), include_planned=bool(payload.get("include_planned")),
            demand=payload.get("demand", cov.DEMAND_COMPOUNDS),  # saved before demand existed
        ))
    return out


def delete_scenario(store, scenario_id: str, account: str) -> int:
    with store.transaction(account) as tx:
        return tx.delete(SCENARIOS, [scenario_id])


# ------------------------------------------------------------------ figures
def evaluate(scenario: Scenario, compounds, positions, roads=None,
             grids=None) -> cov.CoverageResult:
    """The scenario's coverage, with the delta against today's positions. A scenario of grid
    residents (``demand="grids"``) needs ``grids``."""
    demand = cov.check_demand(scenario.demand)
    frame = grids if demand == cov.DEMAND_GRIDS else compounds
    if frame is None:
        raise cov.CoverageInputError(f"scenario {scenario.name!r}: no {demand} layer given")
    return cov.coverage_change(
        frame, positions, scenario.radius_m, scenario.tiers, scenario.include_planned,
        scenario.candidate_frame(), scenario.removed, roads, demand,
    )


def compare(scenarios: list[Scenario], compounds, positions, roads=None,
            baseline_name: str = "current", baseline_radius: float | None = None,
            grids=None, baseline_demand: str = cov.DEMAND_COMPOUNDS) -> pd.DataFrame:
    """One row per scenario, today's positions first (at ``baseline_radius``, default the first
    scenario's radius, and ``baseline_demand``). Each row says its demand: households of
    compounds and residents of grids are not the same figures."""
    radius = baseline_radius or (scenarios[0].radius_m if scenarios else cov.DEFAULT_RADIUS_M)
    rows = []
    for scenario in [Scenario(baseline_name, radius, demand=baseline_demand), *scenarios]:
        result = evaluate(scenario, compounds, positions, roads, grids)
        rows.append({
            "scenario": scenario.name, "demand": result.demand, "radius_m": scenario.radius_m,
            "positions_added": len(scenario.candidates),
            "positions_removed": len(scenario.removed),
            "households_total": result.households_total,
            "covered_households": result.covered_households,
            "share_covered": round(result.share_covered, 4),
            "mean_distance_m": cov._finite_or_none(result.mean_distance_m),
            "p90_distance_m": cov._finite_or_none(result.p90_distance_m),
        })
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ exports
def to_geojson(scenario: Scenario) -> bytes:
    """The scenario's candidate positions as a GeoJSON FeatureCollection (WGS84)."""
    frame = scenario.candidate_frame()
    frame["scenario"] = scenario.name
    frame["radius_m"] = float(scenario.radius_m)
    return frame.to_json(ensure_ascii=False, drop_id=True).encode("utf-8")


def to_excel(scenario: Scenario, result: cov.CoverageResult, headers: dict | None = None,
             values: dict | None = None, sheet_names: dict | None = None) -> bytes:
    """Sheets: summary, candidate positions, compounds (distance, covered), positions.

    For a reader's language (geo holds no UI text): ``headers`` renames columns, ``values``
    maps a column to a function applied to its cells (codes to words), ``sheet_names``
    renames sheets."""
    summary = pd.DataFrame([{
        "scenario": scenario.name, "radius_m": scenario.radius_m, "demand": result.demand,
        "unit": result.unit,
        "distance_kind": result.distance_kind, "households_total": result.households_total,
        "covered_households": result.covered_households,
        "share_covered": round(result.share_covered, 4),
        "mean_distance_m": cov._finite_or_none(result.mean_distance_m),
        "p90_distance_m": cov._finite_or_none(result.p90_distance_m),
    }])
    sheets = {"summary": summary,
              "candidates": pd.DataFrame(scenario.candidates,
                                         columns=siting.CANDIDATE_COLUMNS),
              "compounds": result.compounds, "positions": result.positions}
    buffer = io.BytesIO()
    with cells.excel_writer(buffer) as writer:
        for sheet, frame in sheets.items():
            frame = frame.assign(**{c: frame[c].map(f) for c, f in (values or {}).items()
                                    if c in frame})
            cells.write_sheet(writer, frame.rename(columns=headers or {}),
                              (sheet_names or {}).get(sheet, sheet)[:31])
    return buffer.getvalue()


# ------------------------------------------------------------------ promotion
def planned_rows(scenario: Scenario, streets, communities=None, compounds=None) -> gpd.GeoDataFrame:
    """The scenario's candidates as service_positions rows with status "planned"; street,
    community and compound found by location (nearest street when outside every street)."""
    points = scenario.candidate_frame().to_crs(WGS84)
    rows = gpd.GeoDataFrame({
        ID: [planned_id(tier, point.x, point.y)
             for tier, point in zip(points[cov.TIER], points.geometry)],
        "name": points[cov.NAME].to_numpy(), "tier": points[cov.TIER].to_numpy(),
        "status": cov.STATUS_PLANNED, "floor_area_m2": 0.0, "functions": PLANNED_FUNCTIONS,
        "opening_hours": PLANNED_HOURS,
    }, geometry=points.geometry.to_numpy(), crs=WGS84)
    rows["street_id"] = _locate(rows, streets, nearest=True)
    if communities is not None:
        rows["community_id"] = _locate(rows, communities)
    if compounds is not None:
        rows["compound_id"] = _locate(rows, compounds)
    return rows


def _locate(points: gpd.GeoDataFrame, areas, nearest: bool = False) -> list:
    if areas is None or len(areas) == 0:
        return [None] * len(points)
    metric_points = points[[GEOMETRY]].to_crs(cov.METRIC_CRS)
    metric_areas = areas[[ID, GEOMETRY]].rename(columns={ID: "area_id"}).to_crs(cov.METRIC_CRS)
    if nearest:
        joined = gpd.sjoin_nearest(metric_points, metric_areas, how="left")
    else:
        joined = gpd.sjoin(metric_points, metric_areas, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    return [None if pd.isna(v) else v for v in joined["area_id"].reindex(points.index)]


def planned_id(tier: str, lon: float, lat: float) -> str:
    """The id of a planned position: the same tier at the same spot (to ~0.1 m) is the same
    planned position, whichever scenario (or click) promotes it."""
    digest = hashlib.sha1(f"{tier}:{lon:.6f}:{lat:.6f}".encode()).hexdigest()
    return f"PL-{digest[:12]}"


def new_planned_rows(rows: gpd.GeoDataFrame, positions: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The rows not yet in ``positions``: a planned position of the same tier within
    ``SAME_SPOT_M`` (or with the same id) is already there; duplicates among ``rows`` too."""
    planned = positions[positions[cov.STATUS] == cov.STATUS_PLANNED] if len(positions) else positions
    keep = ~rows[ID].isin(set(positions[ID])) if len(positions) else pd.Series(True, rows.index)
    metric = rows.to_crs(cov.METRIC_CRS).geometry
    seen = list(zip(planned[cov.TIER], planned.to_crs(cov.METRIC_CRS).geometry)) if len(
        planned) else []
    for i, (tier, point) in enumerate(zip(rows[cov.TIER], metric)):
        if any(t == tier and point.distance(p) <= SAME_SPOT_M for t, p in seen):
            keep.iloc[i] = False
        seen.append((tier, point))
    return rows[keep.to_numpy()]


def promoted_already(scenario: Scenario, positions: gpd.GeoDataFrame) -> int:
    """How many of the scenario's candidates are already planned positions."""
    if not scenario.candidates:
        return 0
    rows = planned_rows(scenario, None)
    return len(rows) - len(new_planned_rows(rows, positions))


def promote(store, scenario: Scenario, principal=None, account: str | None = None) -> list[str]:
    """Write the scenario's candidates into ``service_positions`` as "planned" in ONE
    transaction with an audit row; refused (and the refusal audited) unless the principal may
    promote scenarios. Idempotent: a candidate already planned (same tier, same spot) is not
    written again; nothing new, nothing written (no audit row either). Returns the new
    position ids."""
    from geo import audit, auth

    principal = principal or auth.SYSTEM
    account = account or principal.name
    auth.require(principal, ACTION_PROMOTE, store=store, object_layer=SCENARIOS,
                 object_id=scenario.id)
    if not scenario.candidates:
        return []
    rows = planned_rows(scenario, store.load("streets"), store.load("communities"),
                        store.load("compounds"))
    rows = new_planned_rows(rows, store.load(POSITIONS))
    if rows.empty:
        return []
    after = {"scenario": scenario.name, "radius_m": scenario.radius_m,
             "positions": [{ID: r[ID], "name": r["name"], "tier": r["tier"],
                            "lon": round(r[GEOMETRY].x, 7), "lat": round(r[GEOMETRY].y, 7)}
                           for r in rows.to_dict(orient="records")]}
    with store.transaction(account) as tx:
        tx.append(POSITIONS, rows)
        audit.record(tx, account, ACTION_PROMOTE, SCENARIOS, scenario.id or scenario.name,
                     before=None, after=after)
    return rows[ID].tolist()
