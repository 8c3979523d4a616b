"""Sign-in attempts and sign-in audit rows, kept apart from the layers.

A wrong password must be counted atomically (40 parallel attempts lock an account at 10, as 10
sequential ones do) and must not write a layer: on the GeoPackage every layer write copies the
whole file and changes the revision, which empties every cache and the map's layer folders.
So each store keeps two small tables of its own, outside its revision:

* GeoPackage: a SQLite file beside it (``<store>.gpkg.signin.sqlite``, WAL journal), every
  change under ``BEGIN IMMEDIATE`` (one writer at a time, across threads and processes);
* PostGIS: ``hongtu.hongtu_sign_in_attempts`` and ``hongtu.hongtu_sign_in_events``
  (migration step 3), the attempt row locked with ``SELECT ... FOR UPDATE``.

The events table holds the audit rows of sign-ins (``sign_in`` ok/refused, ``account_locked``)
in the audit layer's columns; :func:`geo.audit.load_audit` shows them with the others.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, text

from geo.store.base import coerce

AUDIT = "audit"
EVENT_COLUMNS = ("id", "at", "account", "action", "object_layer", "object_id", "before",
                 "after", "reason", "outcome")
PG_ATTEMPTS = "hongtu.hongtu_sign_in_attempts"
PG_EVENTS = "hongtu.hongtu_sign_in_events"
BUSY_TIMEOUT_S = 60.0


def next_failure(failed: int, locked_until, now, max_attempts: int, lock_minutes: float):
    """(failed, locked_until, newly_locked) after one more wrong password at ``now``.

    An expired lock starts the count afresh; the failure that reaches ``max_attempts`` locks
    the account for ``lock_minutes``; failures while locked are counted, the lock stays."""
    now = pd.Timestamp(now)
    if locked_until is not None and pd.Timestamp(locked_until) <= now:
        failed, locked_until = 0, None
    failed += 1
    newly = locked_until is None and failed >= max_attempts
    if newly:
        locked_until = now + pd.Timedelta(minutes=lock_minutes)
    return failed, None if locked_until is None else pd.Timestamp(locked_until), newly


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt counted before its password is checked: its number in the count,
    the lock its count set (or None), whether it set that lock, and ``refused_until`` when the
    account was already locked (the password is then not checked at all)."""

    number: int
    locked_until: pd.Timestamp | None
    newly_locked: bool
    refused_until: pd.Timestamp | None = None


def next_attempt(failed: int, locked_until, now, max_attempts: int, lock_minutes: float):
    """The :class:`Attempt` that follows the stored count (failed, locked_until) at ``now``."""
    now = pd.Timestamp(now)
    if locked_until is not None and now < pd.Timestamp(locked_until):
        return Attempt(failed, pd.Timestamp(locked_until), False, pd.Timestamp(locked_until))
    number, until, newly = next_failure(failed, locked_until, now, max_attempts, lock_minutes)
    return Attempt(number, until, newly)


def after_success(failed: int, locked_until, attempt: Attempt, now):
    """(lock that refuses the sign-in or None, failures still counted) when ``attempt``'s
    password was right. A lock set by another attempt of the same burst refuses it; a success
    forgets only the attempts counted up to it, never those of a burst still running."""
    if locked_until is not None and pd.Timestamp(now) < pd.Timestamp(locked_until) and not (
            attempt.newly_locked and pd.Timestamp(locked_until) == attempt.locked_until):
        return pd.Timestamp(locked_until), failed
    return None, max(0, failed - attempt.number)


def _timestamp(value):
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


def _iso(value) -> str | None:
    return None if value is None else pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%S")


def events_frame(rows: list) -> pd.DataFrame:
    """Event rows (tuples in EVENT_COLUMNS order) as an audit-layer frame."""
    return coerce(AUDIT, pd.DataFrame.from_records(rows, columns=list(EVENT_COLUMNS)))


def _event_values(row: dict) -> list:
    values = [row.get(c) for c in EVENT_COLUMNS]
    values[1] = _iso(values[1])
    return values


