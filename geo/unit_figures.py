"""Figures of the units of the hierarchy (geo.hierarchy), for the units map and its table.

Counted once per district from the store's layers, then summed up the hierarchy: a city's
rate is its summed parts' rate, never an average of its counties' rates. The definitions are
those of the headline figures and KPIs (geo.network, geo.kpis): a grid is covered when at
least one member is assigned to it; the 四公开 rate is disclosed items / all items of the
last three months (the KPI card's window, geo.kpis.disclosure_windows);
satisfaction is satisfied closed cases / closed cases with an answer; positions are the
existing network (planned positions are not official figures).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import hierarchy, kpis
from geo.hierarchy import ID, Unit

COUNTS = ("compounds", "grids", "grids_covered", "members", "positions", "disclosures",
          "disclosed", "satisfaction_answers", "satisfied")
INDICATORS = ("coverage", "disclosure", "satisfaction", "members_per_grid")
FIGURE_LAYERS = ("districts", "streets", "grids", "members", "compounds", "service_positions",
                 "disclosures", "cases", "meta")
RATES = {  # indicator -> (numerator, denominator, multiplier, digits)
    "coverage": ("grids_covered", "grids", 100.0, 1),
    "disclosure": ("disclosed", "disclosures", 100.0, 1),
    "satisfaction": ("satisfied", "satisfaction_answers", 100.0, 2),
    "members_per_grid": ("members", "grids", 1.0, 1),
}


def district_counts(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per district (index: district id), the columns of :data:`COUNTS`."""
    districts = frames["districts"]
    street_district = hierarchy.street_districts(frames["streets"], districts)
    grids, compounds = frames["grids"], frames["compounds"]
    grid_district = _by(grids, "street_id", street_district)
    compound_district = _by(compounds, "street_id", street_district)
    members = frames["members"]
    per_grid = members.groupby("grid_id").size() if len(members) else pd.Series(dtype=int)
    covered = grids[ID].astype(str).map(per_grid.rename(index=str)).fillna(0) > 0
    positions = frames["service_positions"]
    positions = positions[positions["status"].astype(str) == "existing"]
    disclosures = frames["disclosures"]
    months = kpis.disclosure_windows(kpis.as_of_from(frames))["now"]
    disclosures = disclosures[disclosures["month"].astype(str).isin(months)]
    cases = frames["cases"]
    closed = cases[cases["closed_at"].notna() & cases["satisfied"].notna()]
    parts = {
        "compounds": compound_district,
        "grids": grid_district,
        "grids_covered": grid_district[covered.to_numpy()],
        "members": _by(members, "grid_id", _series(grids, grid_district)),
        "positions": _by(positions, "street_id", street_district),
        "disclosures": _by(disclosures, "compound_id", _series(compounds, compound_district)),
        "disclosed": _by(disclosures[disclosures["disclosed"].fillna(False).astype(bool)],
                         "compound_id", _series(compounds, compound_district)),
        "satisfaction_answers": _by(closed, "compound_id", _series(compounds, compound_district)),
        "satisfied": _by(closed[closed["satisfied"].astype(bool)], "compound_id",
                         _series(compounds, compound_district)),
    }
    index = pd.Index(districts[ID].astype(str), name=ID)
    out = pd.DataFrame({name: part.value_counts().reindex(index, fill_value=0)
                        for name, part in parts.items()})
    return out.astype(int)


def _series(frame: pd.DataFrame, values: pd.Series) -> pd.Series:
    """``values`` (one per row of ``frame``) keyed by the frame's ids."""
    return pd.Series(values.to_numpy(), index=frame[ID].astype(str).to_numpy())


def _by(frame: pd.DataFrame, column: str, lookup: pd.Series) -> pd.Series:
    """The district of each row of ``frame``, through its ``column`` (rows of no district
    dropped)."""
    if frame.empty:
        return pd.Series([], dtype=object)
    district = frame[column].astype(str).map(lookup)
    return district.dropna().astype(str).reset_index(drop=True)


