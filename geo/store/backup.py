"""Backups of a whole store into a directory, and restores from one (``hongtu backup`` /
``hongtu restore``), for both backends.

* GeoPackage: SQLite's online backup API copies a consistent snapshot while the app keeps
  reading and writing (``DIR/hongtu.gpkg``).
* PostGIS: ``pg_dump --format=custom`` of the ``hongtu`` schema (``DIR/hongtu.dump``), taken
  in the snapshot the manifest's digests are computed in (:mod:`geo.store.backup_pg`).

Each backup writes ``DIR/manifest.json``: kind, time (UTC), the data file's size and SHA-256,
the row count and content digest of every layer (the accounts included). The folder is 0700,
its files 0600 (they hold every password hash and all personal data).

A restore never writes the live store before the backup is proven whole: the data file is
restored into a new file (GeoPackage) or a staging schema (PostGIS), checked against the
manifest (size, SHA-256, that it is a Hongtu store, every layer's rows and digest), and only
then swapped in: on a GeoPackage as one SQLite transaction under the writers' lock (readers see
the old or the restored state; a rename would leave the live file's write-ahead log to the new
file), with the previous store kept as ``<store>.before-restore`` until the swap has committed;
on PostGIS by renaming the schemas in one transaction. Anything wrong leaves the live store as
it was and raises :class:`StoreError` with one line saying why. After a restore the store's
revision is one no cache has seen, so every app server reloads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from geo import schema
from geo.private_files import FILE_MODE, private_dir, write_private_text
from geo.store.base import Store, StoreError, frame_digest

MANIFEST = "manifest.json"
GPKG_FILE = "hongtu.gpkg"
PG_FILE = "hongtu.dump"
DATA_FILES = {"gpkg": GPKG_FILE, "postgis": PG_FILE}
STAGED_INFIX = ".restore-"  # <stem>.restore-<pid>.gpkg: the restored copy being checked
PREVIOUS_SUFFIX = ".before-restore"
REQUIRED_TABLES = ("gpkg_contents", "gpkg_spatial_ref_sys", "hongtu_state")


def layer_digests(store: Store) -> dict[str, dict]:
    out = {}
    for name in store.layer_names():
        frame = store.load(name)
        out[name] = {"rows": len(frame), "digest": frame_digest(frame)}
    return out


def backup(store: Store, out_dir: str | Path) -> dict:
    out = private_dir(out_dir)
    if hasattr(store, "engine"):
        from geo.store.backup_pg import dump

        kind, file = "postgis", out / PG_FILE
        layers = dump(store, file)
    else:
        kind, file = "gpkg", out / GPKG_FILE
        file.unlink(missing_ok=True)
        if not store.path.exists():
            raise StoreError(f"{store.path}: 文件不存在 | file not found")
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        with closing(sqlite3.connect(store.path, timeout=60)) as src, \
                closing(sqlite3.connect(file)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        from geo.store import open_store

        layers = layer_digests(open_store(file))  # digests of what was copied
    os.chmod(file, FILE_MODE)
    manifest = {
        "kind": kind, "file": file.name, "created_utc": _now(), "bytes": file.stat().st_size,
        "sha256": file_sha256(file), "layers": layers,
    }
    write_private_text(out / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def restore(store: Store, in_dir: str | Path) -> dict:
    """Replace the store's content by the backup in ``in_dir``; returns the manifest. Raises
    StoreError (one line, Chinese | English) and leaves the live store unchanged if the backup
    does not fit the store or is not exactly what its manifest describes."""
    folder = Path(in_dir)
    manifest = read_manifest(folder)
    kind = "postgis" if hasattr(store, "engine") else "gpkg"
    if manifest["kind"] != kind:
        raise StoreError(f"备份是 {manifest['kind']},目标库是 {kind} | the backup is "
                         f"{manifest['kind']}, the store is {kind}: use hongtu import/export")
    file = checked_data_file(folder, manifest)
    if kind == "postgis":
        from geo.store.backup_pg import restore_postgis

        restore_postgis(store, file, manifest)
    else:
        _restore_gpkg(store, file, manifest)
    return manifest


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise StoreError(f"{folder}: 不是备份目录(缺少 {MANIFEST}) | not a backup folder "
                         f"(no {MANIFEST})") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: 清单无法读取 | the manifest cannot be read") from exc
    if (not isinstance(manifest, dict) or manifest.get("kind") not in DATA_FILES
            or not isinstance(manifest.get("layers"), dict)):
        raise StoreError(f"{path}: 清单内容不完整 | the manifest is incomplete")
    return manifest


def checked_data_file(folder: Path, manifest: dict) -> Path:
    """The backup's data file (always the kind's own name: a manifest cannot point outside),
    present and of the size and SHA-256 the manifest records."""
    file = folder / DATA_FILES[manifest["kind"]]
    if not file.is_file():
        raise StoreError(f"{file}: 备份缺少数据文件,未做任何更改 | the backup's data file is "
                         "missing; nothing changed")
    size = file.stat().st_size
    if "bytes" in manifest and size != manifest["bytes"]:
        raise StoreError(f"{file}: 数据文件大小 {size} 与清单 {manifest['bytes']} 不符(截断或被替换),"
                         f"未做任何更改 | the data file has {size} bytes, the manifest says "
                         f"{manifest['bytes']} (truncated or replaced); nothing changed")
    if manifest.get("sha256") and file_sha256(file) != manifest["sha256"]:
        raise StoreError(f"{file}: 数据文件校验和与清单不符(被改动或被替换),未做任何更改 | the "
                         "data file's SHA-256 differs from the manifest (changed or replaced); "
                         "nothing changed")
    return file


def compare_layers(restored: dict, manifest: dict, where: str) -> None:
    expected = manifest["layers"]
    differ = sorted(n for n in {*restored, *expected} if restored.get(n) != expected.get(n))
    if differ:
        raise StoreError(f"{where}: 备份内容与清单不符,未做任何更改(图层 {', '.join(differ)}) | "
                         f"the backup's content differs from its manifest in {', '.join(differ)}"
                         "; nothing changed")


def _restore_gpkg(store, file: Path, manifest: dict) -> None:
    from geo.store import gpkg_compat, gpkg_sql
    from geo.store.gpkg import GeoPackageStore, use_wal, writer_lock
    from geo.store.gpkg_revision import note_commit

    store.path.parent.mkdir(parents=True, exist_ok=True)
    staged = store.path.with_name(f"{store.path.stem}{STAGED_INFIX}{os.getpid()}.gpkg")
    previous = store.path.with_name(store.path.name + PREVIOUS_SUFFIX)
    try:
        _copy_sqlite(file, staged)
        compare_layers(_staged_digests(GeoPackageStore, staged, file), manifest, str(file))
        with writer_lock(store.path):
            live_counter = 0
            if store.path.exists():
                with closing(sqlite3.connect(store.path, timeout=60)) as live:
                    live_counter = gpkg_sql.read_revision(live)
            with closing(gpkg_sql.connect(staged)) as conn:
                conn.execute("BEGIN IMMEDIATE")
                restored_counter = gpkg_sql.read_revision(conn)
                gpkg_sql.bump_revision(conn)
                if gpkg_compat.needs_upgrade(conn):  # a backup of an older store: 1.3 again
                    gpkg_compat.upgrade(conn)
                conn.execute(f"UPDATE {gpkg_sql.STATE_TABLE} SET value = ? WHERE key = "
                             "'revision'", (max(live_counter, restored_counter) + 1,))
                gpkg_sql.mark_layers(conn, schema.LAYERS)  # every layer: one no cache has seen
                conn.execute("COMMIT")  # a revision no cache has seen
            if not store.path.exists():
                use_wal(staged)
                os.replace(staged, store.path)
                note_commit(store.path)
                return
            _copy_sqlite(store.path, previous)  # kept until the swap has committed
            with closing(sqlite3.connect(staged)) as src, \
                    closing(sqlite3.connect(store.path, timeout=60)) as dst:
                dst.execute("PRAGMA synchronous=FULL")
                src.backup(dst)  # one transaction on the live file
            note_commit(store.path)
            previous.unlink()
    except sqlite3.Error as exc:
        raise StoreError(f"{file}: 恢复未完成,未做任何更改 | the restore did not complete; "
                         f"nothing changed ({type(exc).__name__})") from exc
    finally:
        for path in (staged, *(Path(str(staged) + s) for s in ("-wal", "-shm", "-journal"))):
            path.unlink(missing_ok=True)


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of SQLite file ``source`` into a new 0600 file ``target``."""
    target.unlink(missing_ok=True)
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=60)) as src, \
            closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")


def _staged_digests(store_class, staged: Path, file: Path) -> dict:
    """The restored copy checked as a Hongtu GeoPackage, then its layers' digests."""
    not_a_store = StoreError(f"{file}: 不是红图的 GeoPackage 数据文件,未做任何更改 | not a Hongtu "
                             "GeoPackage data file; nothing changed")
    try:
        with closing(sqlite3.connect(staged)) as conn:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise StoreError(f"{file}: 数据文件已损坏,未做任何更改 | the data file is "
                                 "damaged; nothing changed")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise not_a_store from exc
    if not set(REQUIRED_TABLES) <= tables:
        raise not_a_store
    try:
        return layer_digests(store_class(staged))
    except StoreError:
        raise
    except Exception as exc:  # GDAL/SQLite on a damaged file: one clear line
        raise not_a_store from exc


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def libpq_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def run_tool(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise StoreError(f"{cmd[0]}: 未安装 PostgreSQL 客户端 | PostgreSQL client tools missing "
                         "(Debian: postgresql-client)") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1][:300]
        raise StoreError(f"{cmd[0]} 失败,未做任何更改 | {cmd[0]} failed, nothing changed: {last}")
    return done.stdout


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
