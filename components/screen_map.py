"""The big screen's map: the network map in read-only form (no clicks returned), moved to the
spotlight through ``center``/``zoom`` so the open map flies there without being re-created."""

from __future__ import annotations

from streamlit_folium import st_folium

from components import network_cache
from components.network_map import MapView, build_map

SCREEN_MAP_KEY = "screen_map"


def screen_map(center: tuple[float, float], zoom: int, selected: str | None = None,
               height: int = 880) -> None:
    data = network_cache.map_data()
    m, groups, control = build_map(data, MapView(selected=selected))
    st_folium(m, key=SCREEN_MAP_KEY, height=height, use_container_width=True,
              returned_objects=[], feature_group_to_add=groups, layer_control=control,
              center=list(center), zoom=zoom)
