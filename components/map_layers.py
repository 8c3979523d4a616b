"""Map layers: the layer files the map fetches and the folium elements that draw them.

Every layer is written once per store revision (and coordinate frame and language) as a
compact JSON file under ``<state dir>/layers/<revision>-<frame>/`` (never in the public
``static/`` folder) and served by :mod:`components.web.layers` at ``/hongtu/layers/...``, which
checks the session's right to each layer and serves the current store revision only
(:data:`REVISIONS`); the map's script fetches it and draws it on the canvas. In the
"embedded" mode (the naive baseline the benchmark compares) the same data is put inline into
the map HTML instead. Only masked member names are ever written to the layer files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
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
from components.web.state import layer_root
from geo.masking import escape_html

LAYER_URL = "/hongtu/layers"
COORD_DIGITS = 6
KEEP_FOLDERS = 8  # folders kept past those still served (current and recent revisions)
GRACE_SECONDS = 120.0  # a map opened just before a write may still fetch its lazy layers
DIGEST_CHARS = 16
# (folder, names, combined) whose files this process wrote or found: a later publish of the
# same files checks the folder alone. Shared by every session: a fact about files on disk.
_WRITTEN: set[tuple] = set()


def esc(value) -> str:
    """HTML-escape a user-supplied value (None -> empty)."""
    if value is None:
        return ""
    return escape_html(str(value))


def revision_digest(revision: str) -> str:
    return hashlib.sha1(revision.encode()).hexdigest()[:DIGEST_CHARS]


def revision_dir_name(revision: str, frame: str) -> str:
    return f"{revision_digest(revision)}-{frame}"


class Revisions:
    """Which store revisions' layer files may be served: the current one, and every one that was
    replaced less than :data:`GRACE_SECONDS` ago (several writes in a minute must not leave a
    map opened before them without its layers). Fed with the revision seen by every map drawn
    and every layer request (one per server process; no per-user state)."""

    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._current: str | None = None
        self._replaced: dict[str, float] = {}  # digest -> when it stopped being current

    def note(self, revision: str) -> None:
        digest = revision_digest(revision)
        with self._lock:
            if digest != self._current:
                now = self._clock()
                if self._current is not None:
                    self._replaced[self._current] = now
                self._replaced.pop(digest, None)
                self._current = digest
                self._replaced = {d: t for d, t in self._replaced.items()
                                  if now - t < GRACE_SECONDS}

    def serves(self, folder: str) -> bool:
        digest = folder[:DIGEST_CHARS]
        with self._lock:
            replaced = self._replaced.get(digest)
            return digest == self._current or (
                replaced is not None and self._clock() - replaced < GRACE_SECONDS)


REVISIONS = Revisions()


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
    with os.fdopen(fd, "w", encoding="utf-8") as out:  # dumps: json's C encoder (dump streams
        out.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":")))  # in Python)
    os.replace(tmp, path)


COMBINED = "combined"


def publish(revision: str, frame: str, payloads: dict, root: Path | None = None,
            combined: tuple[str, ...] = ()) -> dict:
    """Write each payload as ``<root>/<revision>-<frame>/<name>.json`` unless already there;
    return ``name -> URL``. ``payloads`` maps names to zero-argument builders.

    The ``combined`` layers (those a map draws as soon as it opens) are written into one
    ``combined.json`` too and get ``combined.json#<name>`` URLs: one request instead of one
    per layer (a browser opens at most six connections to the app; the page's own scripts
    queue on them too)."""
    root = root or layer_root()
    REVISIONS.note(revision)
    folder = root / revision_dir_name(revision, frame)
    done = (folder, tuple(payloads), combined)
    urls = {name: f"{LAYER_URL}/{folder.name}/{name}.json" for name in payloads}
    urls.update({n: f"{LAYER_URL}/{folder.name}/{COMBINED}.json#{n}" for n in combined})
    if done in _WRITTEN and folder.is_dir():  # one stat, not one per file (issue #27)
        return urls
    fresh = not folder.exists()
    for name, build in payloads.items():
        path = folder / f"{name}.json"
        if not path.exists():
            _write_json(path, build())
    if combined:
        path = folder / f"{COMBINED}.json"
        if not path.exists():
            _write_json(path, {n: json.loads((folder / f"{n}.json").read_text(encoding="utf-8"))
                               for n in combined})
    if fresh:
        prune(root)
    _WRITTEN.add(done)
    return urls


def prune(root: Path | None = None, keep: int = KEEP_FOLDERS) -> None:
    """Remove all but the ``keep`` most recently written layer folders, never one whose
    revision is still served (:class:`Revisions`)."""
    root = root or layer_root()
    folders = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in folders[:-keep]:
        if not REVISIONS.serves(old.name):
            shutil.rmtree(old, ignore_errors=True)
            _WRITTEN.difference_update({done for done in list(_WRITTEN) if done[0] == old})


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
