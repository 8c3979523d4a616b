"""The GeoPackage store's revision, read through connections kept open.

A page reads the revision some twenty times a run (every cached read is keyed on it). Opening
a connection for each read cost about 1 ms (SQLite parses the file's schema, R-tree triggers
and all, on a connection's first statement): a tenth of the server's CPU under load. A
read-only connection kept open reads the counter in microseconds; each read is its own read
transaction (autocommit, the statement run to its end), so it sees every commit. Connections
are kept for the next reads (as many as read at once) and opened again when the path names
another file (a restore or a first write moves a new file into place: another inode, or a
change time the open file cannot have had) or none."""

from __future__ import annotations

import os
import queue
import sqlite3
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
    """Idle connections in a queue: a read takes one (or opens one), reads, puts it back. No
    Python lock is held while SQLite runs: under load a lock around the read became a convoy
    (its holder waiting for the GIL while every other script thread waited for the lock)."""

    def __init__(self, path: Path):
        self.path = path
        self._idle: queue.SimpleQueue = queue.SimpleQueue()  # (file identity, connection)

    def read(self, layers: tuple[str, ...] | None = None) -> str:
        """``"<inode>-<counter>"``, or ``"missing"`` while there is no file. With ``layers``,
        the counter of the write that last changed any of them: ``"<inode>-L<counter>"``."""
        identity = _identity(self.path)
        if identity is None:
            self.close()
            return MISSING
        try:
            held, conn = self._idle.get_nowait()
        except queue.Empty:
            held, conn = None, None
        if conn is not None and held != identity:  # opened on a file no longer at the path:
            conn.close()  # so are the other idle ones (a restore's old file is let go at once)
            self.close()
            conn = None
        if conn is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None,
                                   check_same_thread=False)
        try:
            counter = (sql.read_revision(conn) if layers is None
                       else f"L{sql.read_layer_revision(conn, layers)}")
        except BaseException:
            conn.close()
            raise
        self._idle.put((identity, conn))
        return f"{identity[1]}-{counter}"

    def close(self) -> None:
        while True:
            try:
                _, conn = self._idle.get_nowait()
            except queue.Empty:
                return
            conn.close()