class SqliteSignIns:
    """The GeoPackage store's sign-in tables, in a SQLite file of their own."""

    def __init__(self, store_path: Path):
        self.path = Path(str(store_path) + ".signin.sqlite")

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS attempts (name TEXT PRIMARY KEY, "
                     "failed INTEGER NOT NULL DEFAULT 0, locked_until TEXT)")
        columns = ", ".join(f'"{c}" TEXT' for c in EVENT_COLUMNS)
        conn.execute(f"CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, {columns})")
        return conn

    @staticmethod
    def _read(conn: sqlite3.Connection, name: str):
        """(failed, locked_until) of ``name``."""
        row = conn.execute("SELECT failed, locked_until FROM attempts WHERE name = ?",
                           (name,)).fetchone()
        return (0, None) if row is None else (int(row[0]), _timestamp(row[1]))

    @staticmethod
    def _write(conn: sqlite3.Connection, name: str, failed: int, locked) -> None:
        conn.execute("INSERT INTO attempts (name, failed, locked_until) VALUES (?, ?, ?) "
                     "ON CONFLICT(name) DO UPDATE SET failed = excluded.failed, "
                     "locked_until = excluded.locked_until", (name, failed, _iso(locked)))

    @contextmanager
    def _immediate(self):
        """A connection inside one write transaction (BEGIN IMMEDIATE), committed at the end."""
        with closing(self._connect()) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def state(self, name: str):
        if not self.path.exists():
            return 0, None
        with closing(self._connect()) as conn:
            return self._read(conn, name)

    def record_failure(self, name: str, now, max_attempts: int, lock_minutes: float):
        with self._immediate() as conn:
            failed, locked, newly = next_failure(*self._read(conn, name), now, max_attempts,
                                                 lock_minutes)
            self._write(conn, name, failed, locked)
        return failed, locked, newly

    def reset(self, name: str) -> None:
        if not self.path.exists():
            return
        with closing(self._connect()) as conn:
            conn.execute("DELETE FROM attempts WHERE name = ?", (name,))

    def begin_attempt(self, name: str, now, max_attempts: int, lock_minutes: float):
        """Count one sign-in attempt before its password is checked (one transaction with the
        check of the count): ``Attempt``; ``refused_until`` is set when the account is locked."""
        with self._immediate() as conn:
            attempt = next_attempt(*self._read(conn, name), now, max_attempts, lock_minutes)
            if attempt.refused_until is None:
                self._write(conn, name, attempt.number, attempt.locked_until)
        return attempt

    def finish_success(self, name: str, attempt, now):
        """The password of ``attempt`` was right: None (the attempts up to it are forgotten),
        or the lock another attempt set meanwhile (the sign-in is then refused)."""
        with self._immediate() as conn:
            lock, failed = after_success(*self._read(conn, name), attempt, now)
            if lock is None:
                conn.execute("UPDATE attempts SET failed = ?, locked_until = NULL "
                             "WHERE name = ?", (failed, name))
                conn.execute("DELETE FROM attempts WHERE name = ? AND failed <= 0", (name,))
        return lock

    def record_event(self, row: dict) -> None:
        marks = ", ".join("?" * len(EVENT_COLUMNS))
        names = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
        with closing(self._connect()) as conn:
            conn.execute(f"INSERT INTO events ({names}) VALUES ({marks})", _event_values(row))

    def events(self) -> pd.DataFrame:
        if not self.path.exists():
            return events_frame([])
        names = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
        with closing(self._connect()) as conn:
            return events_frame(conn.execute(f"SELECT {names} FROM events ORDER BY seq").fetchall())


def pg_create_tables(conn) -> None:
    """Migration step 3 of the PostGIS store."""
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {PG_ATTEMPTS} (name text PRIMARY KEY, "
                      "failed integer NOT NULL DEFAULT 0, locked_until timestamp)"))
    columns = ", ".join(f'"{c}" {"timestamp" if c == "at" else "text"}' for c in EVENT_COLUMNS)
    conn.execute(text(f"CREATE TABLE IF NOT EXISTS {PG_EVENTS} (seq bigserial PRIMARY KEY, "
                      f"{columns})"))


