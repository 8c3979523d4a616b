"""Caches keyed on a store revision that keep only the latest revisions of each key.

``st.cache_resource`` keeps the last ``max_entries`` calls of a function. For one keyed on a
revision that is the last ``max_entries`` revisions of its busiest key: after every move of a
member, a new members layer (4 MB), a new coverage, a new roster. Only the newest few are
asked for again (by runs that began before the latest moves), so a server's memory grew for
minutes with frames nobody would read (issue #27's soak: +150 MB in ten minutes).

:func:`latest_revisions` wraps a cached function whose second argument is a revision (scoped
or not, see :func:`split_revision`; its unit is part of the key): when a
key's ``keep`` + 1-th revision is asked for, the one first asked longest ago is dropped from
the cache (``CachedFunc.clear`` with its arguments). Dropping only ever costs a recomputation:
nothing is ever served from a revision it was not made at."""

from __future__ import annotations

import functools
import inspect
import threading
from collections import OrderedDict

import streamlit as st

UNIT_MARK = "@"  # a scoped revision: "<store revision>@<unit>", a cache key


def split_revision(revision: str) -> tuple[str, str]:
    """(store revision, unit) of a possibly scoped revision."""
    base, _, unit = str(revision).partition(UNIT_MARK)
    return base, unit


class RecentRevisions:
    """The last ``keep`` revisions first asked for of each key (the other arguments):
    :meth:`seen` returns the arguments of the calls to drop. A revision asked again keeps its
    place: a run still at an older revision (a move landed during it) does not push out a
    newer one that every other run is asking for. The ``max_keys`` keys asked most recently
    are followed (a key no longer followed is still bounded by the cache's ``max_entries``)."""

    def __init__(self, keep: int, max_keys: int = 1024):
        self.keep, self.max_keys = keep, max_keys
        self._by_key: OrderedDict[tuple, OrderedDict[str, tuple]] = OrderedDict()
        self._lock = threading.Lock()

    def seen(self, key: tuple, revision: str, args: tuple) -> list[tuple]:
        with self._lock:
            revisions = self._by_key.setdefault(key, OrderedDict())
            self._by_key.move_to_end(key)
            while len(self._by_key) > self.max_keys:
                self._by_key.popitem(last=False)
            if revision in revisions:  # kept: its place stays that of its first ask
                return []
            revisions[revision] = args
            dropped = []
            while len(revisions) > self.keep:
                dropped.append(revisions.popitem(last=False)[1])
            return dropped

    def keys(self) -> int:
        with self._lock:
            return len(self._by_key)


def latest_revisions(cached, func, keep: int = 4):
    """``cached`` (``st.cache_resource`` of ``func``), keeping ``keep`` revisions per key.
    Arguments Streamlit does not hash (a leading underscore) are neither part of the key nor
    kept (they are frames): the drop passes None for them. Calls with keywords are not
    tracked (every caller passes positions)."""
    names = list(inspect.signature(func).parameters)
    unhashed = {i for i, name in enumerate(names) if name.startswith("_")}
    recent = RecentRevisions(keep)

    @functools.wraps(func)
    def call(*args, **kwargs):
        value = cached(*args, **kwargs)
        if len(args) > 1 and not kwargs:
            base, unit = split_revision(args[1])
            kept = tuple(None if i in unhashed else a for i, a in enumerate(args))
            for old in recent.seen((kept[0], unit, *kept[2:]), base, kept):
                cached.clear(*old)
        return value

    call.clear = cached.clear
    return call


def cached_by_revision(max_entries: int, revisions: int = 4):
    """``st.cache_resource(max_entries=...)`` of a function whose second argument is a
    revision, keeping the latest ``revisions`` of each key (:func:`latest_revisions`)."""
    def wrap(func):
        cached = st.cache_resource(show_spinner=False, max_entries=max_entries)(func)
        return latest_revisions(cached, func, revisions)
    return wrap
