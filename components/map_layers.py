"""Map layers: the GeoJSON of a layer and the folium elements that draw the layer files
(:mod:`components.layer_files`) on the map's canvas. In the "embedded" mode (the naive baseline
the benchmark compares) the same data is put inline into the map HTML instead."""

from __future__ import annotations

import json

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from components.map_js import HELPERS_JS
from geo.masking import escape_html

COORD_DIGITS = 6


def esc(value) -> str:
    """HTML-escape a user-supplied value (None -> empty)."""
    if value is None:
        return ""
    return escape_html(str(value))


def _round_geoms(geoms, tolerance: float | None):
    geoms = np.asarray(geoms, dtype=object)
    if tolerance:
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    return shapely.transform(geoms, lambda xy: np.round(xy, COORD_DIGITS))


def feature_collection(gdf: gpd.GeoDataFrame, properties: list[dict],
                       tolerance: float | None = None) -> dict:
    geoms = _round_geoms(gdf.geometry.values, tolerance)
    features = [
        {"type": "Feature", "properties": props, "geometry": json.loads(shapely.to_geojson(g))}
        for props, g in zip(properties, geoms)
        if g is not None and not g.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}



# ---------------------------------------------------------------- folium elements
class Helpers(MacroElement):
    """Defines ``window.hongtu`` once in the map's script, plus the canvas/background CSS."""

    _template = Template("{% macro script(this, kwargs) %}" + HELPERS_JS + "{% endmacro %}")

    def __init__(self, background: str):
        super().__init__()
        self._name = "HongtuHelpers"
        self.background = background

    def render(self, **kwargs):
        super().render(**kwargs)
        css = (f"<style>.leaflet-container{{background:{self.background};}}"
               ".hongtu-symbol{background:none;border:none;}</style>")
        self.get_root().header.add_child(folium.Element(css), name="hongtu_css")


class DrawnLayer(MacroElement):
    """One layer drawn by ``hongtu.<call>(featureGroup, source, options[, map])`` in its group.
    ``with_map``: the group is on the map itself (its parent), which a tiled source needs to
    follow the view."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        hongtu.{{ this.call }}({{ this._parent.get_name() }}, {{ this.source }},
                                {{ this.options }}{% if this.with_map %},
                                {{ this._parent._parent.get_name() }}{% endif %});
        {% endmacro %}
    """)

    def __init__(self, call: str, source, options: dict, with_map: bool = False):
        super().__init__()
        self._name = "HongtuLayer"
        self.with_map = with_map
        self.call = call
        self.source = json.dumps(source, ensure_ascii=False, separators=(",", ":"))
        self.options = json.dumps(options, ensure_ascii=False, separators=(",", ":"))


class ClusterAssets(JSCSSMixin, MacroElement):
    """The marker-cluster plugin's scripts in the map's page (also for clusters that arrive
    later in a feature group, which brings no scripts of its own)."""

    _template = Template("")

    @property
    def default_js(self):  # follow MarkerCluster's assets (patched to local copies offline)
        return folium.plugins.MarkerCluster.default_js

    @property
    def default_css(self):
        return folium.plugins.MarkerCluster.default_css


class MemberLayer(ClusterAssets):
    """Members: per-grid totals (``[lat, lon, members, tooltip]`` rows) when zoomed out,
    clustered points above ``threshold``."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        hongtu.members({{ this._parent.get_name() }}, {{ this._parent._parent.get_name() }},
                       {{ this.grids }}, {{ this.members }}, {{ this.options }});
        {% endmacro %}
    """)

    def __init__(self, grids_source, members_source, options: dict):
        super().__init__()
        self._name = "HongtuMembers"
        self.grids = json.dumps(grids_source, ensure_ascii=False, separators=(",", ":"))
        self.members = json.dumps(members_source, ensure_ascii=False, separators=(",", ":"))
        self.options = json.dumps(options, separators=(",", ":"))


def layer_group(name: str, *children, show: bool = True) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name, show=show)
    for child in children:
        group.add_child(child)
    return group


class KeptView(MacroElement):
    """The map's first view: where the user left this map in this browser tab, else
    ``bounds`` fitted (without animation: an animated fit would end after, and undo, a kept
    view). A map rebuilt on a rerun (a store write changed its layer files) or opened again
    comes back where it was; a view the page asks for (streamlit-folium's ``center``/``zoom``)
    is set after this and wins. ``name`` and ``bounds`` ([[south, west], [north, east]]) name
    the kept view: another area (or coordinate frame, in ``name``) starts afresh."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map, key, bounds) {
          var kept = null;
          try {
            kept = JSON.parse(window.sessionStorage.getItem(key) || "null");
          } catch (e) { /* no storage in this frame: start from the fitted view */ }
          function laidOut() {
            var size = map.getSize();
            return size.x > 0 && size.y > 0;
          }
          if (kept) {
            map.setView([kept.lat, kept.lng], kept.zoom, {animate: false});
          } else if (laidOut()) {
            map.fitBounds(bounds, {animate: false});
          } else {  // a frame not laid out yet: a fit at size 0 is zoom 0 (the whole world)
            var watch = new ResizeObserver(function () {
              map.invalidateSize(false);
              if (laidOut()) {
                watch.disconnect();
                map.fitBounds(bounds, {animate: false});
              }
            });
            watch.observe(map.getContainer());
          }
          map.on("moveend", function () {
            if (!laidOut()) { return; }  // no view of a map without a size is worth keeping
            var c = map.getCenter();
            try {
              window.sessionStorage.setItem(key, JSON.stringify(
                {lat: c.lat, lng: c.lng, zoom: map.getZoom()}));
            } catch (e) { /* storage full or refused: nothing kept */ }
          });
        })({{ this._parent.get_name() }}, {{ this.key }}, {{ this.bounds }});
        {% endmacro %}
    """)

    def __init__(self, name: str, bounds):
        super().__init__()
        self._name = "HongtuKeptView"
        corners = [[float(v) for v in corner] for corner in bounds]
        area = ",".join(f"{v:.4f}" for corner in corners for v in corner)
        self.key = json.dumps(f"hongtu-view:{name}:{area}")
        self.bounds = json.dumps(corners)
