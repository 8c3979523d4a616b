"""Summaries of grid coverage for the people who read them: flags and counts by street or by
community (the district summary of the grids page), and the grids carrying the most
households per member. Inputs are frames of :func:`geo.grid_coverage.grid_coverage`."""

from __future__ import annotations

import math

import pandas as pd

from geo import grid_coverage as gc

GRIDS = "grids"
LEVEL_KEYS = {"street": gc.STREET_ID, "community": gc.COMMUNITY_ID}
AREA_COLUMNS = (
    "id", "name", GRIDS, gc.MEMBERS, gc.HOUSEHOLDS, gc.PER_MEMBER, gc.FLAG_NO_MEMBER,
    gc.FLAG_OVERLOADED, gc.FLAG_FAR_HOME, gc.REPORTED, gc.PLACED, gc.RATIO,
)


def by_area(coverage: pd.DataFrame, level: str, placed: pd.DataFrame) -> pd.DataFrame:
    """One row per street (``level='street'``) or community of the grids in ``coverage``:
    grids, members, households, households per member (NaN without members), the number of
    grids carrying each flag, and members reported / placed / placed ratio from ``placed``
    (:func:`geo.grid_coverage.reported_vs_placed` at the same level). Columns AREA_COLUMNS,
    in the order the areas first appear in ``coverage``."""
    key = LEVEL_KEYS[level]
    flags = coverage[gc.FLAGS]
    frame = pd.DataFrame({
        "id": coverage[key].to_numpy(), GRIDS: 1,
        gc.MEMBERS: coverage[gc.MEMBERS].to_numpy(),
        gc.HOUSEHOLDS: coverage[gc.HOUSEHOLDS].to_numpy(),
        **{flag: flags.map(lambda f, flag=flag: flag in f).astype(int).to_numpy()
           for flag in gc.FLAG_ORDER},
    })
    table = frame.groupby("id", sort=False).sum().reset_index()
    table[gc.PER_MEMBER] = (table[gc.HOUSEHOLDS]
                            / table[gc.MEMBERS].where(table[gc.MEMBERS] > 0)).astype(float)
    known = placed.set_index("id")
    table["name"] = table["id"].map(known["name"]).fillna(table["id"])
    for column in (gc.REPORTED, gc.PLACED):
        table[column] = table["id"].map(known[column]).fillna(0).astype(int)
    table[gc.RATIO] = table["id"].map(known[gc.RATIO]).astype(float)
    return table[list(AREA_COLUMNS)]


def worst_grids(coverage: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """The ``n`` grids with members that carry the most households per member (most first);
    ties broken by grid id."""
    with_members = coverage[coverage[gc.MEMBERS] > 0]
    ordered = with_members.sort_values([gc.PER_MEMBER, gc.GRID_ID], ascending=[False, True])
    return ordered.head(n).reset_index(drop=True)


def threshold_text(threshold: float | None) -> str:
    """A threshold as compared: to the hundredth, without trailing zeros (83.55, 120, 83.5);
    "-" when there is none."""
    if threshold is None or not math.isfinite(threshold):
        return "-"
    text = f"{round(float(threshold), gc.THRESHOLD_DIGITS):,.{gc.THRESHOLD_DIGITS}f}"
    return text.rstrip("0").rstrip(".")
