"""Which imported rows would change the store: new, changed, or unchanged.

A row is unchanged when its id is stored and every field reads back the same as the stored
row (both through the store's own types, geo.store.base.coerce) and its shape is the stored
one within :data:`GEOMETRY_TOLERANCE_DEG` (an RFC 7946 GeoJSON export keeps 7 decimals and
turns rings counter-clockwise: the same shape). An unchanged row is not written again: no
new version, no undo copy.

Times in an import: a time with an offset (an export's ``2021-04-24T11:59:00+08:00``) is
converted to the store's UTC; a time without one is taken as UTC, as stored."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from geo import clock, schema
from geo.importer.templates import table_fields
from geo.schema import GEOMETRY, ID, VERSION
from geo.store.base import coerce
from geo.validation import SOURCE_COLUMNS

GEOMETRY_TOLERANCE_DEG = 1e-7  # ~1 cm; an RFC 7946 export rounds to 7 decimals (<= 5e-8)
STORE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def times_to_utc(layer: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Datetime fields: text with a UTC offset becomes the store's naive UTC text; anything
    else (naive text, a bad value for the validator to name) stays as it is."""
    for f in schema.layer(layer).all_fields:
        if f.dtype == "datetime" and f.name in frame.columns:
            frame[f.name] = frame[f.name].map(_utc_text)
    return frame


def _utc_text(value):
    if isinstance(value, str) and value.strip():
        try:
            stamp = pd.Timestamp(value.strip())
        except (ValueError, OverflowError):
            return value
        return clock.as_utc(stamp).strftime(STORE_TIME_FORMAT) if stamp.tzinfo else value
    if isinstance(value, pd.Timestamp) and value.tzinfo is not None:
        return clock.as_utc(value).strftime(STORE_TIME_FORMAT)
    return value


def same_attributes(layer: str, a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Row by row: every field (id first, no version) equal, or missing in both (``a`` and
    ``b`` coerced to the store's types, same length)."""
    same = np.ones(len(a), dtype=bool)
    for name in table_fields(layer):
        x, y = a[name].reset_index(drop=True), b[name].reset_index(drop=True)
        both_missing = (x.isna() & y.isna()).to_numpy(dtype=bool)
        equal = (x == y).fillna(False).to_numpy(dtype=bool) if len(x) else both_missing
        same &= equal | both_missing
    return same


def _multi(geoms: np.ndarray, kind: str) -> np.ndarray:
    """Single parts as the layer's Multi* type (the store promotes them so)."""
    if not kind.startswith("Multi"):
        return geoms
    single = kind.removeprefix("Multi")
    make = {"Polygon": shapely.multipolygons, "LineString": shapely.multilinestrings,
            "Point": shapely.multipoints}[single]
    return np.array([make([g]) if g is not None and g.geom_type == single else g
                     for g in geoms], dtype=object)


def same_shapes(a: np.ndarray, b: np.ndarray, kind: str) -> np.ndarray:
    """Row by row: both missing, or the same shape within the tolerance (rings in any
    orientation and starting point)."""
    a, b = _multi(np.asarray(a, dtype=object), kind), _multi(np.asarray(b, dtype=object), kind)
    missing_a = np.array([g is None for g in a], dtype=bool)
    missing_b = np.array([g is None for g in b], dtype=bool)
    out = missing_a & missing_b
    both = ~missing_a & ~missing_b
    if both.any():
        x, y = a[both], b[both]
        same = shapely.equals_exact(x, y, GEOMETRY_TOLERANCE_DEG)
        redo = ~same
        if redo.any():
            same[redo] = shapely.equals_exact(shapely.normalize(x[redo]),
                                              shapely.normalize(y[redo]), GEOMETRY_TOLERANCE_DEG)
        out[both] = same
    return out


def unchanged_ids(layer: str, incoming: pd.DataFrame, existing: pd.DataFrame | None) -> set[str]:
    """Ids of ``incoming`` rows (store columns, source columns dropped) that equal their
    stored row in ``existing``."""
    if existing is None or existing.empty or ID not in incoming.columns or incoming.empty:
        return set()
    ids = incoming[ID].astype(str).reset_index(drop=True)
    stored = existing.assign(**{ID: existing[ID].astype(str)}).drop_duplicates(ID)
    stored = stored.set_index(ID, drop=False)
    present = ids.isin(stored.index).to_numpy()
    if not present.any():
        return set()
    try:
        new_rows = coerce(layer, incoming.reset_index(drop=True)[present])
    except (ValueError, TypeError):  # a value the store cannot hold: the validator says so
        return set()
    old_rows = coerce(layer, stored.loc[ids[present].tolist()])
    same = same_attributes(layer, new_rows, old_rows)
    kind = schema.layer(layer).geometry
    if kind and GEOMETRY in incoming.columns:
        same &= same_shapes(new_rows[GEOMETRY].values, old_rows[GEOMETRY].values, kind)
    return set(ids[present][same])


def row_counts(frames: dict[str, pd.DataFrame], load, compare_rows: bool = True):
    """Per layer of an import: counts {rows, new, changed, unchanged}, the stored versions of
    the rows it replaces (id -> version) and the ids of unchanged rows. ``load(name)`` gives a
    stored layer (None if absent); ``compare_rows`` False (the import has problems): every
    stored id counts as changed."""
    counts, seen, unchanged = {}, {}, {}
    for name, frame in frames.items():
        existing = load(name)
        versions = dict(zip(existing[ID].astype(str), existing[VERSION].astype(int))) \
            if existing is not None else {}
        ids = frame[ID].astype(str) if ID in frame.columns else pd.Series([], dtype=object)
        seen[name] = {i: versions[i] for i in ids if i in versions}
        plain = frame.drop(columns=[c for c in SOURCE_COLUMNS if c in frame.columns])
        unchanged[name] = unchanged_ids(name, plain, existing) if compare_rows else set()
        stored, same = len(seen[name]), len(unchanged[name])
        counts[name] = {"rows": len(frame), "new": len(frame) - stored,
                        "changed": stored - same, "unchanged": same}
    return counts, seen, unchanged
