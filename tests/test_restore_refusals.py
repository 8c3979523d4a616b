"""hongtu restore from a bad backup folder changes nothing: a missing, foreign (another SQLite
file / another dump), truncated or tampered data file with its manifest untouched leaves the
live store byte-for-byte as it was (GeoPackage) or its content and accounts unchanged
(PostGIS), and says why in one line. The restored copy is checked before the swap."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from geo import auth
from geo.cli import main as cli
from geo.store import open_store
from geo.store.backup import GPKG_FILE, MANIFEST, PG_FILE

BAD_DATA = ("missing", "foreign", "truncated", "tampered", "tampered_unsigned")


def _file_bytes(path: Path) -> str:
    digest = hashlib.sha256()
    for part in (path, Path(f"{path}-wal")):
        if part.exists():
            digest.update(part.read_bytes())
    return digest.hexdigest()


def _spoil(folder: Path, data: str, how: str, foreign: Path) -> None:
    target = folder / data
    if how == "missing":
        target.unlink()
    elif how == "foreign":
        shutil.copyfile(foreign, target)
    elif how == "truncated":
        with open(target, "r+b") as out:
            out.truncate(target.stat().st_size // 3)
    elif how.startswith("tampered"):
        _tamper(target)
    if how == "tampered_unsigned" or how == "foreign":  # a manifest without size or SHA-256
        manifest = json.loads((folder / MANIFEST).read_text())  # (older backups): deep check
        manifest.pop("sha256", None)
        manifest.pop("bytes", None)
        (folder / MANIFEST).write_text(json.dumps(manifest))


def _tamper(target: Path) -> None:
    if target.name == GPKG_FILE:
        from geo.store import gpkg_sql

        with closing(gpkg_sql.connect(target)) as conn:  # the GeoPackage's SQL functions
            conn.execute("UPDATE members SET name = 'TAMPERED' WHERE fid = 1")
            conn.execute("UPDATE accounts SET role = 'org' WHERE name = 'viewer1'")


@pytest.fixture
def backed_up(writable_sample_store, tmp_path):
    store = writable_sample_store
    auth.add_user(store, "viewer1", "viewer", "viewer-pass-1", rounds=4)
    old_umask = os.umask(0o022)
    try:
        assert cli(["backup", "--out", str(tmp_path / "bk"), "--store", str(store.path)]) == 0
    finally:
        os.umask(old_umask)
    return store, tmp_path / "bk"


def test_a_backup_is_readable_by_its_owner_only_whatever_the_umask(backed_up):
    _store, folder = backed_up
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for file in folder.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file


@pytest.mark.parametrize("how", BAD_DATA)
def test_a_bad_geopackage_backup_leaves_the_live_store_unchanged(backed_up, tmp_path, how,
                                                                 capsys):
    store, folder = backed_up
    with store.transaction() as tx:  # the live store moved on after the backup
        tx.update("grids", store.load("grids")["id"].iloc[0], {"households": 7})
    foreign = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
        conn.commit()
    _spoil(folder, GPKG_FILE, how, foreign)
    before, checksum, revision = _file_bytes(store.path), store.checksum(), store.revision()
    assert cli(["restore", str(folder), "--store", str(store.path)]) == 1
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "nothing changed" in error, error
    assert "Traceback" not in error and "no such table" not in error
    assert _file_bytes(store.path) == before and store.checksum() == checksum
    assert store.revision() == revision
    assert auth.find_account(store, "viewer1")["role"] == "viewer"
    leftovers = [p.name for p in store.path.parent.iterdir() if ".restore-" in p.name
                 or p.name.endswith(".before-restore")]
    assert leftovers == []


def test_a_good_backup_still_restores_over_the_changed_store(backed_up):
    store, folder = backed_up
    grid = store.load("grids")["id"].iloc[0]
    households = int(store.load("grids", where={"id": grid}).iloc[0]["households"])
    with store.transaction() as tx:
        tx.update("grids", grid, {"households": households + 5})
    assert cli(["restore", str(folder), "--store", str(store.path)]) == 0
    assert int(store.load("grids", where={"id": grid}).iloc[0]["households"]) == households


@pytest.mark.postgis
@pytest.mark.parametrize("how", ["missing", "foreign", "truncated", "older", "older_unsigned"])
def test_a_bad_postgis_backup_leaves_the_live_database_unchanged(postgis_cluster, sample_store,
                                                                 tmp_path, how, capsys):
    url = postgis_cluster.new_database("hongtu_rs")
    store = open_store(url)
    try:
        store.write_layers({n: sample_store.load(n) for n in ("grids", "members", "accounts")})
        auth.add_user(store, "viewer1", "viewer", "viewer-pass-1", rounds=4)
        assert cli(["backup", "--out", str(tmp_path / "old"), "--store", url]) == 0
        auth.add_user(store, "viewer2", "viewer", "viewer-pass-2", rounds=4)
        assert cli(["backup", "--out", str(tmp_path / "bk"), "--store", url]) == 0
        folder = tmp_path / "bk"
        if how.startswith("older"):  # an older dump under a newer manifest
            shutil.copyfile(tmp_path / "old" / PG_FILE, folder / PG_FILE)
            how = "tampered_unsigned" if how == "older_unsigned" else "older"
        foreign = tmp_path / "foreign.dump"
        foreign.write_bytes(b"PGDMP" + os.urandom(4000))
        if how != "older":
            _spoil(folder, PG_FILE, how, foreign)
        checksum, accounts = store.checksum(), sorted(auth.load_accounts(store)["name"])
        assert accounts == ["viewer1", "viewer2"]
        assert cli(["restore", str(folder), "--store", url]) == 1
        error = capsys.readouterr().err.strip()
        assert len(error.splitlines()) == 1 and "nothing changed" in error, error
        assert store.checksum() == checksum
        assert sorted(auth.load_accounts(store)["name"]) == accounts
        assert cli(["restore", str(tmp_path / "old"), "--store", url]) == 0  # a good one does
        assert sorted(auth.load_accounts(store)["name"]) == ["viewer1"]
    finally:
        store.dispose()
        postgis_cluster.drop_database(url)
