"""Data preparation for the network map and the compound drill-down (no Streamlit, no folium).

Grid density (members per 100 households) and its classification, compound indicators
(disclosure status, red-property firm, branch type), the compound under a clicked point,
nearest service positions with distances in the metric CRS, a search index over compounds,
positions and streets (Chinese name, pinyin, pinyin initials) and the headline figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import Point

from geo.schema import GEOMETRY, ID, METRIC_CRS, TIERS, WGS84

NAME = "name"
GRID_ID = "grid_id"
STREET_ID = "street_id"
COMPOUND_ID = "compound_id"
HOUSEHOLDS = "households"
MEMBERS = "members"
PER_100 = "members_per_100"
TIER = "tier"
STATUS = "status"
STATUS_EXISTING, STATUS_PLANNED = "existing", "planned"
DISTANCE_M = "distance_m"

INDICATORS = ("disclosure", "red_property", "branch_type")
DISCLOSURE_STATUSES = ("full", "partial", "none", "no_data")
SEARCH_KINDS = ("compound", "position", "street")
CLICK_TOLERANCE_M = 30.0


# ---------------------------------------------------------------- grids
def grid_density(grids: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """Per grid: households, members placed in it and members per 100 households."""
    counts = members.groupby(GRID_ID).size() if len(members) else pd.Series(dtype=int)
    out = pd.DataFrame({
        ID: grids[ID].astype(str).values,
        NAME: grids[NAME].values,
        STREET_ID: grids[STREET_ID].values,
        HOUSEHOLDS: pd.to_numeric(grids[HOUSEHOLDS]).fillna(0).astype(int).values,
    })
    out[MEMBERS] = out[ID].map(counts).fillna(0).astype(int)
    households = out[HOUSEHOLDS].where(out[HOUSEHOLDS] > 0)
    out[PER_100] = (out[MEMBERS] * 100.0 / households).round(2).fillna(0.0)
    return out


@dataclass(frozen=True)
class Classification:
    """Class upper bounds (inclusive), the class of each value and the method used."""

    bins: tuple[float, ...]
    classes: tuple[int, ...]
    method: str

    def ranges(self, lowest: float) -> list[tuple[float, float]]:
        lows = (lowest, *self.bins[:-1])
        return list(zip(lows, self.bins))

    def counts(self) -> list[int]:
        return [self.classes.count(i) for i in range(len(self.bins))]


def classify(values, k: int = 5, method: str = "quantiles") -> Classification:
    """Classify values for a choropleth (mapclassify Quantiles or NaturalBreaks)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return Classification((), (), method)
    k = max(1, min(k, len(np.unique(values))))
    if k == 1:
        return Classification((float(values.max()),), (0,) * len(values), method)
    import mapclassify  # here: it brings scipy, scikit-learn and matplotlib (0.9 s to import)

    scheme = mapclassify.NaturalBreaks if method == "natural_breaks" else mapclassify.Quantiles
    result = scheme(values, k=k)
    return Classification(
        tuple(float(b) for b in result.bins), tuple(int(c) for c in result.yb), method
    )


# ---------------------------------------------------------------- compounds
DISCLOSURE_WINDOW = 3  # months


def compound_indicators(
    compounds: pd.DataFrame,
    branches: pd.DataFrame,
    firms: pd.DataFrame,
    disclosures: pd.DataFrame,
) -> pd.DataFrame:
    """Per compound: branch type, red-property firm, disclosure share and status; the share
    counts the last DISCLOSURE_WINDOW months on record (the KPI's "now" window)."""
    out = pd.DataFrame({ID: compounds[ID].astype(str).values})
    branch_type = dict(zip(branches[COMPOUND_ID], branches["branch_type"])) if len(branches) else {}
    out["branch_type"] = out[ID].map(branch_type).fillna("none")
    red = dict(zip(firms[ID], firms["red_property"].fillna(False).astype(bool))) if len(firms) else {}
    firm_of = dict(zip(compounds[ID].astype(str), compounds["property_firm_id"]))
    out["red_property"] = [bool(red.get(firm_of.get(cid), False)) for cid in out[ID]]
    if len(disclosures):
        recent = sorted(set(disclosures["month"].astype(str)))[-DISCLOSURE_WINDOW:]
        disclosures = disclosures[disclosures["month"].astype(str).isin(recent)]
        flags = disclosures["disclosed"].fillna(False).astype(bool)
        share = flags.groupby(disclosures[COMPOUND_ID]).mean() * 100.0
        out["disclosure_pct"] = out[ID].map(share).round(1)
    else:
        out["disclosure_pct"] = np.nan
    out["disclosure"] = [_disclosure_status(p) for p in out["disclosure_pct"]]
    return out


