"""The GeoPackage's revision read through one kept connection still follows the file: every
commit (by this store object or another process), a file moved into place at the same path
(a restore: the old connection must not be read again), the file removed; and threads."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from store_dataset import dataset

from geo.store import open_store
from geo.store.gpkg_revision import MISSING


@pytest.fixture
def two_files(tmp_path):
    """Two GeoPackages with the dataset; the second written twice more (another counter)."""
    first, second = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    open_store(first).write_layers(dataset())
    shutil.copyfile(first, second)
    other = open_store(second)
    for value in (5, 6):
        with other.transaction() as tx:
            tx.update("grids", "g2", {"households": value})
    return first, second


def _counter(revision: str) -> int:
    return int(revision.rsplit("-", 1)[1])


def test_a_commit_in_another_process_is_seen(two_files):
    store = open_store(two_files[0])
    before = store.revision()
    code = ("import sys; from geo.store import open_store\n"
            "s = open_store(sys.argv[1])\n"
            "with s.transaction() as tx: tx.update('grids', 'g2', {'households': 9})\n")
    subprocess.run([sys.executable, "-c", code, str(two_files[0])], check=True)
    assert _counter(store.revision()) == _counter(before) + 1


def test_a_file_moved_into_place_is_read_not_the_old_one(two_files):
    first, second = two_files
    store = open_store(first)
    old = store.revision()
    replacement = first.with_name("incoming.gpkg")
    shutil.copyfile(second, replacement)
    os.replace(replacement, first)  # as a restore does
    new = store.revision()
    assert new != old and _counter(new) == _counter(open_store(second).revision())
    assert store.load("grids").set_index("id").loc["g2", "households"] == 6


def test_a_removed_file_is_missing_and_a_new_one_is_read(two_files):
    first, second = two_files
    store = open_store(first)
    assert store.revision() != MISSING
    first.unlink()
    assert store.revision() == MISSING
    shutil.copyfile(second, first)
    assert _counter(store.revision()) == _counter(open_store(second).revision())


def test_threads_reading_while_this_store_writes_see_only_counters_it_committed(two_files):
    store = open_store(two_files[0])
    start = _counter(store.revision())

    def read_many(_):
        return {_counter(store.revision()) for _ in range(300)}

    with ThreadPoolExecutor(4) as pool:
        readers = [pool.submit(read_many, i) for i in range(4)]
        for value in range(20):
            with store.transaction() as tx:
                tx.append("meta", pd.DataFrame([{"id": f"k{value}", "key": f"k{value}",
                                                 "value": "v"}]))
        seen = set().union(*(r.result() for r in readers))
    assert seen <= set(range(start, start + 21))
    assert _counter(store.revision()) == start + 20


def test_a_file_removed_and_written_again_between_two_reads_is_read_anew(two_files):
    """The new file may get the old one's inode number: its change time tells them apart."""
    first, second = two_files
    store = open_store(first)
    old = store.revision()
    first.unlink()
    shutil.copyfile(second, first)
    assert _counter(store.revision()) == _counter(open_store(second).revision()) != _counter(old)


def test_a_commit_by_another_store_object_of_this_process_is_seen_at_once(two_files):
    """The readers' snapshot (SNAPSHOT_SECONDS) never hides this process's own commits: a
    page's write shows in its next run, made by whichever store object."""
    reader, writer = open_store(two_files[0]), open_store(two_files[0])
    before = (reader.revision(), reader.layer_revision(("grids",)))
    with writer.transaction() as tx:
        tx.update("grids", "g2", {"households": 11})
    after = (reader.revision(), reader.layer_revision(("grids",)))
    assert after[0] != before[0] and after[1] != before[1]
    assert _counter(after[0]) == _counter(before[0]) + 1


def test_a_commit_no_store_object_saw_is_read_within_the_snapshot_time(two_files):
    """A commit this process's stores did not make (another process, here a bare SQLite
    connection) is read once the snapshot is older than SNAPSHOT_SECONDS."""
    import sqlite3
    import time
    from contextlib import closing

    from geo.store.gpkg_revision import SNAPSHOT_SECONDS

    store = open_store(two_files[0])
    before = store.revision()
    with closing(sqlite3.connect(two_files[0])) as conn, conn:
        conn.execute("UPDATE hongtu_state SET value = value + 1 WHERE key = 'revision'")
    time.sleep(SNAPSHOT_SECONDS + 0.05)
    assert _counter(store.revision()) == _counter(before) + 1


def test_current_revision_reads_past_the_snapshot(two_files):
    """What the layer route asks when a request names a revision this process has not read
    yet: read now, not from the snapshot."""
    import sqlite3
    from contextlib import closing

    store = open_store(two_files[0])
    before = store.revision()
    with closing(sqlite3.connect(two_files[0])) as conn, conn:
        conn.execute("UPDATE hongtu_state SET value = value + 1 WHERE key = 'revision'")
    assert _counter(store.current_revision()) == _counter(before) + 1
    assert store.revision() == store.current_revision()  # the fresh read is the snapshot now
