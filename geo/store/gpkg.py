"""The embedded GeoPackage store: one file, WGS84 on disk, SQLite's own transactions.

Every write is one SQLite transaction on the file itself, in WAL mode (write-ahead log): row
edits, deletes and whole-layer replacements of existing layers are plain SQL (``gpkg_sql``), so
an edit costs the rows it touches, not the size of the store. A failed or cancelled write rolls
back and changes nothing; a process killed mid-write (kill -9, power loss with
``synchronous=FULL``) leaves the committed state, which SQLite recovers from the log on the next
open. Readers never wait for a writer and see the old state until the commit.

Only a write that needs GDAL (a layer the file does not have yet, or columns the schema gained)
works on a private copy: the copy is taken with SQLite's backup API, GDAL writes into it, and
the result goes back into the file with the backup API as one transaction (the first write of a
new file is moved into place with ``os.replace``). A lock file serialises writers across
processes; a copy left behind by a killed process is removed by the next writer.

The live file is read and written through Python's sqlite3 only. GDAL (pyogrio's wheel) carries
a SQLite library of its own; two SQLite libraries on one WAL file in one process release each
other's POSIX locks and truncate the shared-memory file the other has mapped
(sqlite.org/howtocorrupt.html, 2.2.1): "disk I/O error" in a write and SIGBUS in the server when
pages read while a member was moved. GDAL touches private copies and other files only.

``revision()`` is the file's inode and a counter in the table ``hongtu_state`` that every
committed write increments (the file's mtime does not change while the log holds the writes);
the same table keeps, per layer, the counter of the write that last changed it
(``layer_revision()``).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import tempfile
from contextlib import closing, contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo import schema
from geo.schema import GEOMETRY
from geo.store import gpkg_compat
from geo.store import gpkg_sql as sql
from geo.store.base import (
    UNREVISIONED_LAYERS,
    Store,
    StoreError,
    Transaction,
    coerce,
    empty_frame,
    to_storage,
)
from geo.store.gpkg_revision import RevisionReader, note_commit
from geo.store.sign_ins import SqliteSignIns

TMP_INFIX = ".tx-"  # <stem>.tx-XXXX.gpkg: a private copy while a layer is written by GDAL
SIDE_FILES = ("-wal", "-shm", "-journal")


class GeoPackageStore(Store):
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.url = str(self.path)
        self.sign_ins = SqliteSignIns(self.path)
        self._revision = RevisionReader(self.path)
        gpkg_compat.ensure_current(self.path)  # an older file becomes a GeoPackage 1.3

    # ------------------------------------------------------------------ reads
    def layer_names(self) -> list[str]:
        if not self.path.exists():
            return []
        return sorted(n for n in _tables(self.path) if n in schema.LAYERS)

    def load(self, name: str, where: dict | None = None) -> pd.DataFrame:
        return _read(self.path, name, where)

    def revision(self) -> str:
        return self._revision.read()

    def current_revision(self) -> str:
        return self._revision.read(fresh=True)

    def layer_revision(self, names) -> str:
        return self._revision.read(tuple(names))

    # ------------------------------------------------------------------ writes
    @contextmanager
    def transaction(self, account: str = "system"):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with writer_lock(self.path):
            _remove_stale_copies(self.path)
            tx = _GpkgTransaction(self.path)
            try:
                yield tx
                tx.commit()
            finally:
                tx.close()
            note_commit(self.path)  # this process's readers see it at once


@contextmanager
def writer_lock(path: Path):
    """The exclusive writer lock of a store file (``<file>.lock``), across processes."""
    with open(path.with_name(path.name + ".lock"), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _remove_stale_copies(path: Path) -> None:
    """Copies left by a writer that was killed (we hold the writer lock: nobody uses them)."""
    for leftover in path.parent.glob(f"{path.stem}{TMP_INFIX}*"):
        leftover.unlink(missing_ok=True)


def _remove_side_files(path: Path) -> None:
    for suffix in SIDE_FILES:
        Path(str(path) + suffix).unlink(missing_ok=True)


def use_wal(path: Path) -> None:
    """Put a (closed, private) GeoPackage file into WAL mode; the mode is kept in the file."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}


