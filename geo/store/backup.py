"""Backups of a whole store into a directory, and restores from one (``hongtu backup`` /
``hongtu restore``), for both backends.

* GeoPackage: SQLite's online backup API copies a consistent snapshot while the app keeps
  reading and writing (``DIR/hongtu.gpkg``). A restore writes the copy back into the store file
  as one SQLite transaction (readers see the old or the restored state), under the writers'
  lock; an app server keeps running and sees the restored data at its next page run.
* PostGIS: ``pg_dump --format=custom`` of the ``hongtu`` schema (``DIR/hongtu.dump``);
  a restore runs ``pg_restore --clean --if-exists --single-transaction`` (the database needs the
  PostGIS extension, as for ``hongtu migrate``).

Each backup writes ``DIR/manifest.json``: kind, time (UTC), the row count and content digest of
every layer; a restore checks the restored store against it. After a restore the store's
revision is one no cache has seen, so every app server reloads.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from geo.store.base import Store, StoreError, frame_digest

MANIFEST = "manifest.json"
GPKG_FILE = "hongtu.gpkg"
PG_FILE = "hongtu.dump"


def layer_digests(store: Store) -> dict[str, dict]:
    out = {}
    for name in store.layer_names():
        frame = store.load(name)
        out[name] = {"rows": len(frame), "digest": frame_digest(frame)}
    return out


def backup(store: Store, out_dir: str | Path) -> dict:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if hasattr(store, "engine"):
        kind, file = "postgis", out / PG_FILE
        _run(["pg_dump", "--format=custom", "--schema=hongtu", "--no-owner", "--file", str(file),
              _libpq_url(store.url)])
        copy_store = store
    else:
        kind, file = "gpkg", out / GPKG_FILE
        file.unlink(missing_ok=True)
        if not store.path.exists():
            raise StoreError(f"{store.path}: 文件不存在 | file not found")
        with closing(sqlite3.connect(store.path, timeout=60)) as src, \
                closing(sqlite3.connect(file)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        from geo.store import open_store

        copy_store = open_store(file)  # digests of what was copied, not of the live store
    manifest = {
        "kind": kind, "file": file.name, "created_utc": _now(), "bytes": file.stat().st_size,
        "layers": layer_digests(copy_store),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def restore(store: Store, in_dir: str | Path) -> dict:
    """Replace the store's content by the backup in ``in_dir``; returns the manifest. Raises
    StoreError if the backup does not fit the store or the restored layers differ from it."""
    folder = Path(in_dir)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise StoreError(f"{folder}: 不是备份目录(缺少 {MANIFEST}) | not a backup folder") from exc
    kind = "postgis" if hasattr(store, "engine") else "gpkg"
    if manifest["kind"] != kind:
        raise StoreError(f"备份是 {manifest['kind']},目标库是 {kind} | the backup is "
                         f"{manifest['kind']}, the store is {kind}: use hongtu import/export")
    if kind == "postgis":
        _restore_postgis(store, folder / manifest["file"])
    else:
        _restore_gpkg(store, folder / manifest["file"])
    restored = layer_digests(store)
    if restored != manifest["layers"]:
        differ = sorted(n for n in {*restored, *manifest["layers"]}
                        if restored.get(n) != manifest["layers"].get(n))
        raise StoreError(f"恢复后图层与备份不一致 | restored layers differ from the backup: {differ}")
    return manifest


def _restore_gpkg(store, file: Path) -> None:
    from geo.store import gpkg_sql
    from geo.store.gpkg import use_wal, writer_lock

    store.path.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(store.path):
        if not store.path.exists():
            shutil.copyfile(file, store.path)
            use_wal(store.path)
            live_counter = 0
        else:
            with closing(sqlite3.connect(store.path, timeout=60)) as live:
                live_counter = gpkg_sql.read_revision(live)
            with closing(sqlite3.connect(file)) as src, \
                    closing(sqlite3.connect(store.path, timeout=60)) as dst:
                dst.execute("PRAGMA synchronous=FULL")
                src.backup(dst)
        with closing(gpkg_sql.connect(store.path)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            restored_counter = gpkg_sql.read_revision(conn)
            gpkg_sql.bump_revision(conn)
            conn.execute(f"UPDATE {gpkg_sql.STATE_TABLE} SET value = ? WHERE key = 'revision'",
                         (max(live_counter, restored_counter) + 1,))  # a revision never seen
            conn.execute("COMMIT")


def _restore_postgis(store, file: Path) -> None:
    from sqlalchemy import text

    from geo.store.migrations import STATE_TABLE

    store.dispose()
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", "--dbname", _libpq_url(store.url), str(file)])
    with store.engine.begin() as conn:  # a new epoch: no cached revision matches
        conn.execute(text(f"UPDATE {STATE_TABLE} SET epoch = md5(random()::text || "
                          "clock_timestamp()::text), revision = revision + 1"))
    store._schema_checked = False


def _libpq_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def _run(cmd: list[str]) -> None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise StoreError(f"{cmd[0]}: 未安装 PostgreSQL 客户端 | PostgreSQL client tools missing "
                         "(Debian: postgresql-client)") from exc
    if done.returncode != 0:
        raise StoreError(f"{cmd[0]} 失败 | failed: {done.stderr.strip()[-2000:]}")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
