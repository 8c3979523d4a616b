"""Rows of a GeoPackage through plain sqlite3: geometry blobs, the R-tree functions GDAL's
triggers call, and the row-level reads and writes a transaction runs inside SQLite's own
transaction (``geo/store/gpkg.py``). GDAL (pyogrio) is only needed to create a layer."""

from __future__ import annotations

import json
import sqlite3
import struct

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.schema import GEOMETRY, ID, VERSION, WGS84
from geo.store import gpkg_compat
from geo.store.base import (
    ConflictError,
    NotFoundError,
    StoreError,
    clean_changes,
    coerce,
    empty_frame,
    to_storage,
)

STATE_TABLE = gpkg_compat.STATE_TABLE  # a counter bumped by every committed write (revision())
_BUMP = (f"INSERT INTO {STATE_TABLE} (key, value) VALUES ('revision', 1) "
         "ON CONFLICT (key) DO UPDATE SET value = value + 1")
REVISION_KEY = "revision"
LAYER_KEY = "layer:"  # rows 'layer:<name>' of the state table: the revision that last changed it
_MARK = (f"INSERT INTO {STATE_TABLE} (key, value) SELECT ?, value FROM {STATE_TABLE} "
         "WHERE key = 'revision' ON CONFLICT (key) DO UPDATE SET value = excluded.value")


class NeedsLayerWrite(Exception):
    """The operation needs GDAL (a new layer or new columns): not a row edit."""


def connect(path, **kwargs) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=60, **kwargs)
    register_gpkg_functions(conn)
    return conn


def bump_revision(conn: sqlite3.Connection, layers=()) -> None:
    """A new revision, marked as the one that last changed each of ``layers``."""
    if not conn.execute(f"SELECT 1 FROM sqlite_master WHERE name = '{STATE_TABLE}'").fetchone():
        gpkg_compat.create_state_table(conn)
    conn.execute(_BUMP)
    mark_layers(conn, layers)


def mark_layers(conn: sqlite3.Connection, layers) -> None:
    """Mark ``layers`` as changed by the current revision."""
    conn.executemany(_MARK, [(LAYER_KEY + name,) for name in sorted(layers)])


def read_state(conn: sqlite3.Connection) -> dict[str, int]:
    """Every row of the state table: ``REVISION_KEY`` (the counter) and ``LAYER_KEY<name>``
    (the revision that last changed the layer; none: not changed since marks began)."""
    try:
        rows = conn.execute(f"SELECT key, value FROM {STATE_TABLE}").fetchall()
    except sqlite3.OperationalError:  # written before the counter existed
        return {}
    return {str(key): int(value or 0) for key, value in rows}


def read_revision(conn: sqlite3.Connection) -> int:
    try:
        rows = conn.execute(f"SELECT value FROM {STATE_TABLE} WHERE key = 'revision'").fetchall()
    except sqlite3.OperationalError:  # written before the counter existed
        return 0
    return int(rows[0][0]) if rows else 0  # fetchall: the read transaction ends here


def geometry_column(conn: sqlite3.Connection, name: str) -> tuple[str, int] | None:
    return conn.execute(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
    ).fetchone()


