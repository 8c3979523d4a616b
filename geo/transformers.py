"""Coordinate transformers that stay cheap in every thread (issue #27).

pyproj builds a transformer again in each thread that uses it, and for one made with
``Transformer.from_crs`` that means PROJ's search of its database for the operation: about
60 ms per pair of CRSs. Streamlit runs every page run in a new thread, so each run paid that
for every ``to_crs`` (geopandas caches the transformer object, not what each thread rebuilds).

:func:`transformer` does the search once per process and keeps the operation found as a PROJ
pipeline: built again in a new thread in well under a millisecond, with the same results
(checked on a point of the target's area of use when made; any operation that a pipeline
cannot stand for, such as a choice among several grids by area, keeps ``from_crs``).
:func:`install` makes geopandas' ``to_crs`` use it; :mod:`geo.store.base` and :mod:`geo.crs`
call it on import (every GeoDataFrame of the app is read through the store or re-projected
there), not ``geo/__init__``: the web server's routes import ``geo`` and must not pull in
geopandas before a page runs.
"""

from __future__ import annotations

import functools
import math

import pyproj

CHECK_TOLERANCE = 1e-6  # metres or degrees: a pipeline must reproduce the operation found


@functools.lru_cache(maxsize=128)
def transformer(crs_from, crs_to, always_xy: bool = False) -> pyproj.Transformer:
    """``pyproj.Transformer.from_crs`` as a pipeline when that gives the same results."""
    found = pyproj.Transformer.from_crs(crs_from, crs_to, always_xy=always_xy)
    definition = found.definition or ""
    if not definition.startswith("proj=") or "unavailable" in definition:
        return found
    try:
        pipeline = pyproj.Transformer.from_pipeline(definition)
    except pyproj.exceptions.ProjError:
        return found
    probe = _probe_point(crs_from, always_xy)
    if probe is None:
        return found
    expected = found.transform(*probe)
    got = pipeline.transform(*probe)
    same = all(math.isfinite(a) and math.isfinite(b) and abs(a - b) <= CHECK_TOLERANCE
               for a, b in zip(expected, got))
    return pipeline if same else found


def _probe_point(crs_from, always_xy: bool) -> tuple[float, float] | None:
    """A point inside the source CRS's area of use, in its own axis order."""
    source = pyproj.CRS.from_user_input(crs_from)
    area = source.area_of_use
    if area is None:
        return None
    lon, lat = (area.west + area.east) / 2, (area.south + area.north) / 2
    to_source = pyproj.Transformer.from_crs(4326, source, always_xy=True)
    x, y = to_source.transform(lon, lat)
    if not always_xy and _swapped(source):
        x, y = y, x
    return (x, y) if math.isfinite(x) and math.isfinite(y) else None


def _swapped(crs: pyproj.CRS) -> bool:
    """Whether ``crs`` lists northing/latitude first (EPSG:4326 and most geographic CRSs)."""
    axes = crs.axis_info
    return bool(axes) and axes[0].direction.lower() in ("north", "south")


def install() -> None:
    """Make geopandas' ``to_crs`` (and its other transforms) use :func:`transformer`
    (idempotent)."""
    import geopandas.array

    geopandas.array.TransformerFromCRS = transformer
