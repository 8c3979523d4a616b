"""Cached access to the store: the store is a cached resource, layers are cached resources
keyed on the revision that last changed them (``Store.layer_revision``) so a write shows at
once, and a write to one layer (a member moved) leaves every other layer's cache as it was.

A layer is read from the store once per revision and shared by every session (no copy per
read: unpickling a layer per rerun, geometries from WKB included, was a tenth of the server's
time under load). Callers get :func:`shared_view`, a shallow copy-on-write view: a change to it
(a new column, a cell set) copies what it changes and never reaches the shared frame.

The raw (unmasked) layer loaders are private to ``components``: pages read through
:func:`components.context.page_context`, which masks personal data for the signed-in
principal. Only the context, the session (accounts) and components that build public, masked
payloads (the network map, the headline figures) call them."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components.revision_cache import UNIT_MARK, cached_by_revision, split_revision
from geo import hierarchy
from geo.store import Store, open_store, store_url

UNIT_STATE = "hongtu_unit"  # st.session_state: the unit (adcode) this session looks at
ANCHOR_LAYERS = hierarchy.ANCHOR_ORDER


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> Store:
    return open_store(url)


def get_store() -> Store:
    return _store_for(store_url())


def shared_view(frame: pd.DataFrame) -> pd.DataFrame:
    """A view of a shared cached frame that its caller may change: pandas' copy-on-write
    copies the data on the first change (attrs are copied at once)."""
    return frame.copy(deep=False)


def cached_frame(max_entries: int, revisions: int = 4):
    """``st.cache_resource`` for a function returning a DataFrame: one frame per key, shared
    by every session, each call handed a :func:`shared_view` of it (``.clear()`` as usual).
    Its second argument is a revision: only the latest ``revisions`` of each key are kept
    (:func:`components.revision_cache.latest_revisions`)."""
    def wrap(func):
        shared = cached_by_revision(max_entries, revisions)(func)

        @functools.wraps(func)
        def view(*args, **kwargs):
            return shared_view(shared(*args, **kwargs))

        view.clear = shared.clear
        return view
    return wrap


@cached_frame(max_entries=64)
def _load_layer(url: str, key: str, name: str) -> pd.DataFrame:
    return _store_for(url).load(name)


def _layer(url: str, name: str) -> pd.DataFrame:
    """Layer ``name`` as it is now (cached until it changes)."""
    return _load_layer(url, _store_for(url).layer_revision((name,)), name)


def layers_key(url: str, revision: str, names) -> str:
    """The cache key of data made from layers ``names`` for the unit of a (scoped) ``revision``:
    the revision that last changed any of them (or an anchor layer, when cut to a unit), marked
    with the unit. Only the unit of ``revision`` is used (a key is always the current one)."""
    _, unit = split_revision(revision)
    names = (*names, *ANCHOR_LAYERS) if unit else tuple(names)
    key = _store_for(url).layer_revision(tuple(dict.fromkeys(names)))
    return f"{key}{UNIT_MARK}{unit}" if unit else key


def session_scope() -> str:
    """The session's unit as a scoped revision's mark ("@331003"; "" for the whole store)."""
    return scoped_revision("")


def session_layers_key(names) -> str:
    """:func:`layers_key` of ``names`` for the session's unit."""
    return layers_key(get_store().url, session_scope(), names)


def units_at(url: str) -> tuple[hierarchy.Unit, ...]:
    """The store's units (geo.hierarchy.units: ~50 ms for a province), once per change of the
    districts (shared, never mutated)."""
    return _units(url, _store_for(url).layer_revision(("districts",)))


@st.cache_resource(show_spinner=False, max_entries=16)
def _units(url: str, key: str) -> tuple[hierarchy.Unit, ...]:
    return tuple(hierarchy.units(_layer(url, "districts")))


def store_units() -> tuple[hierarchy.Unit, ...]:
    """The units of the store as it is now."""
    return units_at(get_store().url)


def current_unit() -> str:
    """The unit this session looks at ("" : the whole store). Per session, never per process;
    set by :mod:`components.units` from the URL (?unit=331003) and the unit picker."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return ""
    return str(st.session_state.get(UNIT_STATE) or "")


def scoped_revision(revision: str, unit: str | None = None) -> str:
    """``revision`` marked with the session's unit: a cache key that keeps units apart (none
    for a unit holding every district: its layers are the whole ones)."""
    unit = effective_unit(unit)
    return f"{revision}{UNIT_MARK}{unit}" if unit else revision


def effective_unit(unit: str | None = None) -> str:
    """``unit`` (default: the session's), or "" for a unit holding every district."""
    unit = current_unit() if unit is None else unit
    if not unit:
        return ""
    store = get_store()
    return "" if _holds_everything(store.url, store.layer_revision(("districts",)), unit) else unit


@st.cache_resource(show_spinner=False, max_entries=64)
def _holds_everything(url: str, key: str, unit: str) -> bool:
    districts = _layer(url, "districts")
    found = hierarchy.find(units_at(url), unit)
    return found is not None and set(found.districts) >= set(districts["id"].astype(str))


@st.cache_resource(show_spinner=False, max_entries=16)
def _unit_keys(url: str, key: str, unit: str) -> dict[str, frozenset]:
    """Which rows of the anchor layers lie in ``unit`` (shared, never mutated)."""
    found = hierarchy.find(units_at(url), unit)
    frames = {n: _layer(url, n) for n in ANCHOR_LAYERS}
    return hierarchy.unit_keys(frames, found.districts if found else ())


@cached_frame(max_entries=64)
def _scoped_layer(url: str, key: str, name: str, unit: str) -> pd.DataFrame:
    anchors = _store_for(url).layer_revision(ANCHOR_LAYERS)
    return hierarchy.filter_layer(name, _layer(url, name), _unit_keys(url, anchors, unit))


def _raw_layer_at(url: str, revision: str, name: str) -> pd.DataFrame:
    """A layer as it is now, unmasked (cached); cut to the unit of a scoped revision (or of a
    key of :func:`layers_key`)."""
    _, unit = split_revision(revision)
    if unit and name not in hierarchy.UNSCOPED:
        return _scoped_layer(url, layers_key(url, revision, (name,)), name, unit)
    return _layer(url, name)


def _load_raw_layer(name: str) -> pd.DataFrame:
    """A whole layer, unmasked, cached until it changes. Not for pages."""
    return _layer(get_store().url, name)


def _load_raw_layers(*names: str) -> dict[str, pd.DataFrame]:
    """Several layers, unmasked, at one revision, cut to the session's unit. Not for pages."""
    url, scope = get_store().url, session_scope()
    return {n: _raw_layer_at(url, scope, n) for n in names}


def store_revision() -> str:
    return get_store().revision()


def store_meta() -> dict[str, str]:
    """The store's meta table (as_of, is_sample, ...) from the cached layer."""
    meta = _load_raw_layer("meta")
    return dict(zip(meta["key"], meta["value"])) if len(meta) else {}


def is_sample_store() -> bool:
    return store_meta().get("is_sample") == "true"