def table_columns(conn: sqlite3.Connection, name: str) -> list[str]:
    return [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')]


def has_layer(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute(
        "SELECT 1 FROM gpkg_contents WHERE table_name = ?", (name,)
    ).fetchone() is not None


def where_clause(name: str, where: dict | None) -> tuple[str, list]:
    """`` WHERE ...`` (or "") and its parameters: each key equals its value, or is one of
    the values of a list, tuple or set."""
    if not where:
        return "", []
    spec = schema.layer(name)
    clauses, params = [], []
    for key, value in where.items():
        if key not in spec.columns or key == GEOMETRY:
            raise KeyError(f"{name}.{key}")
        values = list(value) if isinstance(value, (list, tuple, set, frozenset)) else [value]
        clauses.append(f'"{key}" IN ({", ".join("?" * len(values))})')  # IN () matches nothing
        params += [str(v) for v in values]
    return " WHERE " + " AND ".join(clauses), params


def read_layer(conn: sqlite3.Connection, name: str, where: dict | None = None) -> pd.DataFrame:
    """A layer, or its rows matching ``where`` (:func:`where_clause`), as this connection
    sees it (uncommitted changes included)."""
    spec = schema.layer(name)
    if not has_layer(conn, name):
        return coerce(name, empty_frame(name))
    clause, params = where_clause(name, where)
    frame = pd.read_sql_query(f'SELECT * FROM "{name}"{clause} ORDER BY fid', conn, params=params)
    frame = frame.drop(columns=["fid"], errors="ignore")
    if spec.geometry is not None:
        column = geometry_column(conn, name)[0]
        geoms = blob_geometries(frame.pop(column).to_numpy())
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84)
    return coerce(name, frame)


def write_rows(conn: sqlite3.Connection, name: str, frame: pd.DataFrame, replace: bool) -> None:
    """Replace or append a layer's rows in an existing table with every schema column;
    :class:`NeedsLayerWrite` (before any change) when the table lacks one."""
    spec = schema.layer(name)
    if not has_layer(conn, name):
        raise NeedsLayerWrite(name)
    data = to_storage(name, frame)
    columns = [c for c in data.columns if c != GEOMETRY]
    if set(columns) - set(table_columns(conn, name)):
        raise NeedsLayerWrite(name)
    plain = pd.DataFrame(data[columns]).astype(object)
    rows = plain.where(plain.notna(), None).values.tolist()
    rows = [[_sql_value(v) for v in row] for row in rows]
    names = [f'"{c}"' for c in columns]
    if spec.geometry is not None:
        column, srs_id = geometry_column(conn, name)
        names.append(f'"{column}"')
        blobs = [None if g is None else geometry_blob(g, srs_id, spec.geometry)
                 for g in data.geometry.values]
        rows = [[*row, blob] for row, blob in zip(rows, blobs)]
    if replace:
        conn.execute(f'DELETE FROM "{name}"')
    if rows:
        marks = ", ".join("?" * len(names))
        conn.executemany(f'INSERT INTO "{name}" ({", ".join(names)}) VALUES ({marks})', rows)
    touch(conn, name)


def touch(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
                 "WHERE table_name = ?", (name,))


def ensure_id_index(conn: sqlite3.Connection, name: str) -> None:
    """An index on the layer's ``id`` (GeoPackage allows extra indexes): a row edit or a read
    by id then costs the same in a district of 5,000 members or of 500,000."""
    if has_layer(conn, name) and ID in table_columns(conn, name):
        conn.execute(f'CREATE INDEX IF NOT EXISTS "{name}_{ID}_idx" ON "{name}" ("{ID}")')


def update_row(conn: sqlite3.Connection, name, row_id, changes, expected_version=None) -> dict:
    """Change attribute (and geometry) columns of one row, bump its version; the row before."""
    spec = schema.layer(name)
    ensure_id_index(conn, name)
    bad = [c for c in changes if c in (ID, VERSION) or c not in spec.columns]
    if bad:
        raise StoreError(f"{name}: cannot update columns {bad}")
    geometry = changes.get(GEOMETRY)  # a shapely geometry in WGS84, or absent
    changes = {k: v for k, v in changes.items() if k != GEOMETRY}
    cursor = conn.execute(f'SELECT * FROM "{name}" WHERE id = ?', (row_id,))
    keys = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    if row is None:
        raise NotFoundError(name, row_id)
    row = dict(zip(keys, row))
    before = {k: v for k, v in row.items() if k not in ("fid", "geom", GEOMETRY)}
    if expected_version is not None and int(row[VERSION]) != int(expected_version):
        raise ConflictError(name, row_id, int(expected_version), int(row[VERSION]))
    sets = [f'"{c}" = ?' for c in changes]
    values = [_sql_value(v) for v in _storage_values(name, changes)]
    if geometry is not None:
        column, srs_id = geometry_column(conn, name)
        sets.append(f'"{column}" = ?')
        values.append(geometry_blob(geometry, srs_id, spec.geometry))
    conn.execute(
        f'UPDATE "{name}" SET {", ".join([*sets, "version = version + 1"])} WHERE id = ?',
        [*values, row_id],
    )
    return before


def delete_rows(conn: sqlite3.Connection, name: str, ids: list[str]) -> int:
    if not ids or not has_layer(conn, name):
        return 0
    ensure_id_index(conn, name)
    marks = ",".join("?" * len(ids))
    return conn.execute(f'DELETE FROM "{name}" WHERE id IN ({marks})', list(ids)).rowcount


def _sql_value(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if hasattr(value, "item"):
        return value.item()
    return value


def _storage_values(name: str, changes: dict) -> list:
    spec = schema.layer(name)
    changes = clean_changes(name, changes)
    out = []
    for key, value in changes.items():
        f = spec.field(key)
        if value is None or (isinstance(value, float) and pd.isna(value)):
            out.append(None)
        elif f.dtype == "date":
            out.append(pd.Timestamp(value).strftime("%Y-%m-%d"))
        elif f.dtype == "datetime":
            out.append(pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%S"))
        elif f.dtype == "bool":
            out.append(1 if value else 0)
        elif f.dtype == "json" and not isinstance(value, str):
            out.append(json.dumps(value, ensure_ascii=False, sort_keys=True))
        else:
            out.append(value)
    return out


# ------------------------------------------------------------------ geometry blobs
# GDAL's R-tree triggers call these SQL functions on geometry blobs; sqlite3 lacks them.
_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def _blob_bounds(blob: bytes | None):
    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        return None
    flags = blob[3]
    if flags & 0x10:  # empty geometry
        return None
    order = "<" if flags & 1 else ">"
    doubles = _ENVELOPE_DOUBLES.get((flags >> 1) & 7, 0)
    if doubles:
        minx, maxx, miny, maxy = struct.unpack(order + "4d", blob[8 : 8 + 32])
        return minx, miny, maxx, maxy
    geom = shapely.from_wkb(blob[8:])
    return None if geom.is_empty else geom.bounds


def blob_geometries(blobs) -> np.ndarray:
    """The shapely geometries of an array of GeoPackage geometry blobs (None stays None), in
    one vectorised WKB parse."""
    def wkb_of(blob):  # past the 8-byte header and the envelope its flags announce
        return bytes(blob[8 + 8 * _ENVELOPE_DOUBLES.get((blob[3] >> 1) & 7, 0):])

    wkb = np.array([None if b is None else wkb_of(b) for b in blobs], dtype=object)
    return shapely.from_wkb(wkb)


def geometry_blob(geom, srs_id: int, geometry_type: str) -> bytes:
    """A GeoPackage geometry blob: 'GP', version 0, flags (little-endian, xy envelope unless a
    point), srs id, envelope, then ISO WKB; single parts promoted for Multi* layers."""
    if geometry_type.startswith("Multi") and not geom.geom_type.startswith("Multi"):
        geom = {"Polygon": shapely.MultiPolygon, "LineString": shapely.MultiLineString,
                "Point": shapely.MultiPoint}[geom.geom_type]([geom])
    if geom.is_empty:
        return b"GP" + bytes([0, 0x11]) + struct.pack("<i", srs_id) + shapely.to_wkb(geom)
    point = geom.geom_type == "Point"
    header = b"GP" + bytes([0, 0x01 if point else 0x03]) + struct.pack("<i", srs_id)
    if not point:
        minx, miny, maxx, maxy = geom.bounds
        header += struct.pack("<4d", minx, maxx, miny, maxy)
    return header + shapely.to_wkb(geom, byte_order=1, flavor="iso")


def register_gpkg_functions(conn: sqlite3.Connection) -> None:
    def bound(i):
        return lambda blob: (b := _blob_bounds(blob)) and b[i]

    conn.create_function("ST_IsEmpty", 1, lambda blob: int(_blob_bounds(blob) is None))
    for i, fn in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
        conn.create_function(fn, 1, bound(i), deterministic=True)
