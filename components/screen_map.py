"""The big screen's map: the network map in read-only form (no clicks returned). Its script is
the same on every rotation; only ``center``/``zoom`` change, so streamlit-folium flies the
open map to the spotlight instead of re-creating it, and nothing piles up in the browser
(re-adding feature groups on every rotation grew the JS heap by ~3 MB a minute). Public: no
member points, only per-grid totals (:func:`components.layer_publish.is_private`)."""

from __future__ import annotations

from streamlit_folium import st_folium

from components import network_cache
from components.network_map import MapView, build_map

SCREEN_MAP_KEY = "screen_map"


def screen_map(center: tuple[float, float], zoom: int, height: int = 880) -> None:
    data = network_cache.map_data()
    m, groups, control = build_map(data, MapView(public=True))
    for group in groups:
        group.add_to(m)
    control.add_to(m)
    st_folium(m, key=SCREEN_MAP_KEY, height=height, width=None,
              returned_objects=[], center=list(center), zoom=zoom)
