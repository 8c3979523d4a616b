"""Throw-away Streamlit page for tests/test_offline_assets.py: the store's grids, a marker
cluster with Glyphicons and Font Awesome icons, and a colour-scale legend, drawn by
streamlit-folium with every asset served locally."""

from __future__ import annotations

import branca.colormap
import folium
import streamlit as st
from folium.plugins import MarkerCluster
from streamlit_folium import st_folium

from components.offline import use_local_assets
from geo.store import open_store

use_local_assets()
grids = open_store().load("grids")
west, south, east, north = grids.total_bounds
# With no tile layer Leaflet has no maxZoom, which MarkerCluster needs: give it on the map.
fmap = folium.Map(tiles=None, location=[(south + north) / 2, (west + east) / 2], zoom_start=13,
                  maxZoom=19)
scale = branca.colormap.LinearColormap(["#fde0dd", "#c51b8a"], vmin=0,
                                       vmax=float(grids["households"].max()), caption="households")
folium.GeoJson(
    grids[["id", "name", "households", "geometry"]],
    style_function=lambda f: {"fillColor": scale(f["properties"]["households"]), "weight": 1},
    tooltip=folium.GeoJsonTooltip(["name"]),
).add_to(fmap)
scale.add_to(fmap)
cluster = MarkerCluster(name="positions").add_to(fmap)
MEMBERS_PER_GRID = 5  # a few metres apart: one cluster of 5 per grid
for name, point in zip(grids["name"], grids.geometry.representative_point(), strict=True):
    for k in range(MEMBERS_PER_GRID):
        folium.Marker([point.y + k * 1e-4, point.x], tooltip=name).add_to(cluster)
# Two loose markers, one per icon font: Glyphicons (folium's default) and Font Awesome.
folium.Marker([north, west], icon=folium.Icon(icon="info-sign")).add_to(fmap)
folium.Marker([south, east], icon=folium.Icon(icon="house", prefix="fa")).add_to(fmap)
st.subheader(f"离线地图:{len(grids)} 个网格")
st_folium(fmap, height=600, width=None, returned_objects=[])
