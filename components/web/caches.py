"""What the start-up warm-up (:mod:`components.web.warmup`) computes ahead of the first visit:
the modules behind Hongtu's routes, the store, every layer, the map's prepared data, search
index and headline figures, and the default basemap's layer files in both languages."""

from __future__ import annotations

from components import i18n, network_cache
from components.data import _load_raw_layer, get_store
from components.layer_publish import publish_layers
from components.web import layers  # noqa: F401 - the layer route's module, before its first use
from geo import auth


def warm_caches() -> None:
    store = get_store()
    _load_raw_layer(auth.ACCOUNTS)
    for name in store.layer_names():
        _load_raw_layer(name)
    data = network_cache.map_data()
    network_cache.search_index()
    network_cache.headline()
    if data.grids.empty:
        return
    for lang in i18n.LANGS:
        i18n.set_lang(lang)  # this thread's context only
        publish_layers(data, gcj02=False)
    i18n.set_lang(i18n.DEFAULT_LANG)