def _read(path: Path, name: str, where: dict | None = None) -> pd.DataFrame:
    """One layer, or the rows matching ``where`` (equality, or one of a list: by the ``id``
    index), through Python's sqlite3 and never GDAL (module docstring: one SQLite library per
    live file)."""
    if not path.exists():
        return coerce(name, empty_frame(name))
    sql.where_clause(name, where)  # an unknown column is a KeyError before the file is opened
    with closing(sql.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        return sql.read_layer(conn, name, where)


class _GpkgTransaction(Transaction):
    """Row operations in one SQLite transaction on the live file; switches to a private copy
    (replaying what it did so far) when an operation needs GDAL."""

    def __init__(self, path: Path):
        self.path = path
        self._done: list[tuple[str, tuple]] = []  # operations applied so far, for a replay
        self._writer = _DirectWriter(path) if path.exists() else _CopyWriter(path)

    def _run(self, op: str, *args):
        try:
            result = getattr(self._writer, op)(*args)
        except sql.NeedsLayerWrite:
            self._writer.close()
            self._writer = _CopyWriter(self.path)
            for done_op, done_args in self._done:
                getattr(self._writer, done_op)(*done_args)
            result = getattr(self._writer, op)(*args)
        self._done.append((op, args))
        return result

    def load(self, name: str) -> pd.DataFrame:
        return self._writer.load(name)

    def replace(self, name: str, frame: pd.DataFrame) -> None:
        self._run("replace", name, frame)

    def append(self, name: str, frame: pd.DataFrame) -> None:
        self._run("append", name, frame)

    def update(self, name, row_id, changes, expected_version=None) -> dict:
        return self._run("update", name, row_id, changes, expected_version)

    def delete(self, name: str, ids: list[str]) -> int:
        return self._run("delete", name, list(ids))

    def commit(self) -> None:
        if self._done:
            self._writer.commit({args[0] for _, args in self._done} - UNREVISIONED_LAYERS)

    def close(self) -> None:
        self._writer.close()


class _DirectWriter:
    """One SQLite write transaction (BEGIN IMMEDIATE) on the live file, in WAL mode."""

    def __init__(self, path: Path):
        self.conn = sql.connect(path)
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("BEGIN IMMEDIATE")

    def load(self, name: str) -> pd.DataFrame:
        return sql.read_layer(self.conn, name)

    def replace(self, name: str, frame: pd.DataFrame) -> None:
        sql.write_rows(self.conn, name, frame, replace=True)

    def append(self, name: str, frame: pd.DataFrame) -> None:
        if len(frame) == 0 and sql.has_layer(self.conn, name):
            return
        sql.write_rows(self.conn, name, frame, replace=False)

    def update(self, name, row_id, changes, expected_version=None) -> dict:
        return sql.update_row(self.conn, name, row_id, changes, expected_version)

    def delete(self, name: str, ids: list[str]) -> int:
        return sql.delete_rows(self.conn, name, ids)

    def commit(self, layers: set[str]) -> None:
        """Commit; a new revision marking ``layers`` unless it wrote none (only the audit)."""
        if layers:
            sql.bump_revision(self.conn, layers)
        self.conn.execute("COMMIT")

    def close(self) -> None:
        if self.conn is not None:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self.conn.close()
            self.conn = None


class _CopyWriter:
    """GDAL writes on a private copy of the file; on commit the copy goes back into the file
    as one SQLite transaction (backup API), or is moved into place for a new file."""

    def __init__(self, live: Path):
        self.live = live
        fd, tmp = tempfile.mkstemp(prefix=live.stem + TMP_INFIX, suffix=".gpkg", dir=live.parent)
        os.close(fd)
        os.unlink(tmp)
        self.path = Path(tmp)
        if live.exists():
            with closing(sqlite3.connect(live)) as src, closing(sqlite3.connect(tmp)) as dst:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=DELETE")
        self._conn: sqlite3.Connection | None = None

    def _sql(self) -> sqlite3.Connection:
        if self._conn is None:
            if not self.path.exists():
                raise StoreError("empty store: write a layer first")
            self._conn = sql.connect(self.path)
            self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def _flush(self) -> None:
        if self._conn is not None:
            self._conn.execute("COMMIT")
            self._conn.close()
            self._conn = None

    def load(self, name: str) -> pd.DataFrame:
        self._flush()
        return _read(self.path, name)

    def _write(self, name: str, frame: pd.DataFrame, append: bool) -> None:
        self._flush()
        spec = schema.layer(name)
        data = to_storage(name, frame)
        exists = self.path.exists() and name in _tables(self.path)
        if append and exists and len(data) == 0:
            return
        new_file = {} if self.path.exists() else {"dataset_options": gpkg_compat.CREATE_OPTIONS}
        if spec.geometry is None:
            data = gpd.GeoDataFrame(data.drop(columns=[GEOMETRY], errors="ignore"))
            pyogrio.write_dataframe(
                data, self.path, layer=name, driver="GPKG", append=append and exists,
                geometry_type=None, layer_options={"ASPATIAL_VARIANT": "GPKG_ATTRIBUTES"},
                **new_file,
            )
        else:
            pyogrio.write_dataframe(
                data, self.path, layer=name, driver="GPKG", append=append and exists,
                geometry_type=spec.geometry, promote_to_multi=spec.geometry.startswith("Multi"),
                **new_file,
            )
        with closing(sqlite3.connect(self.path)) as conn, conn:
            sql.ensure_id_index(conn, name)

    def replace(self, name: str, frame: pd.DataFrame) -> None:
        self._write(name, frame, append=False)

    def append(self, name: str, frame: pd.DataFrame) -> None:
        self._write(name, frame, append=True)

    def update(self, name, row_id, changes, expected_version=None) -> dict:
        return sql.update_row(self._sql(), name, row_id, changes, expected_version)

    def delete(self, name: str, ids: list[str]) -> int:
        return sql.delete_rows(self._sql(), name, ids)

    def commit(self, layers: set[str]) -> None:  # a GDAL write: always a new revision
        conn = self._sql()
        sql.bump_revision(conn, layers)
        if gpkg_compat.needs_upgrade(conn):  # GDAL wrote into a file older than 1.3 rules
            gpkg_compat.upgrade(conn)
        self._flush()
        if self.live.exists():
            with closing(sqlite3.connect(self.path)) as src, \
                    closing(sqlite3.connect(self.live, timeout=60)) as dst:
                dst.execute("PRAGMA synchronous=FULL")
                src.backup(dst)
            return
        use_wal(self.path)
        with open(self.path, "rb") as fh:
            os.fsync(fh.fileno())
        _remove_side_files(self.live)  # a log left beside a deleted file must not replay
        os.replace(self.path, self.live)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self.path.unlink(missing_ok=True)
        _remove_side_files(self.path)
