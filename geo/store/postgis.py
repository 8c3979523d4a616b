"""The PostGIS store: the same interface and frames as the GeoPackage store, on a server.

Chosen with ``HONGTU_DATABASE_URL=postgresql://user:password@host:port/database``; SQLAlchemy 2
with the psycopg 3 driver. The schema (see :mod:`geo.store.migrations`) is created on first use
if missing, or by ``hongtu migrate``. A transaction is one database transaction; ``replace``
deletes every row and bulk-inserts with COPY (the table, its indexes and types stay);
``update`` locks the row (``SELECT ... FOR UPDATE``) and checks its version, so concurrent
writers from any number of processes or servers never lose an edit. Every committed write bumps
the revision counter in ``hongtu_state``. Nothing is kept in the process beyond the engine.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager

import geopandas as gpd
import pandas as pd
import psycopg
import shapely
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from geo import schema
from geo.schema import GEOMETRY, ID, VERSION, WGS84
from geo.store import migrations
from geo.store.base import (
    UNREVISIONED_LAYERS,
    ConflictError,
    NotFoundError,
    Store,
    StoreError,
    Transaction,
    clean_changes,
    clean_for_write,
    coerce,
)
from geo.store.gpkg_revision import SNAPSHOT_SECONDS, commits_to, note_commit
from geo.store.migrations import LAYERS_TABLE, ROW_ORDER, SRID, STATE_TABLE, table
from geo.store.sign_ins import PostgresSignIns

_MULTI = {"Polygon": shapely.MultiPolygon, "LineString": shapely.MultiLineString,
          "Point": shapely.MultiPoint}


def engine_url(url: str):
    """``postgresql://`` / ``postgres://`` URLs with the psycopg 3 driver."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return parsed.set(drivername="postgresql+psycopg")


_ENGINES: dict[tuple[str, int], Engine] = {}  # one pool per URL and process
POOL_ENV = "HONGTU_DB_POOL"  # connections kept per app server (as many again on a burst)
POOL_SIZE = 10  # 100 sessions on one server ran out of 5 + 10 (bench_sessions)


def pool_size() -> int:
    value = os.environ.get(POOL_ENV, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else POOL_SIZE


def engine_for(url: str) -> Engine:
    key = (url, os.getpid())
    if key not in _ENGINES:
        size = pool_size()
        _ENGINES[key] = create_engine(engine_url(url), pool_pre_ping=True, pool_size=size,
                                      max_overflow=size)
    return _ENGINES[key]


class PostGISStore(Store):
    def __init__(self, url: str):
        self.url = str(url)
        self.engine = engine_for(self.url)
        self._schema_checked = False
        self._snapshot: tuple | None = None  # (commits, read at, epoch, counter, marks)
        self.sign_ins = PostgresSignIns(self.engine, self._ready)

    def migrate(self) -> list[str]:
        done = migrations.migrate(self.engine)
        self._schema_checked = True
        return done

    def _ready(self) -> None:
        if not self._schema_checked:
            with self.engine.connect() as conn:
                current = migrations.is_current(conn)
            if not current:
                self.migrate()
            self._schema_checked = True

    # ------------------------------------------------------------------ reads
    def layer_names(self) -> list[str]:
        self._ready()
        with self.engine.connect() as conn:
            names = conn.execute(text(f"SELECT name FROM {LAYERS_TABLE}")).scalars()
            return sorted(n for n in names if n in schema.LAYERS)

    def load(self, name: str, where: dict | None = None) -> pd.DataFrame:
        schema.layer(name)
        self._ready()
        with self.engine.connect() as conn:
            return _read(conn, name, where)

    def load_many(self, names: list[str]) -> dict[str, pd.DataFrame]:
        """Every layer from one consistent snapshot."""
        self._ready()
        snapshot = self.engine.connect().execution_options(isolation_level="REPEATABLE READ")
        with snapshot as conn, conn.begin():
            return {n: _read(conn, n) for n in names}

    def revision(self) -> str:
        epoch, counter, _ = self._state()
        return f"{epoch[:8]}-{counter}"

    def current_revision(self) -> str:
        self._snapshot = None
        return self.revision()

    def layer_revision(self, names) -> str:
        epoch, _, marks = self._state()
        return f"{epoch[:8]}-L{max((marks.get(n, 0) for n in names), default=0)}"

    def _state(self) -> tuple[str, int, dict[str, int]]:
        """(epoch, counter, each layer's mark): one query serves SNAPSHOT_SECONDS unless this
        process commits (geo.store.gpkg_revision: a round trip per call was some fifty a run)."""
        commits = commits_to(self.url)
        snapshot = self._snapshot
        if snapshot is None or snapshot[0] != commits or \
                time.monotonic() - snapshot[1] > SNAPSHOT_SECONDS:
            self._ready()
            try:
                rows = self._read_state()
            except DBAPIError:  # a restored backup older than the marks: migrate, then read
                self._schema_checked = False
                self._ready()
                rows = self._read_state()
            marks = {name: int(mark) for _, _, name, mark in rows if name is not None}
            snapshot = (commits, time.monotonic(), rows[0][0], int(rows[0][1]), marks)
            self._snapshot = snapshot
        return snapshot[2], snapshot[3], snapshot[4]

    def _read_state(self) -> list:
        with self.engine.connect() as conn:
            return conn.execute(text(f"SELECT s.epoch, s.revision, l.name, l.revision FROM "
                                     f"{STATE_TABLE} s LEFT JOIN {LAYERS_TABLE} l ON true")).all()

    # ------------------------------------------------------------------ writes
    @contextmanager
    def transaction(self, account: str = "system"):
        self._ready()
        try:
            with self.engine.begin() as conn:
                tx = _PgTransaction(conn)
                yield tx
                if tx.written:
                    revision = conn.execute(text(
                        f"UPDATE {STATE_TABLE} SET revision = revision + 1 RETURNING revision"))
                    conn.execute(text(f"UPDATE {LAYERS_TABLE} SET revision = :r WHERE name = "
                                      "ANY(:names)"), {"r": revision.scalar_one(),
                                                       "names": sorted(tx.written)})
            note_commit(self.url)
        except (DBAPIError, psycopg.Error) as exc:  # COPY runs on the raw psycopg connection
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"数据库写入失败,未做任何更改 | database write failed, nothing "
                             f"changed: {reason}") from exc

    def dispose(self) -> None:
        """Close the pooled connections (tests, before forking, before dropping the database);
        the engine opens new ones if it is used again."""
        self.engine.dispose()


