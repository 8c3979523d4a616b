"""Map layers: the layer files the map fetches and the folium elements that draw them.

Every layer is written once per store revision (and coordinate frame) as a compact JSON file
under ``static/layers/<revision>/`` and served by Streamlit's static serving at
``/app/static/layers/...``; the map's script fetches it and draws it on the canvas. In the
"embedded" mode (the naive baseline the benchmark compares) the same data is put inline into
the map HTML instead. Only masked member names are ever written to the public layer files.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import tempfile
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from components.map_js import HELPERS_JS
from geo.paths import APP_ROOT

PROJECT_ROOT = APP_ROOT  # the checkout, or the installed wheel's hongtu_app/ (static serving)
LAYER_ROOT = PROJECT_ROOT / "static" / "layers"
LAYER_URL = "/app/static/layers"
COORD_DIGITS = 6
KEEP_FOLDERS = 12


def esc(value) -> str:
    """HTML-escape a user-supplied value (None -> empty)."""
    if value is None:
        return ""
    try:
        from geo.masking import escape_html
    except ImportError:
        return html.escape(str(value))
    return escape_html(str(value))


def revision_dir_name(revision: str, frame: str) -> str:
    digest = hashlib.sha1(revision.encode()).hexdigest()[:16]
    return f"{digest}-{frame}"


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


def _write_json(path: Path, payload) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.stem, suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(payload, out, ensure_ascii=False, separators=(",", ":"))
    os.replace(tmp, path)


COMBINED = "combined"


def publish(revision: str, frame: str, payloads: dict, root: Path = LAYER_ROOT,
            combined: tuple[str, ...] = ()) -> dict:
    """Write each payload as ``<root>/<revision>-<frame>/<name>.json`` unless already there;
    return ``name -> URL``. ``payloads`` maps names to zero-argument builders.

    The ``combined`` layers (those a map draws as soon as it opens) are written into one
    ``combined.json`` too and get ``combined.json#<name>`` URLs: one request instead of one
    per layer (a browser opens at most six connections to the app; the page's own scripts
    queue on them too)."""
    folder = root / revision_dir_name(revision, frame)
    fresh = not folder.exists()
    urls = {}
    for name, build in payloads.items():
        path = folder / f"{name}.json"
        if not path.exists():
            _write_json(path, build())
        urls[name] = f"{LAYER_URL}/{folder.name}/{name}.json"
    if combined:
        path = folder / f"{COMBINED}.json"
        if not path.exists():
            _write_json(path, {n: json.loads((folder / f"{n}.json").read_text(encoding="utf-8"))
                               for n in combined})
        urls.update({n: f"{LAYER_URL}/{folder.name}/{COMBINED}.json#{n}" for n in combined})
    if fresh:
        prune(root)
    return urls


def prune(root: Path = LAYER_ROOT, keep: int = KEEP_FOLDERS) -> None:
    """Remove all but the ``keep`` most recently written layer folders."""
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in folders[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


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
    """One layer drawn by ``hongtu.<call>(featureGroup, source, options)`` in its group."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        hongtu.{{ this.call }}({{ this._parent.get_name() }}, {{ this.source }},
                                {{ this.options }});
        {% endmacro %}
    """)

    def __init__(self, call: str, source, options: dict):
        super().__init__()
        self._name = "HongtuLayer"
        self.call = call
        self.source = json.dumps(source, ensure_ascii=False, separators=(",", ":"))
        self.options = json.dumps(options, ensure_ascii=False, separators=(",", ":"))


class MemberLayer(JSCSSMixin, MacroElement):
    """Members: per-grid totals when zoomed out, clustered points above ``threshold``."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        hongtu.members({{ this._parent.get_name() }}, {{ this._parent._parent.get_name() }},
                       {{ this.grids }}, {{ this.members }}, {{ this.options }});
        {% endmacro %}
    """)

    @property
    def default_js(self):  # follow MarkerCluster's assets (patched to local copies offline)
        return folium.plugins.MarkerCluster.default_js

    @property
    def default_css(self):
        return folium.plugins.MarkerCluster.default_css

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
