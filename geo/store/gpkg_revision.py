"""The GeoPackage store's revision, read through connections kept open.

A page reads the revision some twenty times a run (every cached read is keyed on it). Opening
a connection for each read cost about 1 ms (SQLite parses the file's schema, R-tree triggers
and all, on a connection's first statement): a tenth of the server's CPU under load. A
read-only connection kept open reads the counter in microseconds; each read is its own read
transaction (autocommit, the statement run to its end), so it sees every commit. Connections
are kept for the next reads (as many as read at once) and opened again when the path names
another file (a restore or a first write moves a new file into place: another inode, or a
change time the open file cannot have had) or none.

Under load a read was still one release of the interpreter lock per call (SQLite runs without
it) and some fifty calls a run: each thread then queued to take the lock back behind every
other (issue #27). One read of the state table (the counter and every layer's mark) now serves
the calls that follow for :data:`SNAPSHOT_SECONDS`, unless a commit in this process (any
store object on the file) or another file at the path ends it first; another process's commit
is seen within that time."""

from __future__ import annotations

import os
import queue
import sqlite3
import threading
import time
from pathlib import Path

from geo.store import gpkg_sql as sql

MISSING = "missing"
SNAPSHOT_SECONDS = 0.25  # another process's commit is seen within this time
_commits: dict[str, int] = {}  # store -> commits made in this process (shared by every
_commits_lock = threading.Lock()  # session: a fact about the store, never about a user)


def _store_key(target) -> str:
    """A file's resolved path, or a database URL as it is."""
    return str(target) if "://" in str(target) else str(Path(target).resolve())


def note_commit(target) -> None:
    """A commit to the store at ``target`` (a file or a database URL) in this process: every
    reader of it reads afresh."""
    key = _store_key(target)
    with _commits_lock:
        _commits[key] = _commits.get(key, 0) + 1


def commits_to(target) -> int:
    return _commits.get(_store_key(target), 0)


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
        self._key = _store_key(path)
        self._idle: queue.SimpleQueue = queue.SimpleQueue()  # (file identity, connection)
        self._snapshot: tuple | None = None  # (identity, commits, read at, state rows)

    def read(self, layers: tuple[str, ...] | None = None, fresh: bool = False) -> str:
        """``"<inode>-<counter>"``, or ``"missing"`` while there is no file. With ``layers``,
        the counter of the write that last changed any of them: ``"<inode>-L<counter>"``."""
        identity = _identity(self.path)
        if identity is None:
            self.close()
            return MISSING
        commits = _commits.get(self._key, 0)
        snapshot = self._snapshot
        if (fresh or snapshot is None or snapshot[:2] != (identity, commits)
                or time.monotonic() - snapshot[2] > SNAPSHOT_SECONDS):
            snapshot = (identity, commits, time.monotonic(), self._read_state(identity))
            self._snapshot = snapshot
        rows = snapshot[3]
        if layers is None:
            return f"{identity[1]}-{rows.get(sql.REVISION_KEY, 0)}"
        marks = (rows.get(sql.LAYER_KEY + name, 0) for name in layers)
        return f"{identity[1]}-L{max(marks, default=0)}"

    def _read_state(self, identity) -> dict[str, int]:
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
            rows = sql.read_state(conn)
        except BaseException:
            conn.close()
            raise
        self._idle.put((identity, conn))
        return rows

    def close(self) -> None:
        while True:
            try:
                _, conn = self._idle.get_nowait()
            except queue.Empty:
                return
            conn.close()