def _disclosure_status(pct) -> str:
    if pct is None or pd.isna(pct):
        return "no_data"
    if pct >= 100.0:
        return "full"
    return "partial" if pct > 0 else "none"


def compound_at(compounds: gpd.GeoDataFrame, lon: float, lat: float) -> str | None:
    """The id of the compound containing the point, else of one within CLICK_TOLERANCE_M."""
    if compounds.empty:
        return None
    point = gpd.GeoSeries([Point(lon, lat)], crs=WGS84)
    inside = compounds[compounds.contains(point.iloc[0])]
    if len(inside):
        return str(inside.iloc[0][ID])
    metric = compounds.to_crs(METRIC_CRS)
    distances = metric.distance(point.to_crs(METRIC_CRS).iloc[0])
    nearest = distances.idxmin()
    return str(compounds.loc[nearest, ID]) if distances[nearest] <= CLICK_TOLERANCE_M else None


def existing_positions(positions: pd.DataFrame) -> pd.DataFrame:
    """The positions of today's network: planned ones (a promoted scenario) are not built and
    never count in the network's figures."""
    if STATUS not in positions or not len(positions):
        return positions
    return positions[positions[STATUS] == STATUS_EXISTING]


def planned_positions(positions: pd.DataFrame) -> pd.DataFrame:
    if STATUS not in positions or not len(positions):
        return positions.iloc[0:0]
    return positions[positions[STATUS] == STATUS_PLANNED]