def _read(conn: Connection, name: str, where: dict | None = None) -> pd.DataFrame:
    spec = schema.layer(name)
    columns = [f.name for f in spec.all_fields]
    select = [f'"{c}"' for c in columns]
    if spec.geometry:
        select.append(f'ST_AsBinary("{GEOMETRY}") AS "{GEOMETRY}"')
    clauses, params = [], {}
    for i, (key, value) in enumerate((where or {}).items()):
        if key not in spec.columns or key == GEOMETRY:
            raise KeyError(f"{name}.{key}")
        if isinstance(value, (list, tuple, set, frozenset)):  # one of the values
            clauses.append(f'"{key}" = ANY(:w{i})')
            params[f"w{i}"] = [_where_value(spec.field(key), v) for v in value]
        else:
            clauses.append(f'"{key}" = :w{i}')
            params[f"w{i}"] = _where_value(spec.field(key), value)
    sql = f"SELECT {', '.join(select)} FROM {table(name)}"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    rows = conn.execute(text(sql + f' ORDER BY "{ROW_ORDER}"'), params).all()
    frame = pd.DataFrame.from_records(rows, columns=columns + ([GEOMETRY] if spec.geometry else []))
    if spec.geometry:
        wkb = [bytes(b) if b is not None else None for b in frame[GEOMETRY]]
        geometry = gpd.GeoSeries(shapely.from_wkb(wkb), index=frame.index, crs=WGS84)
        frame = gpd.GeoDataFrame(frame.drop(columns=[GEOMETRY]), geometry=geometry, crs=WGS84)
    return coerce(name, frame)


def _where_value(f: schema.Field, value):
    if value is None:
        return None
    return _python_value(f, value) if f.dtype != "str" else str(value)