class PostgresSignIns:
    """The PostGIS store's sign-in tables; writes never touch the revision counter."""

    def __init__(self, engine: Engine, ready):
        self.engine, self._ready = engine, ready

    def state(self, name: str):
        self._ready()
        with self.engine.connect() as conn:
            row = conn.execute(text(f"SELECT failed, locked_until FROM {PG_ATTEMPTS} "
                                    "WHERE name = :n"), {"n": name}).first()
        return (0, None) if row is None else (int(row[0]), _timestamp(row[1]))

    def record_failure(self, name: str, now, max_attempts: int, lock_minutes: float):
        self._ready()
        with self.engine.begin() as conn:
            conn.execute(text(f"INSERT INTO {PG_ATTEMPTS} (name) VALUES (:n) "
                              "ON CONFLICT (name) DO NOTHING"), {"n": name})
            failed, locked = conn.execute(text(
                f"SELECT failed, locked_until FROM {PG_ATTEMPTS} WHERE name = :n FOR UPDATE"),
                {"n": name}).one()
            failed, locked, newly = next_failure(int(failed), _timestamp(locked), now,
                                                 max_attempts, lock_minutes)
            conn.execute(text(f"UPDATE {PG_ATTEMPTS} SET failed = :f, locked_until = :l "
                              "WHERE name = :n"),
                         {"f": failed, "l": None if locked is None else locked.to_pydatetime(),
                          "n": name})
        return failed, locked, newly

    def reset(self, name: str) -> None:
        self._ready()
        with self.engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {PG_ATTEMPTS} WHERE name = :n"), {"n": name})

    def _locked_row(self, conn, name: str):
        conn.execute(text(f"INSERT INTO {PG_ATTEMPTS} (name) VALUES (:n) "
                          "ON CONFLICT (name) DO NOTHING"), {"n": name})
        failed, locked = conn.execute(text(
            f"SELECT failed, locked_until FROM {PG_ATTEMPTS} WHERE name = :n FOR UPDATE"),
            {"n": name}).one()
        return int(failed), _timestamp(locked)

    def _write(self, conn, name: str, failed: int, locked) -> None:
        conn.execute(text(f"UPDATE {PG_ATTEMPTS} SET failed = :f, locked_until = :l "
                          "WHERE name = :n"),
                     {"f": failed, "l": None if locked is None else locked.to_pydatetime(),
                      "n": name})

    def begin_attempt(self, name: str, now, max_attempts: int, lock_minutes: float):
        """As :meth:`SqliteSignIns.begin_attempt`: the row locked FOR UPDATE, one transaction."""
        self._ready()
        with self.engine.begin() as conn:
            attempt = next_attempt(*self._locked_row(conn, name), now, max_attempts,
                                   lock_minutes)
            if attempt.refused_until is None:
                self._write(conn, name, attempt.number, attempt.locked_until)
        return attempt

    def finish_success(self, name: str, attempt, now):
        self._ready()
        with self.engine.begin() as conn:
            lock, failed = after_success(*self._locked_row(conn, name), attempt, now)
            if lock is None:
                self._write(conn, name, failed, None)
                conn.execute(text(f"DELETE FROM {PG_ATTEMPTS} WHERE name = :n AND failed <= 0"),
                             {"n": name})
        return lock

    def record_event(self, row: dict) -> None:
        self._ready()
        values = dict(zip(EVENT_COLUMNS, _event_values(row), strict=True))
        values["at"] = pd.Timestamp(row["at"]).to_pydatetime()
        names = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
        marks = ", ".join(f":{c}" for c in EVENT_COLUMNS)
        with self.engine.begin() as conn:
            conn.execute(text(f"INSERT INTO {PG_EVENTS} ({names}) VALUES ({marks})"), values)

    def events(self) -> pd.DataFrame:
        self._ready()
        names = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT {names} FROM {PG_EVENTS} ORDER BY seq")).all()
        return events_frame([tuple(r) for r in rows])