def unit_table(counts: pd.DataFrame, units: list[Unit], codes) -> pd.DataFrame:
    """One row per unit of ``codes``: code, name, level, the summed counts and each indicator
    (percentages and members per grid; NaN where the denominator is 0)."""
    by_code = {u.code: u for u in units}
    rows = []
    for code in codes:
        unit = by_code[code]
        summed = counts.reindex(list(unit.districts)).fillna(0).sum()
        rows.append({"code": code, "name": unit.name, "level": unit.level,
                     **{c: int(summed[c]) for c in COUNTS}})
    table = pd.DataFrame(rows, columns=["code", "name", "level", *COUNTS])
    for indicator, (part, whole, times, digits) in RATES.items():
        denominator = table[whole].where(table[whole] > 0).astype(float)
        table[indicator] = (table[part] / denominator * times).round(digits)
    return table


# Colour classes of the units map: k equal steps over the values' range, but over at least
# this span (so that 97.4% and 97.8% look alike, not like the two ends of the ramp), kept
# within 0..100 for a percentage.
MIN_SPAN = {"coverage": 10.0, "disclosure": 10.0, "satisfaction": 5.0, "members_per_grid": 4.0}
CEILING = {"coverage": 100.0, "disclosure": 100.0, "satisfaction": 100.0}


def class_breaks(values: pd.Series, k: int = 5, indicator: str | None = None) -> list[float]:
    """The k+1 edges of the colour classes of ``values`` (empty when no value is present):
    equal steps over the range of the values, widened about its middle to the indicator's
    :data:`MIN_SPAN` and kept between 0 and its :data:`CEILING`."""
    present = pd.to_numeric(values, errors="coerce").dropna()
    if present.empty:
        return []
    low, high = float(present.min()), float(present.max())
    span = max(high - low, MIN_SPAN.get(indicator, 0.0))
    if span == 0:
        span = 1.0
    low = (low + high - span) / 2
    ceiling = CEILING.get(indicator)
    if ceiling is not None and low + span > ceiling:
        low = ceiling - span
    low = max(low, 0.0) if min(present) >= 0 else low
    return [low + span * i / k for i in range(k + 1)]


def rate_class(values: pd.Series, k: int = 5, indicator: str | None = None) -> np.ndarray:
    """Classes 0..k-1 of ``values`` in the steps of :func:`class_breaks` (NaN: -1), for
    colouring the units map."""
    out = np.full(len(values), -1)
    breaks = class_breaks(values, k, indicator)
    if not breaks:
        return out
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    present = ~np.isnan(numbers)
    step = (breaks[-1] - breaks[0]) / k
    out[present] = np.clip(np.floor((numbers[present] - breaks[0]) / step), 0, k - 1)
    return out


def unit_shapes(districts, units: list[Unit], codes, tolerance_m: float = 0.0):
    """One outline per unit of ``codes`` (code, name, geometry; WGS84): its districts merged
    in metres, simplified by ``tolerance_m`` for drawing."""
    import geopandas as gpd
    import shapely

    from geo.schema import METRIC_CRS, WGS84

    by_code = {u.code: u for u in units}
    metric = districts.to_crs(METRIC_CRS)
    geoms = dict(zip(metric[ID].astype(str), metric.geometry))
    shapes = []
    for code in codes:
        parts = [geoms[d] for d in by_code[code].districts if d in geoms]
        merged = shapely.union_all(parts, grid_size=1.0) if len(parts) > 1 else parts[0]
        if tolerance_m:
            merged = shapely.simplify(merged, tolerance_m, preserve_topology=True)
        shapes.append(merged)
    frame = gpd.GeoDataFrame({"code": list(codes), "name": [by_code[c].name for c in codes]},
                             geometry=shapes, crs=METRIC_CRS)
    return frame.to_crs(WGS84)