def _python_value(f: schema.Field, value):
    """One attribute value as the database driver wants it (None for every kind of missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    if f.dtype == "date":
        return pd.Timestamp(value).date()
    if f.dtype == "datetime":
        return pd.Timestamp(value).floor("s").to_pydatetime()
    if f.dtype == "json" and not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if f.dtype == "str" or f.dtype == "json":
        return str(value)
    if f.dtype == "bool":
        return bool(value)
    if f.dtype == "int":
        return int(value)
    return float(value)


def _geometry_hex(geoms, geometry_type: str) -> list[str | None]:
    """Geometries as hex EWKB (SRID 4326), single parts promoted for Multi* layers."""
    out = []
    multi = geometry_type.startswith("Multi")
    for geom in geoms:
        if geom is None:
            out.append(None)
            continue
        if geom.is_empty:
            geom = shapely.from_wkt(f"{geometry_type.upper()} EMPTY")
        elif multi and geom.geom_type in _MULTI:
            geom = _MULTI[geom.geom_type]([geom])
        out.append(shapely.to_wkb(shapely.set_srid(geom, SRID), hex=True, include_srid=True))
    return out


class _PgTransaction(Transaction):
    def __init__(self, conn: Connection):
        self.conn = conn
        self.written: set[str] = set()  # the layers written, outside UNREVISIONED_LAYERS

    def load(self, name: str) -> pd.DataFrame:
        return _read(self.conn, name)

    def _wrote(self, name: str) -> None:
        if name not in UNREVISIONED_LAYERS:
            self.written.add(name)

    def _insert(self, name: str, frame: pd.DataFrame) -> None:
        spec = schema.layer(name)
        data = clean_for_write(name, coerce(name, frame))
        data[VERSION] = data[VERSION].fillna(1)
        fields = list(spec.all_fields)
        columns = [[_python_value(f, v) for v in data[f.name].tolist()] for f in fields]
        names = [f.name for f in fields]
        if spec.geometry:
            columns.append(_geometry_hex(data.geometry.values, spec.geometry))
            names.append(GEOMETRY)
        quoted = ", ".join(f'"{n}"' for n in names)
        raw = self.conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table(name)} ({quoted}) FROM STDIN") as copy:
            for row in zip(*columns, strict=True):
                copy.write_row(row)
        self.conn.execute(
            text(f"INSERT INTO {LAYERS_TABLE} (name) VALUES (:n) ON CONFLICT DO NOTHING"),
            {"n": name},
        )
        self._wrote(name)

    def lock(self, names: list[str]) -> None:
        """EXCLUSIVE: edits (SELECT ... FOR UPDATE, UPDATE/INSERT/DELETE) and other bulk
        writers wait, plain readers do not. (SHARE ROW EXCLUSIVE would let an edit's
        FOR UPDATE in and then deadlock on its UPDATE.) Always in sorted order, so two
        importers never deadlock."""
        for name in sorted(set(names)):
            schema.layer(name)  # a known layer: every one has its table (migrations)
            self.conn.execute(text(f"LOCK TABLE {table(name)} IN EXCLUSIVE MODE"))

    def replace(self, name: str, frame: pd.DataFrame) -> None:
        self.conn.execute(text(f"DELETE FROM {table(name)}"))
        self._insert(name, frame)

    def append(self, name: str, frame: pd.DataFrame) -> None:
        self._insert(name, frame)

    def update(self, name, row_id, changes, expected_version=None) -> dict:
        spec = schema.layer(name)
        bad = [c for c in changes if c in (ID, VERSION) or c not in spec.columns]
        if bad:
            raise StoreError(f"{name}: cannot update columns {bad}")
        attributes = [f.name for f in spec.all_fields]
        row = self.conn.execute(
            text(f"SELECT {', '.join(chr(34) + c + chr(34) for c in attributes)} "
                 f"FROM {table(name)} WHERE id = :id FOR UPDATE"),
            {"id": row_id},
        ).mappings().first()
        if row is None:
            raise NotFoundError(name, row_id)
        if expected_version is not None and int(row[VERSION]) != int(expected_version):
            raise ConflictError(name, row_id, int(expected_version), int(row[VERSION]))
        sets, params = [], {"id": row_id}
        for i, (column, value) in enumerate(clean_changes(name, changes).items()):
            if column == GEOMETRY:
                hexed = _geometry_hex([value], spec.geometry)[0]
                sets.append(f'"{GEOMETRY}" = ST_GeomFromEWKB(decode(:c{i}, \'hex\'))')
                params[f"c{i}"] = hexed
            else:
                sets.append(f'"{column}" = :c{i}')
                params[f"c{i}"] = _python_value(spec.field(column), value)
        sets.append(f'"{VERSION}" = "{VERSION}" + 1')
        sql = f"UPDATE {table(name)} SET {', '.join(sets)} WHERE id = :id"
        if expected_version is not None:
            sql += " AND version = :expected"
            params["expected"] = int(expected_version)
        if self.conn.execute(text(sql), params).rowcount != 1:  # unreachable under the row lock
            raise ConflictError(name, row_id, int(expected_version or 0), None)
        self._wrote(name)
        return {k: _plain_before(v) for k, v in row.items()}

    def delete(self, name: str, ids: list[str]) -> int:
        result = self.conn.execute(
            text(f"DELETE FROM {table(name)} WHERE id = ANY(:ids)"), {"ids": list(ids)}
        )
        self._wrote(name)
        return result.rowcount


def _plain_before(value):
    """A row value as JSON-friendly text/number, like the GeoPackage store's ISO strings."""
    if hasattr(value, "hour"):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