def nearest_positions(geometry, positions: gpd.GeoDataFrame, n: int = 3) -> pd.DataFrame:
    """The n existing service positions nearest to a WGS84 geometry, distances in metres
    (EPSG:4549)."""
    positions = existing_positions(positions)
    if positions.empty or geometry is None:
        return pd.DataFrame(columns=[ID, NAME, TIER, DISTANCE_M])
    target = gpd.GeoSeries([geometry], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    metric = positions.to_crs(METRIC_CRS)
    out = pd.DataFrame({
        ID: positions[ID].values, NAME: positions[NAME].values, TIER: positions[TIER].values,
        DISTANCE_M: metric.distance(target).round(0).values,
    })
    return out.sort_values([DISTANCE_M, ID]).head(n).reset_index(drop=True)


def grids_covering(geometry, grids: gpd.GeoDataFrame, own_grid: str | None = None) -> list[str]:
    """Ids of the grids overlapping a compound's polygon (and its recorded grid)."""
    hits = [] if geometry is None else list(grids.loc[grids.intersects(geometry), ID].astype(str))
    if own_grid and own_grid not in hits:
        hits.insert(0, own_grid)
    return hits


# ---------------------------------------------------------------- search
def pinyin_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese name, lower case: 永悦华府 -> (yyhf, yongyuehuafu)."""
    from pypinyin import Style, lazy_pinyin  # here: its phrase table takes 0.4 s to import

    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()
    full = "".join(lazy_pinyin(name)).lower()
    return initials, full


def search_index(
    compounds: gpd.GeoDataFrame, positions: gpd.GeoDataFrame, streets: gpd.GeoDataFrame
) -> pd.DataFrame:
    """One row per searchable feature: kind, id, name, pinyin keys, centre and bounds."""
    rows = []
    for kind, frame in (("compound", compounds), ("position", positions), ("street", streets)):
        for row in frame.itertuples(index=False):
            geom = getattr(row, GEOMETRY)
            if geom is None or geom.is_empty:
                continue
            initials, full = pinyin_keys(str(row.name))
            centre = geom.representative_point()
            rows.append({
                "kind": kind, ID: str(getattr(row, ID)), NAME: str(row.name),
                "initials": initials, "pinyin": full, "lon": centre.x, "lat": centre.y,
                "bounds": tuple(float(v) for v in geom.bounds),
            })
    return pd.DataFrame(rows, columns=[
        "kind", ID, NAME, "initials", "pinyin", "lon", "lat", "bounds",
    ])


def search(index: pd.DataFrame, query: str, limit: int = 10) -> pd.DataFrame:
    """Hits for a query (name, pinyin initials or full pinyin), best first: an exact name,
    then exact initials or pinyin, a prefix, a part; ties by kind (SEARCH_KINDS), then name.
    A loop: a district's hundred or so rows cost less than a dozen string operations."""
    query = (query or "").strip().lower().replace(" ", "")
    if not query or index.empty:
        return index.iloc[0:0]
    kinds = {k: i for i, k in enumerate(SEARCH_KINDS)}
    hits = []
    for row, (name, initials, pinyin, kind) in enumerate(zip(
            index[NAME].tolist(), index["initials"].tolist(), index["pinyin"].tolist(),
            index["kind"].tolist())):
        name, keys = str(name).lower(), (str(initials or ""), str(pinyin or ""))
        if name == query:
            rank = 0
        elif query in keys:
            rank = 1
        elif name.startswith(query) or any(k.startswith(query) for k in keys):
            rank = 2
        elif query in name or any(query in k for k in keys):
            rank = 3
        else:
            continue
        hits.append((rank, kinds.get(kind, len(kinds)), str(index[NAME].iat[row]), row))
    chosen = [row for *_, row in sorted(hits)[:limit]]
    return index.iloc[chosen].reset_index(drop=True)


# ---------------------------------------------------------------- headline figures
def headline_figures(frames: dict[str, pd.DataFrame]) -> dict:
    """The figures above the map, each counted from the store's layers; positions, tiers and
    floor area of the existing network only (planned positions counted apart)."""
    compounds, branches = frames["compounds"], frames["party_branches"]
    grids, members = frames["grids"], frames["members"]
    positions = existing_positions(frames["service_positions"])
    compound_ids = set(compounds[ID].astype(str))
    with_branch = compound_ids & set(branches[COMPOUND_ID].astype(str)) if len(branches) else set()
    members_in_grids = int(members[GRID_ID].isin(set(grids[ID])).sum()) if len(members) else 0
    tiers = positions[TIER].value_counts() if len(positions) else pd.Series(dtype=int)
    disclosures = frames.get("disclosures")
    disclosure_pct = None
    if disclosures is not None and len(disclosures):
        disclosure_pct = round(float(disclosures["disclosed"].fillna(False).astype(bool).mean())
                               * 100.0, 1)
    return {
        "compounds": len(compound_ids),
        "branch_coverage_pct": round(len(with_branch) * 100.0 / len(compound_ids), 1)
        if compound_ids else 0.0,
        "grids": len(grids),
        "members_in_grids": members_in_grids,
        "positions": len(positions),
        "planned_positions": len(planned_positions(frames["service_positions"])),
        "positions_by_tier": {tier: int(tiers.get(tier, 0)) for tier in TIERS},
        "floor_area_m2": float(pd.to_numeric(positions["floor_area_m2"]).fillna(0).sum())
        if len(positions) else 0.0,
        "events": len(frames.get("events", ())),
        "disclosure_pct": disclosure_pct,
    }


# ---------------------------------------------------------------- compound drill-down
def compound_summary(detail, grids: gpd.GeoDataFrame, members: pd.DataFrame,
                     positions: gpd.GeoDataFrame, n_nearest: int = 3) -> dict:
    """What the drill-down shows beside a CompoundDetail's records: covering grids with
    their members, nearest positions, disclosures per category, orders and satisfaction."""
    grid_ids = grids_covering(detail.geometry, grids, detail.compound.get(GRID_ID))
    in_grids = members[members[GRID_ID].isin(grid_ids)] if len(members) else members
    counts = in_grids.groupby(GRID_ID).size() if len(in_grids) else pd.Series(dtype=int)
    names = dict(zip(grids[ID].astype(str), grids[NAME]))
    grid_table = pd.DataFrame({ID: grid_ids, NAME: [names.get(g, g) for g in grid_ids],
                               MEMBERS: [int(counts.get(g, 0)) for g in grid_ids]})
    disclosures = detail.related.get("disclosures", pd.DataFrame())
    if len(disclosures):
        flags = disclosures.assign(disclosed=disclosures["disclosed"].fillna(False).astype(bool))
        by_category = flags.groupby("category").agg(months=("month", "nunique"),
                                                    disclosed=("disclosed", "sum")).reset_index()
    else:
        by_category = pd.DataFrame(columns=["category", "months", "disclosed"])
    orders = detail.related.get("service_orders", pd.DataFrame())
    done = int(orders["done_at"].notna().sum()) if len(orders) else 0
    ratings = orders["rating"].dropna().astype(float) if len(orders) else pd.Series(dtype=float)
    cases = detail.related.get("cases", pd.DataFrame())
    answered = cases["satisfied"].dropna().astype(bool) if len(cases) else pd.Series(dtype=bool)
    return {
        "grids": grid_table,
        "members": in_grids,
        "nearest": nearest_positions(detail.geometry, positions, n_nearest),
        "disclosures": by_category,
        "orders": len(orders),
        "orders_done": done,
        "rating_avg": round(float(ratings.mean()), 2) if len(ratings) else None,
        "satisfaction_pct": round(float(answered.mean()) * 100.0, 1) if len(answered) else None,
        "meetings": detail.related.get("joint_meetings", pd.DataFrame()),
    }
