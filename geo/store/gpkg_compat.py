"""Keep a store file a GeoPackage 1.3 that older readers take without a word.

GDAL 3.6 and QGIS 3.22 (Debian 12) warn on every open of a GeoPackage 1.4 file, and GDAL's
own validator of that release wants the R-tree triggers of GeoPackage 1.3 (``update1`` ..
``update4``); newer GDAL writes 1.4 and its triggers ``update5`` .. ``update7`` unless the file
is created as 1.3 (:data:`CREATE_OPTIONS`). Every table is registered in ``gpkg_contents``:
the revision counter ``hongtu_state`` as an attributes table with an INTEGER PRIMARY KEY.

:func:`upgrade` brings an older store file there in one SQLite transaction (a few statements,
whatever the store's size): user_version 1.3, the 1.3 triggers in place of the 1.4 ones, the
counter table rebuilt and registered. :func:`ensure_current` runs it when a file needs it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10300  # GeoPackage 1.3.0
CREATE_OPTIONS = {"VERSION": "1.3"}  # GDAL's dataset creation option for a new file
STATE_TABLE = "hongtu_state"
STATE_COLUMNS = "fid INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, value INTEGER"
NEWER_TRIGGERS = ("update5", "update6", "update7")  # GeoPackage 1.4's R-tree triggers

# The GeoPackage 1.3 R-tree triggers that 1.4 replaced (as GDAL writes them for a 1.3 file).
_UPDATE1 = ('CREATE TRIGGER "{r}_update1" AFTER UPDATE OF "{g}" ON "{t}" WHEN OLD."{i}" = '
            'NEW."{i}" AND (NEW."{g}" NOTNULL AND NOT ST_IsEmpty(NEW."{g}")) BEGIN INSERT OR '
            'REPLACE INTO "{r}" VALUES (NEW."{i}",ST_MinX(NEW."{g}"), ST_MaxX(NEW."{g}"),'
            'ST_MinY(NEW."{g}"), ST_MaxY(NEW."{g}")); END')
_UPDATE3 = ('CREATE TRIGGER "{r}_update3" AFTER UPDATE ON "{t}" WHEN OLD."{i}" != NEW."{i}" AND '
            '(NEW."{g}" NOTNULL AND NOT ST_IsEmpty(NEW."{g}")) BEGIN DELETE FROM "{r}" WHERE '
            'id = OLD."{i}"; INSERT OR REPLACE INTO "{r}" VALUES (NEW."{i}",ST_MinX(NEW."{g}"), '
            'ST_MaxX(NEW."{g}"),ST_MinY(NEW."{g}"), ST_MaxY(NEW."{g}")); END')


def create_state_table(conn: sqlite3.Connection) -> None:
    """The revision counter table, registered as a GeoPackage attributes table."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {STATE_TABLE} ({STATE_COLUMNS})")
    register_attributes(conn, STATE_TABLE, "Hongtu store revision counter")


def register_attributes(conn: sqlite3.Connection, table: str, description: str = "") -> None:
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, "
        "last_change) VALUES (?, 'attributes', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        (table, table, description))


def _rtrees(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(rtree table, feature table, geometry column) of every spatial index."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_extensions'").fetchone() is None:
        return []  # a GeoPackage without any extension yet (no feature table written)
    rows = conn.execute("SELECT table_name, column_name FROM gpkg_extensions "
                        "WHERE extension_name = 'gpkg_rtree_index'").fetchall()
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [(f"rtree_{t}_{g}", t, g) for t, g in rows if f"rtree_{t}_{g}" in names]


def _triggers(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}


def _primary_key(conn: sqlite3.Connection, table: str) -> str:
    return next((r[1] for r in conn.execute(f'PRAGMA table_info("{table}")') if r[5] == 1), "fid")


def needs_upgrade(conn: sqlite3.Connection) -> bool:
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_contents'").fetchone() is None:
        return False  # not a GeoPackage (yet)
    if conn.execute("PRAGMA user_version").fetchone()[0] != USER_VERSION:
        return True
    if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        return True
    triggers = _triggers(conn)
    if any(f"{r}_{k}" in triggers for r, _, _ in _rtrees(conn) for k in NEWER_TRIGGERS):
        return True
    if any(f"{r}_update{k}" not in triggers for r, _, _ in _rtrees(conn) for k in (1, 3)):
        return True
    if conn.execute(f"SELECT 1 FROM sqlite_master WHERE name = '{STATE_TABLE}'").fetchone():
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({STATE_TABLE})")]
        registered = conn.execute("SELECT 1 FROM gpkg_contents WHERE table_name = ?",
                                  (STATE_TABLE,)).fetchone()
        return columns[:1] != ["fid"] or registered is None
    return False


def upgrade(conn: sqlite3.Connection) -> None:
    """Make the file a GeoPackage 1.3 as described above (inside the caller's transaction;
    the connection needs the ST_* functions of ``gpkg_sql.register_gpkg_functions`` only for
    later writes, not here)."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {USER_VERSION}")
    triggers = _triggers(conn)
    for rtree, table, column in _rtrees(conn):
        names = {"r": rtree, "t": table, "g": column, "i": _primary_key(conn, table)}
        for kind in NEWER_TRIGGERS:
            if f"{rtree}_{kind}" in triggers:
                conn.execute(f'DROP TRIGGER "{rtree}_{kind}"')
        for kind, template in (("update1", _UPDATE1), ("update3", _UPDATE3)):
            if f"{rtree}_{kind}" not in triggers:
                conn.execute(template.format(**names))
    if conn.execute(f"SELECT 1 FROM sqlite_master WHERE name = '{STATE_TABLE}'").fetchone():
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({STATE_TABLE})")]
        if columns[:1] != ["fid"]:  # (key TEXT PRIMARY KEY, value): no INTEGER PRIMARY KEY
            conn.execute(f"ALTER TABLE {STATE_TABLE} RENAME TO {STATE_TABLE}_old")
            conn.execute(f"CREATE TABLE {STATE_TABLE} ({STATE_COLUMNS})")
            conn.execute(f"INSERT INTO {STATE_TABLE} (key, value) "
                         f"SELECT key, value FROM {STATE_TABLE}_old")
            conn.execute(f"DROP TABLE {STATE_TABLE}_old")
        register_attributes(conn, STATE_TABLE, "Hongtu store revision counter")


def upgrade_file(path: Path) -> bool:
    """Upgrade the (closed or live, WAL) file if it needs it, in one transaction; True when
    something was changed. The caller holds the store's writer lock."""
    with closing(sqlite3.connect(path, isolation_level=None, timeout=60)) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not needs_upgrade(conn):
                conn.execute("ROLLBACK")
                return False
            upgrade(conn)
            conn.execute("COMMIT")
            # GDAL and the validator read the version from the file's first page itself
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return True


def ensure_current(path: Path) -> None:
    """On opening a store: a read-only look, and :func:`upgrade_file` under the writer lock
    when the file is older. A file that cannot be written (read-only) is left as it is."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            if not needs_upgrade(conn):
                return
        from geo.store.gpkg import writer_lock

        with writer_lock(path):
            upgrade_file(path)
    except (sqlite3.Error, OSError):
        return  # read-only or not a store: readers still work as before
