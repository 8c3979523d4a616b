"""What the start-up warm-up (:mod:`components.web.warmup`) computes ahead of the first visit:
the modules behind Hongtu's routes, the store, every layer, the map's prepared data, search
index and headline figures, and the default basemap's layer files in both languages; for a
city or a province, its units map's figures and outlines instead of the network map."""

from __future__ import annotations

from components import i18n, network_cache
from components.data import _load_raw_layer, get_store, scoped_revision, store_units
from components.layer_publish import publish_layers
from components.web import layers  # noqa: F401 - the layer route's module, before its first use
from geo import auth, hierarchy


def warm_caches() -> None:
    store = get_store()
    _load_raw_layer(auth.ACCOUNTS)
    for name in store.layer_names():
        _load_raw_layer(name)
    units = list(store_units())
    top = hierarchy.top(units)
    if top is not None and len(top.districts) > 1:  # a city or a province: its units map
        warm_units(store, units, top)
        return
    data = network_cache.map_data()
    network_cache.search_index()
    network_cache.headline()
    if data.grids.empty:
        return
    for lang in i18n.LANGS:
        i18n.set_lang(lang)  # this thread's context only
        publish_layers(data, gcj02=False)
    i18n.set_lang(i18n.DEFAULT_LANG)


def warm_units(store, units, top) -> None:
    """What a first visit to a city's or a province's overview needs: its headline (cut to
    the top unit), every district's counts and the outlines of the units below it."""
    network_cache.headline(scoped_revision("", top.code))
    network_cache.unit_counts()
    network_cache.unit_shapes([u.code for u in hierarchy.children(units, top)])
