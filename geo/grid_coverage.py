"""Grid coverage: which in-service Party members (在职党员) cover each grid, and where the gaps are.

Per grid: members placed there, households, households per member, members by post and by
volunteer team, and flags:

- ``no_member``: nobody is placed in the grid (households per member is undefined: NaN here,
  ``None`` in JSON records).
- ``overloaded``: households per member above a threshold. The default threshold is
  ``OVERLOAD_FACTOR`` (2) times the district median of households per member, the median taken
  over the grids that have at least one member (grids without members would make it undefined).
  The median, unlike the mean, is not pulled up by the overloaded grids themselves, so "twice
  the typical load" stays meaningful when a few grids are extreme. It is always computed over
  the whole district, also when the figures are then narrowed to one street. It is rounded to
  ``THRESHOLD_DIGITS`` decimals, so that the value shown is the value compared.
- ``far_home``: the grid has a member whose home compound (members.compound_id, the compound's
  representative point) lies outside the grid by more than a distance limit (default 1,000 m,
  measured in the metric CRS EPSG:4549).

Per community and per street: members reported (社区吹哨、党员报到: communities.members_reported)
against members placed in grids, with the ratio placed / reported.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd

from geo.schema import GEOMETRY, ID, METRIC_CRS

GRID_ID = "grid_id"
MEMBERS = "members"
HOUSEHOLDS = "households"
PER_MEMBER = "households_per_member"
FLAGS = "flags"
FAR_HOME = "far_home"
BY_POST = "by_post"
BY_TEAM = "by_team"
COMMUNITY_ID = "community_id"
STREET_ID = "street_id"
POST = "post"
TEAM = "volunteer_team_id"
REPORTED = "members_reported"
PLACED = "members_placed"
RATIO = "placed_ratio"
DISTANCE_M = "distance_m"

FLAG_NO_MEMBER = "no_member"
FLAG_OVERLOADED = "overloaded"
FLAG_FAR_HOME = "far_home"
FLAG_ORDER = (FLAG_NO_MEMBER, FLAG_OVERLOADED, FLAG_FAR_HOME)

OVERLOAD_FACTOR = 2.0
THRESHOLD_DIGITS = 2  # a threshold is compared (and shown) to the hundredth
DEFAULT_FAR_LIMIT_M = 1000.0


def default_threshold(per_member: pd.Series) -> float:
    """OVERLOAD_FACTOR × the median households per member over grids that have members,
    rounded to THRESHOLD_DIGITS decimals: the value compared is the value shown (83.55)."""
    finite = pd.to_numeric(per_member, errors="coerce").dropna()
    finite = finite[finite.map(math.isfinite)]
    if not len(finite):
        return math.inf
    return round(float(OVERLOAD_FACTOR * finite.median()), THRESHOLD_DIGITS)


def far_home_members(
    members: pd.DataFrame, grids: gpd.GeoDataFrame, compounds: gpd.GeoDataFrame,
    limit_m: float = DEFAULT_FAR_LIMIT_M,
) -> pd.DataFrame:
    """Members whose home compound's representative point lies more than ``limit_m`` metres
    outside their grid: columns id, grid_id, compound_id, distance_m (rounded to 0.1 m)."""
    columns = [ID, GRID_ID, "compound_id", DISTANCE_M]
    if members.empty or compounds.empty or grids.empty:
        return pd.DataFrame(columns=columns)
    home = compounds.to_crs(METRIC_CRS)
    home_points = home.representative_point()
    home_points.index = home[ID].to_numpy()
    grid_shapes = grids.to_crs(METRIC_CRS).set_index(ID).geometry
    known = members[members[GRID_ID].isin(grid_shapes.index)
                    & members["compound_id"].isin(home_points.index)]
    if known.empty:
        return pd.DataFrame(columns=columns)
    points = gpd.GeoSeries(home_points.loc[known["compound_id"]].to_numpy(), crs=METRIC_CRS)
    shapes = gpd.GeoSeries(grid_shapes.loc[known[GRID_ID]].to_numpy(), crs=METRIC_CRS)
    distance = points.distance(shapes, align=False).round(1).to_numpy()
    out = pd.DataFrame({
        ID: known[ID].to_numpy(), GRID_ID: known[GRID_ID].to_numpy(),
        "compound_id": known["compound_id"].to_numpy(), DISTANCE_M: distance,
    })
    return out[out[DISTANCE_M] > limit_m].reset_index(drop=True)


def _counts_by(members: pd.DataFrame, column: str) -> pd.Series:
    """grid_id -> {value: members} (values without a value left out)."""
    known = members.dropna(subset=[column])
    if known.empty:
        return pd.Series(dtype=object)
    by_grid: dict[str, dict] = {}
    for (grid_id, value), n in known.groupby([GRID_ID, column]).size().items():
        by_grid.setdefault(grid_id, {})[str(value)] = int(n)
    return pd.Series(by_grid, dtype=object)


def coverage_base(
    grids: gpd.GeoDataFrame, members: pd.DataFrame, compounds: gpd.GeoDataFrame | None = None,
    far_limit_m: float = DEFAULT_FAR_LIMIT_M,
) -> pd.DataFrame:
    """Everything of :func:`grid_coverage` that does not depend on the overload threshold (the
    costly part: far-from-home distances, counts by post and team). ``attrs['default_threshold']``
    holds :func:`default_threshold`; :func:`with_threshold` adds the flags."""
    counts = members.groupby(GRID_ID).size() if len(members) else pd.Series(dtype=int)
    out = pd.DataFrame({
        GRID_ID: grids[ID].astype(object).to_numpy(),
        "name": grids["name"].to_numpy(),
        COMMUNITY_ID: grids[COMMUNITY_ID].to_numpy(),
        STREET_ID: grids[STREET_ID].to_numpy(),
        HOUSEHOLDS: grids[HOUSEHOLDS].fillna(0).astype(int).to_numpy(),
    })
    out[MEMBERS] = out[GRID_ID].map(counts).fillna(0).astype(int)
    out[PER_MEMBER] = (out[HOUSEHOLDS] / out[MEMBERS].where(out[MEMBERS] > 0)).astype(float)
    far = pd.Series(dtype=int)
    if compounds is not None:
        far = far_home_members(members, grids, compounds, far_limit_m).groupby(GRID_ID).size()
    out[FAR_HOME] = out[GRID_ID].map(far).fillna(0).astype(int)
    out[BY_POST] = out[GRID_ID].map(_counts_by(members, POST)).map(_dict_or_empty)
    out[BY_TEAM] = out[GRID_ID].map(_counts_by(members, TEAM)).map(_dict_or_empty)
    out.attrs["default_threshold"] = default_threshold(out[PER_MEMBER])
    out.attrs["far_limit_m"] = float(far_limit_m)
    return out


def with_threshold(base: pd.DataFrame, threshold: float | None = None) -> pd.DataFrame:
    """A copy of a :func:`coverage_base` frame with the column ``flags`` (a list per grid) for
    ``threshold`` (None: the default); ``attrs['threshold']`` holds the threshold used."""
    limit = base.attrs["default_threshold"] if threshold is None else float(threshold)
    out = base.copy()
    has = out[MEMBERS].to_numpy() > 0
    over = has & (out[PER_MEMBER].fillna(0).to_numpy() > limit)
    far = out[FAR_HOME].to_numpy() > 0
    out[FLAGS] = [[f for f, on in zip(FLAG_ORDER, row) if on] for row in zip(~has, over, far)]
    out.attrs = {**base.attrs, "threshold": limit}
    return out


def grid_coverage(
    grids: gpd.GeoDataFrame, members: pd.DataFrame, compounds: gpd.GeoDataFrame | None = None,
    threshold: float | None = None, far_limit_m: float = DEFAULT_FAR_LIMIT_M,
) -> pd.DataFrame:
    """One row per grid: grid_id, name, community_id, street_id, households, members,
    households_per_member (NaN without members), far_home (members far from home), by_post,
    by_team (dicts) and flags (list). ``frame.attrs['threshold']`` holds the threshold used."""
    return with_threshold(coverage_base(grids, members, compounds, far_limit_m), threshold)


def _dict_or_empty(value) -> dict:
    return value if isinstance(value, dict) else {}


def members_by(members: pd.DataFrame, column: str, grid_ids=None) -> pd.DataFrame:
    """A grid × value table of member counts (e.g. column='post' or 'volunteer_team_id')."""
    frame = members if grid_ids is None else members[members[GRID_ID].isin(list(grid_ids))]
    return pd.crosstab(frame[GRID_ID], frame[column].fillna("-"))


def reported_vs_placed(
    communities: pd.DataFrame, grids: pd.DataFrame, members: pd.DataFrame, level: str = "community",
    streets: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Members reported to communities (报到) against members placed in their grids.

    ``level`` is "community" or "street"; columns id, name, members_reported, members_placed,
    placed_ratio (placed / reported; NaN when nothing was reported)."""
    grid_community = grids.set_index(ID)[COMMUNITY_ID]
    placed = members[GRID_ID].map(grid_community).value_counts()
    table = pd.DataFrame({
        ID: communities[ID].to_numpy(), "name": communities["name"].to_numpy(),
        STREET_ID: communities[STREET_ID].to_numpy(),
        REPORTED: communities[REPORTED].fillna(0).astype(int).to_numpy(),
    })
    table[PLACED] = table[ID].map(placed).fillna(0).astype(int)
    if level == "street":
        table = table.groupby(STREET_ID, as_index=False)[[REPORTED, PLACED]].sum()
        table = table.rename(columns={STREET_ID: ID})
        names = {} if streets is None else dict(zip(streets[ID], streets["name"]))
        table.insert(1, "name", table[ID].map(names).fillna(table[ID]))
    elif level != "community":
        raise ValueError(f"level must be 'community' or 'street', not {level!r}")
    table[RATIO] = (table[PLACED] / table[REPORTED].where(table[REPORTED] > 0)).astype(float)
    return table.reset_index(drop=True)


