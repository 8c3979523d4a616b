"""Caches keyed on a revision keep the latest revisions of each key, and drop the older ones
(components.revision_cache): memory holds what is read, and nothing is ever served from a
revision it was not made at."""

from __future__ import annotations

import gc
import weakref

import pandas as pd
import streamlit as st

from components.revision_cache import RecentRevisions, cached_by_revision, latest_revisions


def test_recent_revisions_keep_the_last_new_ones_per_key():
    recent = RecentRevisions(2)
    assert recent.seen(("a",), "r1", ("a", "r1")) == []
    assert recent.seen(("a",), "r2", ("a", "r2")) == []
    assert recent.seen(("b",), "r1", ("b", "r1")) == []  # another key: its own two
    # a run still at r1 asks again: r1 keeps its place (a late run never pushes out newer)
    assert recent.seen(("a",), "r1", ("a", "r1")) == []
    assert recent.seen(("a",), "r3", ("a", "r3")) == [("a", "r1")]
    assert recent.seen(("a",), "r4", ("a", "r4")) == [("a", "r2")]
    assert recent.keys() == 2


def test_only_the_keys_asked_most_recently_are_followed():
    recent = RecentRevisions(1, max_keys=2)
    for key in ("a", "b", "c"):
        recent.seen((key,), "r1", (key, "r1"))
    assert recent.keys() == 2
    assert recent.seen(("a",), "r2", ("a", "r2")) == []  # "a" no longer followed: nothing to drop
    assert recent.seen(("c",), "r2", ("c", "r2")) == [("c", "r1")]


def counted():
    """A cached function of (url, revision, name, _frame) counting what it computes."""
    made = []

    def layer(url: str, revision: str, name: str, _frame) -> str:
        made.append((revision, name))
        return f"{name}@{revision}"

    return made, layer


def test_an_older_revision_is_dropped_and_made_again_when_asked():
    made, func = counted()
    cached = cached_by_revision(max_entries=64, revisions=2)(func)
    for revision in ("r1", "r2", "r1", "r2"):
        assert cached("url", revision, "members", None) == f"members@{revision}"
    assert made == [("r1", "members"), ("r2", "members")]  # two kept, both served
    cached("url", "r3", "members", None)  # r1 came before r2: dropped
    cached("url", "r2", "members", None)
    assert made[-1] == ("r3", "members")  # r2 still served
    assert cached("url", "r1", "members", None) == "members@r1"
    assert made[-1] == ("r1", "members")  # made again, not served from another revision
    cached.clear()


def test_keys_units_and_frames():
    made, func = counted()
    cached = cached_by_revision(max_entries=64, revisions=1)(func)
    cached("url", "r1", "grids", None)
    cached("url", "r1@331003", "grids", None)  # the unit is part of the key: both kept
    cached("url", "r2", "members", None)
    cached("url", "r1", "grids", None)
    cached("url", "r1@331003", "grids", None)
    assert made == [("r1", "grids"), ("r1@331003", "grids"), ("r2", "members")]
    cached.clear()


def test_unhashed_arguments_are_not_kept():
    made, func = counted()
    cached = latest_revisions(st.cache_resource(show_spinner=False)(func), func, 1)
    frame = pd.DataFrame({"id": [1]})
    alive = weakref.ref(frame)
    cached("url", "r1", "members", frame)
    cached("url", "r2", "members", frame)  # drops r1: passes None for the frame
    del frame
    gc.collect()
    assert alive() is None  # neither the tracking nor the drop kept it
    assert made == [("r1", "members"), ("r2", "members")]
    cached.clear()
