"""The revision that last changed a layer (issue #27: a member moved must not empty every
cache of the grids, the compounds and the accounts): on both stores, a write changes the token
of the layers it wrote and of every set holding one of them, and no other; an audit row alone
changes none; a restore changes every one; a token never comes back."""

from __future__ import annotations

import shutil

import pytest
from store_dataset import dataset

from geo import audit
from geo.store import open_store
from geo.store.backup import backup, restore

LAYERS = ("members", "grids", "compounds", "streets", "accounts")


def tokens(store) -> dict:
    out = {name: store.layer_revision((name,)) for name in LAYERS}
    out["grids+members"] = store.layer_revision(("grids", "members"))
    out["grids+streets"] = store.layer_revision(("grids", "streets"))
    return out


def changed(before: dict, after: dict) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def move_member(store, grid: str) -> None:
    with store.transaction() as tx:
        tx.update("members", "m1", {"grid_id": grid})


def check_marks(store) -> None:
    store.write_layers(dataset())
    first = tokens(store)
    seen = set(first.values())
    assert first["members"] == first["grids"] == first["grids+members"]  # one write of both
    assert first["accounts"] != first["members"]  # never written

    revision = store.revision()
    move_member(store, "g2")
    after_move = tokens(store)
    assert store.revision() != revision
    assert changed(first, after_move) == {"members", "grids+members"}

    with store.transaction() as tx:  # an audit row alone: no new revision, no token changes
        audit.record(tx, "tester", "export", "members", "m1")
    assert tokens(store) == after_move

    with store.transaction() as tx:
        tx.update("grids", "g2", {"households": 77})
        tx.update("streets", "s1", {"name": "新名字"})
    after_grids = tokens(store)
    assert changed(after_move, after_grids) == {"grids", "streets", "grids+members",
                                                 "grids+streets"}

    move_member(store, "g1")  # back where it was: a new token, never an old one
    back = tokens(store)
    assert back["members"] not in seen | set(after_move.values()) | set(after_grids.values())
    assert store.load("members").set_index("id").loc["m1", "grid_id"] == "g1"


def test_gpkg_marks_the_layers_a_write_changed(tmp_path):
    check_marks(open_store(tmp_path / "marks.gpkg"))


def test_postgis_marks_the_layers_a_write_changed(postgis_store):
    check_marks(postgis_store)


def test_a_store_written_before_the_marks_keeps_its_layers_until_written(tmp_path):
    """A file whose state table has no marks yet (an older store): every layer has one token
    until a write marks what it wrote."""
    path = tmp_path / "old.gpkg"
    store = open_store(path)
    store.write_layers(dataset())
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DELETE FROM hongtu_state WHERE key LIKE 'layer:%'")
    old = tokens(store)
    assert len(set(old.values())) == 1
    move_member(store, "g3")
    assert changed(old, tokens(store)) == {"members", "grids+members"}


def test_gpkg_restore_changes_every_token(tmp_path):
    path = tmp_path / "live.gpkg"
    store = open_store(path)
    store.write_layers(dataset())
    backup(store, tmp_path / "backup")
    move_member(store, "g3")  # after the backup: the restore takes it back
    before = tokens(store)
    restore(store, tmp_path / "backup")
    after = tokens(store)
    assert changed(before, after) == set(before)
    assert store.load("members").set_index("id").loc["m1", "grid_id"] == "g1"


def test_a_copy_of_the_file_never_shares_a_token(tmp_path):
    """Tokens carry the file (its inode): a copy at another path is another cache key."""
    first = open_store(tmp_path / "a.gpkg")
    first.write_layers(dataset())
    shutil.copyfile(tmp_path / "a.gpkg", tmp_path / "b.gpkg")
    second = open_store(tmp_path / "b.gpkg")
    assert not set(tokens(first).values()) & set(tokens(second).values())


@pytest.mark.parametrize("names", [(), ("no_such_layer",)])
def test_no_layer_or_an_unknown_one_reads_as_never_changed(tmp_path, names):
    store = open_store(tmp_path / "a.gpkg")
    store.write_layers(dataset())
    assert store.layer_revision(names).endswith("-L0")


def test_a_member_moved_reads_the_members_again_and_nothing_else(tmp_path, monkeypatch):
    """The caches of components.data and the search index outlive a member's move; the
    members layer is read again at once."""
    from components import data, network_cache
    from geo.store import ENV_URL

    path = tmp_path / "cache.gpkg"
    open_store(path).write_layers(dataset())
    monkeypatch.setenv(ENV_URL, str(path))
    store = data.get_store()
    reads: list[str] = []
    load = store.load
    monkeypatch.setattr(store, "load", lambda name, where=None: reads.append(name) or
                        load(name, where))
    names = ("members", "grids", "compounds", "streets", "service_positions")
    first = {name: data._load_raw_layer(name) for name in names}
    index = network_cache.search_index()
    assert sorted(reads) == sorted(names)

    reads.clear()
    move_member(store, "g2")
    again = {name: data._load_raw_layer(name) for name in names}
    assert reads == ["members"]
    assert network_cache.search_index() is index
    assert first["members"].set_index("id").loc["m1", "grid_id"] == "g1"
    assert again["members"].set_index("id").loc["m1", "grid_id"] == "g2"


def test_a_database_from_before_the_marks_is_migrated_on_first_use(postgis_store):
    """Step 4 of geo.store.migrations on a database at step 3: applied when a server opens
    it, and the marks work from the next write."""
    from sqlalchemy import text

    from geo.store.postgis import PostGISStore

    postgis_store.write_layers(dataset())
    with postgis_store.engine.begin() as conn:
        conn.execute(text("ALTER TABLE hongtu.hongtu_layers DROP COLUMN revision"))
        conn.execute(text("DELETE FROM hongtu.hongtu_schema_version WHERE version = 4"))
    reopened = PostGISStore(postgis_store.url)
    try:
        before = tokens(reopened)
        move_member(reopened, "g2")
        assert changed(before, tokens(reopened)) == {"members", "grids+members"}
    finally:
        reopened.dispose()


def test_postgis_another_store_object_of_this_process_sees_a_commit_at_once(postgis_store):
    """The state read serves SNAPSHOT_SECONDS, never past a commit made in this process."""
    from geo.store.postgis import PostGISStore

    postgis_store.write_layers(dataset())
    writer = PostGISStore(postgis_store.url)
    try:
        before = tokens(postgis_store)
        move_member(writer, "g3")
        assert changed(before, tokens(postgis_store)) == {"members", "grids+members"}
    finally:
        writer.dispose()


def test_postgis_current_revision_reads_past_the_snapshot(postgis_store):
    from sqlalchemy import text

    postgis_store.write_layers(dataset())
    before = postgis_store.revision()
    with postgis_store.engine.begin() as conn:  # as another server's write would
        conn.execute(text("UPDATE hongtu.hongtu_state SET revision = revision + 1"))
    assert postgis_store.current_revision() != before