def resolve_street(streets: pd.DataFrame, street: str) -> str:
    """A street's id from its id, code or name (Chinese or as stored); KeyError if unknown."""
    for column in (ID, "code", "name"):
        hit = streets[streets[column].astype(str) == str(street)]
        if len(hit):
            return str(hit[ID].iloc[0])
    raise KeyError(f"unknown street {street!r}")


def coverage_summary(coverage: pd.DataFrame) -> dict:
    """Totals over the rows of a coverage frame (e.g. one street's grids)."""
    flags = coverage[FLAGS].explode()
    members, households = int(coverage[MEMBERS].sum()), int(coverage[HOUSEHOLDS].sum())
    return {
        "grids": len(coverage), MEMBERS: members, HOUSEHOLDS: households,
        PER_MEMBER: households / members if members else None,
        FLAG_NO_MEMBER: int((flags == FLAG_NO_MEMBER).sum()),
        FLAG_OVERLOADED: int((flags == FLAG_OVERLOADED).sum()),
        FLAG_FAR_HOME: int((flags == FLAG_FAR_HOME).sum()),
        "threshold": coverage.attrs.get("threshold"),
    }


def coverage_records(coverage: pd.DataFrame) -> list[dict]:
    """JSON-ready records (households_per_member None for grids without members)."""
    records = []
    for row in coverage.drop(columns=[GEOMETRY], errors="ignore").to_dict("records"):
        value = row[PER_MEMBER]
        row[PER_MEMBER] = None if value is None or not math.isfinite(value) else round(value, 2)
        row[FLAGS] = list(row[FLAGS])
        records.append({k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()})
    return records
