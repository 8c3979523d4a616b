"""Cached access to the store: the store is a cached resource, layers are cached resources
keyed on the store's revision so a write shows at once.

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

from geo import hierarchy
from geo.store import Store, open_store, store_url

UNIT_STATE = "hongtu_unit"  # st.session_state: the unit (adcode) this session looks at
UNIT_MARK = "@"  # a scoped revision: "<store revision>@<unit>", a cache key
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


def cached_frame(max_entries: int):
    """``st.cache_resource`` for a function returning a DataFrame: one frame per key, shared
    by every session, each call handed a :func:`shared_view` of it (``.clear()`` as usual)."""
    def wrap(func):
        shared = st.cache_resource(show_spinner=False, max_entries=max_entries)(func)

        @functools.wraps(func)
        def view(*args, **kwargs):
            return shared_view(shared(*args, **kwargs))

        view.clear = shared.clear
        return view
    return wrap


@cached_frame(max_entries=64)
def _load_layer(url: str, revision: str, name: str) -> pd.DataFrame:
    return _store_for(url).load(name)


@st.cache_resource(show_spinner=False, max_entries=16)
def units_at(url: str, revision: str) -> tuple[hierarchy.Unit, ...]:
    """The store's units (geo.hierarchy.units: ~50 ms for a province), once per revision
    (shared, never mutated)."""
    return tuple(hierarchy.units(_load_layer(url, revision, "districts")))


def store_units() -> tuple[hierarchy.Unit, ...]:
    """The units of the store as it is now."""
    store = get_store()
    return units_at(store.url, store.revision())


def current_unit() -> str:
    """The unit this session looks at ("" : the whole store). Per session, never per process;
    set by :mod:`components.units` from the URL (?unit=331003) and the unit picker."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return ""
    return str(st.session_state.get(UNIT_STATE) or "")


def scoped_revision(revision: str, unit: str | None = None) -> str:
    """``revision`` marked with the session's unit: a cache key that keeps units apart (none
    for a unit holding every district: its layers are the whole ones)."""
    unit = current_unit() if unit is None else unit
    if unit and _holds_everything(get_store().url, revision, unit):
        unit = ""
    return f"{revision}{UNIT_MARK}{unit}" if unit else revision


@st.cache_resource(show_spinner=False, max_entries=64)
def _holds_everything(url: str, revision: str, unit: str) -> bool:
    districts = _load_layer(url, revision, "districts")
    found = hierarchy.find(units_at(url, revision), unit)
    return found is not None and set(found.districts) >= set(districts["id"].astype(str))


def split_revision(revision: str) -> tuple[str, str]:
    """(store revision, unit) of a possibly scoped revision."""
    base, _, unit = revision.partition(UNIT_MARK)
    return base, unit


@st.cache_resource(show_spinner=False, max_entries=16)
def _unit_keys(url: str, revision: str, unit: str) -> dict[str, frozenset]:
    """Which rows of the anchor layers lie in ``unit`` (shared, never mutated)."""
    found = hierarchy.find(units_at(url, revision), unit)
    frames = {n: _load_layer(url, revision, n) for n in ANCHOR_LAYERS}
    return hierarchy.unit_keys(frames, found.districts if found else ())


@cached_frame(max_entries=64)
def _scoped_layer(url: str, revision: str, name: str, unit: str) -> pd.DataFrame:
    frame = _load_layer(url, revision, name)
    return hierarchy.filter_layer(name, frame, _unit_keys(url, revision, unit))


def _raw_layer_at(url: str, revision: str, name: str) -> pd.DataFrame:
    """A layer at ``revision``, unmasked (cached); cut to the unit of a scoped revision."""
    base, unit = split_revision(revision)
    if unit and name not in hierarchy.UNSCOPED:
        return _scoped_layer(url, base, name, unit)
    return _load_layer(url, base, name)


def _load_raw_layer(name: str) -> pd.DataFrame:
    """A whole layer, unmasked, cached until the store changes. Not for pages."""
    store = get_store()
    return _load_layer(store.url, store.revision(), name)


def _load_raw_layers(*names: str) -> dict[str, pd.DataFrame]:
    """Several layers, unmasked, at one revision, cut to the session's unit. Not for pages."""
    store = get_store()
    revision = scoped_revision(store.revision())
    return {n: _raw_layer_at(store.url, revision, n) for n in names}


def store_revision() -> str:
    return get_store().revision()


def store_meta() -> dict[str, str]:
    """The store's meta table (as_of, is_sample, ...) from the cached layer."""
    meta = _load_raw_layer("meta")
    return dict(zip(meta["key"], meta["value"])) if len(meta) else {}


def is_sample_store() -> bool:
    return store_meta().get("is_sample") == "true"
