"""PostGIS backups and restores (see :mod:`geo.store.backup`).

* Backup: ``pg_dump --format=custom --schema=hongtu`` run in a snapshot exported by a
  REPEATABLE READ transaction, and the manifest's digests computed in that same transaction:
  the manifest describes exactly what the dump holds, while the app keeps writing.
* Restore: the dump is turned into SQL (``pg_restore --file``) and run by ``psql`` in one
  transaction that moves the live schema aside, creates the backup's ``hongtu``, renames it
  ``hongtu_restore`` and puts the live schema back: the live data is never changed. Then one
  more transaction swaps the schemas (live -> ``hongtu_previous``, staging -> ``hongtu``),
  checks every layer against the manifest inside that transaction, gives the store a new epoch
  and drops the previous schema; any difference rolls it all back.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from geo import schema
from geo.private_files import private_dir
from geo.store.backup import compare_layers, libpq_url, run_tool
from geo.store.base import StoreError, frame_digest
from geo.store.gpkg_revision import note_commit

LIVE = "hongtu"
STAGING = "hongtu_restore"
PREVIOUS = "hongtu_previous"
ASIDE = "hongtu_live_aside"


def _schema_exists(conn, name: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :n"),
                        {"n": name}).first() is not None


def _digests(conn) -> dict[str, dict]:
    from geo.store.migrations import LAYERS_TABLE
    from geo.store.postgis import _read

    names = sorted(n for n in conn.execute(text(f"SELECT name FROM {LAYERS_TABLE}")).scalars()
                   if n in schema.LAYERS)
    out = {}
    for name in names:
        frame = _read(conn, name)
        out[name] = {"rows": len(frame), "digest": frame_digest(frame)}
    return out


def dump(store, file: Path) -> dict[str, dict]:
    """Dump the store into ``file``; the layers' digests of the very snapshot dumped."""
    store._ready()
    with store.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
            conn.begin():
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        run_tool(["pg_dump", "--format=custom", f"--schema={LIVE}", "--no-owner",
                  f"--snapshot={snapshot}", "--file", str(file), libpq_url(store.url)])
        return _digests(conn)


def restore_postgis(store, file: Path, manifest: dict) -> None:
    url = libpq_url(store.url)
    with tempfile.TemporaryDirectory() as tmp:
        work = private_dir(Path(tmp) / "restore")
        sql = work / "backup.sql"
        run_tool(["pg_restore", "--no-owner", "--no-privileges", "--file", str(sql), str(file)])
        script = work / "stage.sql"
        script.write_text(
            f"DROP SCHEMA IF EXISTS {STAGING} CASCADE;\n"
            f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{LIVE}') "
            f"THEN ALTER SCHEMA {LIVE} RENAME TO {ASIDE}; END IF; END $$;\n"
            f"\\i {sql}\n"
            f"ALTER SCHEMA {LIVE} RENAME TO {STAGING};\n"
            f"DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{ASIDE}') "
            f"THEN ALTER SCHEMA {ASIDE} RENAME TO {LIVE}; END IF; END $$;\n", encoding="utf-8")
        run_tool(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                  "-f", str(script), url])
    store.dispose()
    try:
        with store.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PREVIOUS} CASCADE"))
            if _schema_exists(conn, LIVE):
                conn.execute(text(f"ALTER SCHEMA {LIVE} RENAME TO {PREVIOUS}"))
            conn.execute(text(f"ALTER SCHEMA {STAGING} RENAME TO {LIVE}"))
            compare_layers(_digests(conn), manifest, str(file))  # raises: all rolled back
            from geo.store.migrations import STATE_TABLE

            conn.execute(text(f"UPDATE {STATE_TABLE} SET epoch = md5(random()::text || "
                              "clock_timestamp()::text), revision = revision + 1"))
            conn.execute(text(f"DROP SCHEMA IF EXISTS {PREVIOUS} CASCADE"))
    except DBAPIError as exc:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
        raise StoreError(f"{file}: 备份与本版本的表结构不符,未做任何更改 | the backup's tables do "
                         f"not fit this version; nothing changed ({reason})") from exc
    finally:
        with store.engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {STAGING} CASCADE"))
        store._schema_checked = False
        note_commit(store.url)  # a new epoch: every reader in this process reads it at once
