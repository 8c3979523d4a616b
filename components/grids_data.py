"""The grids page's figures, cached at the edge by store revision and scope (frames shared by
every session, each caller given a copy-on-write view: components.data.cached_frame),
so that a rerun or a widget change recomputes only what depends on it:

- the threshold-free coverage (far-from-home distances, counts by post and team): once per
  revision (and unit: the revision is scoped);
- the flags for a threshold: cheap, from that base;
- reported vs placed per street or community: once per revision;
- a roster: per revision, grids shown and which of them the user sees unmasked;
- the map's grid layer (GeoJSON, gap markers, bounds): per revision, grids shown, chosen grid
  and language; the street outlines: per revision. A rerun then builds only the folium map.

The layers come from the page (``ctx.layers``, masked for the user) as arguments Streamlit
does not hash (leading underscore): the key is the revision they were read at."""

from __future__ import annotations

import pandas as pd

from components import grid_map
from components.data import cached_frame
from components.revision_cache import cached_by_revision
from geo import grid_coverage as gc
from geo import grid_report
from geo.grid_summary import by_area


@cached_frame(max_entries=16)
def coverage_base(url: str, revision: str, _grids, _members, _compounds) -> pd.DataFrame:
    """:func:`geo.grid_coverage.coverage_base` of the layers at ``revision``."""
    return gc.coverage_base(_grids, _members, _compounds)


def coverage(base: pd.DataFrame, threshold: float | None) -> pd.DataFrame:
    """The coverage with flags for ``threshold`` (None: the default), from a cached base."""
    return gc.with_threshold(base, threshold)


@cached_frame(max_entries=32)
def placed(url: str, revision: str, level: str, _communities, _grids, _members,
           _streets) -> pd.DataFrame:
    """Members reported vs placed by ``level`` (street or community) at ``revision``."""
    return gc.reported_vs_placed(_communities, _grids, _members, level=level, streets=_streets)


def area_table(cover: pd.DataFrame, level: str, placed_table: pd.DataFrame) -> pd.DataFrame:
    return by_area(cover, level, placed_table)


@cached_frame(max_entries=64)
def roster(url: str, revision: str, grid_ids: tuple[str, ...], rights: tuple[tuple[str, bool], ...],
           _members, _grids, _teams) -> pd.DataFrame:
    """The roster of ``grid_ids``, personal fields masked except in the grids ``rights`` says
    (pairs grid_id, may see)."""
    return grid_report.roster_frame(_members, _grids, _teams, dict(rights), list(grid_ids))


@cached_by_revision(max_entries=64)
def map_layer(url: str, revision: str, grid_ids: tuple[str, ...], selected: tuple[str, ...],
              lang: str, _grids, _base) -> grid_map.GridLayer:
    """The map's layer of ``grid_ids`` (``selected`` outlined; tooltips in ``lang``) at
    ``revision``, from the threshold-free coverage ``_base``. Shared by every session, never
    changed: :func:`components.grid_map.grid_map` copies what folium may add to."""
    shown = _grids[_grids["id"].isin(grid_ids)]
    return grid_map.grid_layer(shown, coverage(_base, None), list(selected))


@cached_by_revision(max_entries=16)
def outlines(url: str, revision: str, _frame) -> dict:
    """The outlines (streets) of ``_frame`` at ``revision`` as GeoJSON (shared, never changed)."""
    return grid_map.outlines(_frame)
