"""Cached access to the store: the store is a cached resource, layers are cached data keyed
on the store's revision so a write shows at once.

The raw (unmasked) layer loaders are private to ``components``: pages read through
:func:`components.context.page_context`, which masks personal data for the signed-in
principal. Only the context, the session (accounts) and components that build public, masked
payloads (the network map, the headline figures) call them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.store import Store, open_store, store_url


@st.cache_resource(show_spinner=False)
def _store_for(url: str) -> Store:
    return open_store(url)


def get_store() -> Store:
    return _store_for(store_url())


@st.cache_data(show_spinner=False, max_entries=64)
def _load_layer(url: str, revision: str, name: str) -> pd.DataFrame:
    return _store_for(url).load(name)


def _raw_layer_at(url: str, revision: str, name: str) -> pd.DataFrame:
    """A whole layer at ``revision``, unmasked (cached)."""
    return _load_layer(url, revision, name)


def _load_raw_layer(name: str) -> pd.DataFrame:
    """A whole layer, unmasked, cached until the store changes. Not for pages."""
    store = get_store()
    return _load_layer(store.url, store.revision(), name)


def _load_raw_layers(*names: str) -> dict[str, pd.DataFrame]:
    """Several layers, unmasked, at one revision. Not for pages."""
    store = get_store()
    revision = store.revision()
    return {n: _load_layer(store.url, revision, n) for n in names}


def store_revision() -> str:
    return get_store().revision()


def store_meta() -> dict[str, str]:
    """The store's meta table (as_of, is_sample, ...) from the cached layer."""
    meta = _load_raw_layer("meta")
    return dict(zip(meta["key"], meta["value"])) if len(meta) else {}


def is_sample_store() -> bool:
    return store_meta().get("is_sample") == "true"
