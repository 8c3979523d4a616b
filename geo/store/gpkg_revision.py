"""The GeoPackage store's revision, read through one connection kept open.

A page reads the revision some twenty times a run (every cached read is keyed on it). Opening
a connection for each read cost about 1 ms (SQLite parses the file's schema, R-tree triggers
and all, on a connection's first statement): a tenth of the server's CPU under load. One
read-only connection per store, shared by the threads under a lock, reads the counter in
microseconds; each read is its own read transaction (autocommit, the statement run to its end),
so it sees every commit. The connection is opened again when the path names another file (a
restore or a first write moves a new file into place: another inode, or a change time the open
file cannot have had) or was removed."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

from geo.store import gpkg_sql as sql

MISSING = "missing"


def _identity(path: Path) -> tuple[int, int, int] | None:
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino, status.st_ctime_ns


class RevisionReader:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._identity: tuple[int, int, int] | None = None

    def read(self) -> str:
        """``"<inode>-<counter>"``, or ``"missing"`` while there is no file."""
        with self._lock:
            identity = _identity(self.path)
            if identity is None:
                self._close()
                return MISSING
            if self._conn is None or identity != self._identity:
                self._close()
                self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                             isolation_level=None, check_same_thread=False)
                self._identity = identity
            rows = sql.read_revision(self._conn)
        return f"{identity[1]}-{rows}"

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._identity = None
