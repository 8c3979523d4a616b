"""The PostGIS schema and its migrations: a small explicit equivalent of Alembic.

Every table lives in the database schema ``hongtu``. ``hongtu_schema_version`` records which
numbered steps of :data:`STEPS` have run; :func:`migrate` applies the missing ones in order,
under a transaction-scoped advisory lock so that two servers starting together do not race.

The layer tables follow :mod:`geo.schema`: step 2 creates them, and because ``geo.schema``
grows over time, every migration also *synchronises* the layers (adds missing tables, columns
and indexes; never drops or retypes anything) whenever the schema's fingerprint, stored in
``hongtu_state``, differs from the code's. Column types: text, bigint, double precision,
boolean, date, timestamp; json columns are ``text`` so that the exact JSON text written comes
back unchanged (jsonb would reorder keys and respace it). Geometry columns are
``geometry(<Type>, 4326)`` with a GIST index; every ``*_id`` column has a b-tree index.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from geo import schema
from geo.schema import GEOMETRY, ID, VERSION
from geo.store.sign_ins import pg_create_tables

DB_SCHEMA = "hongtu"
VERSION_TABLE = f"{DB_SCHEMA}.hongtu_schema_version"
STATE_TABLE = f"{DB_SCHEMA}.hongtu_state"  # one row: epoch, revision counter, fingerprint
LAYERS_TABLE = f"{DB_SCHEMA}.hongtu_layers"  # layers written at least once
ROW_ORDER = "fid"  # insertion order, like a GeoPackage's fid: loads come back in this order
SRID = 4326
MIGRATION_LOCK = 0x486F6E67  # "Hong": pg_advisory_xact_lock key

SQL_TYPES = {
    "str": "text",
    "int": "bigint",
    "float": "double precision",
    "bool": "boolean",
    "date": "date",
    "datetime": "timestamp",
    "json": "text",
}


def table(name: str) -> str:
    """The qualified, quoted table of a layer."""
    return f'{DB_SCHEMA}."{schema.layer(name).name}"'


def column_sql(f: schema.Field) -> str:
    if f.name == ID:
        return f'"{ID}" text PRIMARY KEY'
    if f.name == VERSION:
        return f'"{VERSION}" bigint NOT NULL DEFAULT 1'
    return f'"{f.name}" {SQL_TYPES[f.dtype]}'


def geometry_sql(layer: schema.Layer) -> str:
    return f'"{GEOMETRY}" geometry({layer.geometry}, {SRID})'


def index_sql(layer: schema.Layer) -> list[str]:
    out = []
    for f in layer.all_fields:
        if f.name != ID and (f.ref or f.name.endswith("_id")):
            out.append(
                f'CREATE INDEX IF NOT EXISTS "{layer.name}_{f.name}_idx" '
                f'ON {table(layer.name)} ("{f.name}")'
            )
    if layer.geometry:
        out.append(
            f'CREATE INDEX IF NOT EXISTS "{layer.name}_{GEOMETRY}_gist" '
            f'ON {table(layer.name)} USING GIST ("{GEOMETRY}")'
        )
    return out


def schema_fingerprint() -> str:
    """Changes whenever a layer, column type or geometry type in :mod:`geo.schema` changes."""
    parts = [
        f"{n}:{layer.geometry}:" + ",".join(f"{f.name}/{f.dtype}" for f in layer.all_fields)
        for n, layer in sorted(schema.LAYERS.items())
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def sync_layers(conn: Connection) -> None:
    """Create missing layer tables, columns and indexes (never drop or retype)."""
    existing = {
        (r.table_name, r.column_name)
        for r in conn.execute(
            text("SELECT table_name, column_name FROM information_schema.columns "
                 "WHERE table_schema = :s"),
            {"s": DB_SCHEMA},
        )
    }
    tables = {t for t, _ in existing}
    for name, layer in schema.LAYERS.items():
        columns = [f'"{ROW_ORDER}" bigserial'] + [column_sql(f) for f in layer.all_fields]
        if layer.geometry:
            columns.append(geometry_sql(layer))
        if name not in tables:
            conn.execute(text(f"CREATE TABLE {table(name)} ({', '.join(columns)})"))
        else:
            wanted = [(ROW_ORDER, columns[0])] + [(f.name, column_sql(f)) for f in layer.all_fields]
            if layer.geometry:
                wanted.append((GEOMETRY, geometry_sql(layer)))
            for column, definition in wanted:
                if (name, column) not in existing:
                    conn.execute(text(f"ALTER TABLE {table(name)} ADD COLUMN {definition}"))
        for statement in index_sql(layer):
            conn.execute(text(statement))


def _bootstrap(conn: Connection) -> None:
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {DB_SCHEMA}"))
    conn.execute(text(
        f"CREATE TABLE {STATE_TABLE} (id integer PRIMARY KEY CHECK (id = 1), "
        "epoch text NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text), "
        "revision bigint NOT NULL DEFAULT 0, fingerprint text)"
    ))
    conn.execute(text(f"INSERT INTO {STATE_TABLE} (id) VALUES (1)"))
    conn.execute(text(f"CREATE TABLE {LAYERS_TABLE} (name text PRIMARY KEY)"))


def _layer_marks(conn: Connection) -> None:
    conn.execute(text(f"ALTER TABLE {LAYERS_TABLE} ADD COLUMN IF NOT EXISTS revision bigint "
                      "NOT NULL DEFAULT 0"))


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    apply: Callable[[Connection], None]


STEPS: tuple[Step, ...] = (
    Step(1, "postgis extension, state and layer registry", _bootstrap),
    Step(2, "layer tables from geo.schema", sync_layers),
    Step(3, "sign-in attempts and events, outside the revision", pg_create_tables),
    Step(4, "the revision that last changed each layer", _layer_marks),
)
LATEST = STEPS[-1].version


def _applied(conn: Connection) -> set[int]:
    exists = conn.execute(text("SELECT to_regclass(:t)"), {"t": VERSION_TABLE}).scalar()
    if exists is None:
        return set()
    return {r[0] for r in conn.execute(text(f"SELECT version FROM {VERSION_TABLE}"))}


def is_current(conn: Connection) -> bool:
    """True when every step has run and the layer tables match :mod:`geo.schema`."""
    if _applied(conn) != {s.version for s in STEPS}:
        return False
    fingerprint = conn.execute(text(f"SELECT fingerprint FROM {STATE_TABLE}")).scalar()
    return fingerprint == schema_fingerprint()


def migrate(engine: Engine) -> list[str]:
    """Apply the missing steps and synchronise the layers; return what was done."""
    done = []
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        if is_current(conn):
            return done
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {DB_SCHEMA}"))
        conn.execute(text(
            f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version integer PRIMARY KEY, "
            "name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        ))
        applied, synced = _applied(conn), False
        for step in STEPS:
            if step.version not in applied:
                step.apply(conn)
                synced = synced or step.apply is sync_layers
                conn.execute(
                    text(f"INSERT INTO {VERSION_TABLE} (version, name) VALUES (:v, :n)"),
                    {"v": step.version, "n": step.name},
                )
                done.append(f"{step.version}: {step.name}")
        fingerprint = schema_fingerprint()
        if conn.execute(text(f"SELECT fingerprint FROM {STATE_TABLE}")).scalar() != fingerprint:
            if not synced:
                sync_layers(conn)
                done.append(f"layers synchronised with geo.schema ({fingerprint})")
            conn.execute(text(f"UPDATE {STATE_TABLE} SET fingerprint = :f"), {"f": fingerprint})
    return done
