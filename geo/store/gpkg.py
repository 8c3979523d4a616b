"""The embedded GeoPackage store: one file, WGS84 on disk, copy-on-write transactions.

A transaction copies the file, applies every operation to the copy (pyogrio for whole layers,
sqlite3 for row updates) and swaps it in with one atomic ``os.replace``. A failure leaves the
original file untouched, byte for byte. A lock file serialises writers across processes.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import struct
import tempfile
from contextlib import closing, contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from geo import schema
from geo.schema import GEOMETRY, ID, VERSION
from geo.store.base import (
    ConflictError,
    NotFoundError,
    Store,
    StoreError,
    Transaction,
    coerce,
    empty_frame,
    to_storage,
)
from geo.store.sign_ins import SqliteSignIns


def _sql_value(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if hasattr(value, "item"):
        return value.item()
    return value


class GeoPackageStore(Store):
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.url = str(self.path)
        self.sign_ins = SqliteSignIns(self.path)

    # ------------------------------------------------------------------ reads
    def layer_names(self) -> list[str]:
        if not self.path.exists():
            return []
        return sorted(n for n in _tables(self.path) if n in schema.LAYERS)

    def load(self, name: str, where: dict | None = None) -> pd.DataFrame:
        return _read(self.path, name, where)

    def revision(self) -> str:
        if not self.path.exists():
            return "missing"
        st = self.path.stat()
        return f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"

    # ------------------------------------------------------------------ writes
    @contextmanager
    def transaction(self, account: str = "system"):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        with open(lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                fd, tmp = tempfile.mkstemp(
                    prefix=self.path.stem + ".tx-", suffix=".gpkg", dir=self.path.parent
                )
                os.close(fd)
                os.unlink(tmp)
                if self.path.exists():
                    shutil.copyfile(self.path, tmp)
                tx = _GpkgTransaction(Path(tmp))
                try:
                    yield tx
                    tx.close()
                    if Path(tmp).exists():
                        with open(tmp, "rb") as fh:
                            os.fsync(fh.fileno())
                        os.replace(tmp, self.path)
                finally:
                    tx.close()
                    for leftover in Path(tmp).parent.glob(Path(tmp).stem + "*"):
                        leftover.unlink(missing_ok=True)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}


def _read(path: Path, name: str, where: dict | None = None) -> pd.DataFrame:
    """One layer: attribute tables through sqlite3, spatial layers through pyogrio."""
    spec = schema.layer(name)
    if not path.exists():
        return coerce(name, empty_frame(name))
    clause, params = "", []
    if where:
        for key in where:
            if key not in spec.columns:
                raise KeyError(f"{name}.{key}")
        clause = " AND ".join(f'"{key}" = ?' for key in where)
        params = [str(v) for v in where.values()]
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        present = conn.execute(
            "SELECT 1 FROM gpkg_contents WHERE table_name = ?", (name,)
        ).fetchone()
        if not present:
            return coerce(name, empty_frame(name))
        if spec.geometry is None:
            sql = f'SELECT * FROM "{name}"' + (f" WHERE {clause}" if clause else "")
            frame = pd.read_sql_query(sql, conn, params=params).drop(columns=["fid"], errors="ignore")
            return coerce(name, frame)
    if where:
        literal = " AND ".join(
            f"\"{k}\" = '{str(v).replace(chr(39), chr(39) * 2)}'" for k, v in where.items()
        )
    frame = pyogrio.read_dataframe(
        path, layer=name, where=literal if where else None, use_arrow=True, fid_as_index=False,
    )
    return coerce(name, frame)


class _GpkgTransaction(Transaction):
    def __init__(self, path: Path):
        self.path = path
        self._conn: sqlite3.Connection | None = None

    def _sql(self) -> sqlite3.Connection:
        if self._conn is None:
            if not self.path.exists():
                raise StoreError("empty store: write a layer first")
            self._conn = sqlite3.connect(self.path, isolation_level=None)
            _register_gpkg_functions(self._conn)
            self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def _flush(self) -> None:
        if self._conn is not None:
            self._conn.execute("COMMIT")
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        self._flush()

    def load(self, name: str) -> pd.DataFrame:
        self._flush()
        return _read(self.path, name)

    def _write(self, name: str, frame: pd.DataFrame, append: bool) -> None:
        self._flush()
        spec = schema.layer(name)
        data = to_storage(name, frame)
        if spec.geometry is None:
            data = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([None] * len(data)))
            geometry_type = None
        else:
            geometry_type = spec.geometry
        exists = self.path.exists() and name in _tables(self.path)
        if append and exists and len(data) == 0:
            return
        if spec.geometry is None:
            _write_table(self.path, name, data.drop(columns=[GEOMETRY]), append and exists)
        else:
            pyogrio.write_dataframe(
                data, self.path, layer=name, driver="GPKG", append=append and exists,
                geometry_type=geometry_type, promote_to_multi=geometry_type.startswith("Multi"),
            )

    def replace(self, name: str, frame: pd.DataFrame) -> None:
        self._write(name, frame, append=False)

    def append(self, name: str, frame: pd.DataFrame) -> None:
        self._write(name, frame, append=True)

    def update(self, name, row_id, changes, expected_version=None) -> dict:
        spec = schema.layer(name)
        bad = [c for c in changes if c in (ID, VERSION) or c not in spec.columns]
        if bad:
            raise StoreError(f"{name}: cannot update columns {bad}")
        geometry = changes.get(GEOMETRY)  # a shapely geometry in WGS84, or absent
        changes = {k: v for k, v in changes.items() if k != GEOMETRY}
        conn = self._sql()
        conn.row_factory = sqlite3.Row
        row = conn.execute(f'SELECT * FROM "{name}" WHERE id = ?', (row_id,)).fetchone()
        if row is None:
            raise NotFoundError(name, row_id)
        keys = row.keys()  # sqlite3.Row iterates values, not keys
        before = {k: row[k] for k in keys if k not in ("fid", "geom", GEOMETRY)}
        if expected_version is not None and int(row[VERSION]) != int(expected_version):
            raise ConflictError(name, row_id, int(expected_version), int(row[VERSION]))
        sets = [f'"{c}" = ?' for c in changes]
        values = [_sql_value(v) for v in _storage_values(name, changes)]
        if geometry is not None:
            column, srs_id = conn.execute(
                "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?",
                (name,),
            ).fetchone()
            sets.append(f'"{column}" = ?')
            values.append(_geometry_blob(geometry, srs_id, spec.geometry))
        conn.execute(
            f'UPDATE "{name}" SET {", ".join([*sets, "version = version + 1"])} WHERE id = ?',
            [*values, row_id],
        )
        return before

    def delete(self, name: str, ids: list[str]) -> int:
        conn = self._sql()
        marks = ",".join("?" * len(ids))
        return conn.execute(f'DELETE FROM "{name}" WHERE id IN ({marks})', list(ids)).rowcount


def _storage_values(name: str, changes: dict) -> list:
    spec = schema.layer(name)
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
            import json

            out.append(json.dumps(value, ensure_ascii=False, sort_keys=True))
        else:
            out.append(value)
    return out


def _write_table(path: Path, name: str, data: pd.DataFrame, append: bool) -> None:
    pyogrio.write_dataframe(
        gpd.GeoDataFrame(data), path, layer=name, driver="GPKG", append=append,
        geometry_type=None, layer_options={"ASPATIAL_VARIANT": "GPKG_ATTRIBUTES"},
    )


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


def _geometry_blob(geom, srs_id: int, geometry_type: str) -> bytes:
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


def _register_gpkg_functions(conn: sqlite3.Connection) -> None:
    def bound(i):
        return lambda blob: (b := _blob_bounds(blob)) and b[i]

    conn.create_function("ST_IsEmpty", 1, lambda blob: int(_blob_bounds(blob) is None))
    for i, fn in enumerate(("ST_MinX", "ST_MinY", "ST_MaxX", "ST_MaxY")):
        conn.create_function(fn, 1, bound(i), deterministic=True)
