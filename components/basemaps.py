"""Basemaps: the offline default (no tiles), OpenStreetMap, Tianditu vector/imagery with
labels, and Gaode/AMap (GCJ-02: overlays are drawn shifted, clicks shifted back).

Tile URLs can be overridden with environment variables (tests point them at loopback).
Tianditu's map review number (审图号) is shown with its attribution at the lower left; it is
configurable because the provider renews it (``HONGTU_TIANDITU_REVIEW_NO``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from jinja2 import Template

from components.i18n import t
from components.map_layers import esc

OFFLINE = "offline"
OSM = "osm"
TIANDITU_VECTOR = "tianditu_vec"
TIANDITU_IMAGERY = "tianditu_img"
GAODE = "gaode"
BASEMAP_KEYS = (OFFLINE, OSM, TIANDITU_VECTOR, TIANDITU_IMAGERY, GAODE)

TIANDITU_TOKEN_ENV = "HONGTU_TIANDITU_TK"
TIANDITU_REVIEW_NO = os.environ.get("HONGTU_TIANDITU_REVIEW_NO", "GS(2024)0568号")
_TIANDITU = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
             "&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
             "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={tk}")
_DEFAULT_URLS = {
    OSM: "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    GAODE: "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
           "&x={x}&y={y}&z={z}",
}
_URL_ENV = {OSM: "HONGTU_OSM_TILES", GAODE: "HONGTU_GAODE_TILES",
            TIANDITU_VECTOR: "HONGTU_TIANDITU_TILES", TIANDITU_IMAGERY: "HONGTU_TIANDITU_TILES"}


@dataclass(frozen=True)
class Basemap:
    key: str
    gcj02: bool  # overlays must be shifted to GCJ-02
    tiles: tuple[tuple[str, str, str], ...]  # (url, attribution, subdomains)


def tianditu_token() -> str | None:
    token = os.environ.get(TIANDITU_TOKEN_ENV)
    if token:
        return token
    try:
        import streamlit as st

        return st.secrets["tianditu"]["tk"]
    except Exception:  # noqa: BLE001 - no secrets file or no such key: the option stays hidden
        return None


def _tianditu_url(layer: str, token: str) -> str:
    template = os.environ.get(_URL_ENV[TIANDITU_VECTOR], _TIANDITU)
    return template.replace("{layer}", layer).replace("{tk}", token)


def basemap(key: str) -> Basemap:
    if key in (TIANDITU_VECTOR, TIANDITU_IMAGERY):
        token = tianditu_token() or ""
        base, labels = ("vec", "cva") if key == TIANDITU_VECTOR else ("img", "cia")
        credit = f"© 天地图 Tianditu · 审图号 {TIANDITU_REVIEW_NO}"
        return Basemap(key, False, (
            (_tianditu_url(base, token), credit, "01234567"),
            (_tianditu_url(labels, token), credit, "01234567"),
        ))
    if key == OSM:
        url = os.environ.get(_URL_ENV[OSM], _DEFAULT_URLS[OSM])
        return Basemap(key, False, ((url, "© OpenStreetMap contributors", "abc"),))
    if key == GAODE:
        url = os.environ.get(_URL_ENV[GAODE], _DEFAULT_URLS[GAODE])
        return Basemap(key, True, ((url, "© 高德地图 AutoNavi", "1234"),))
    return Basemap(OFFLINE, False, ())


def available_basemaps() -> list[str]:
    """Basemap keys offered in the UI (Tianditu only with a token)."""
    keys = [OFFLINE, OSM, GAODE]
    if tianditu_token():
        keys[2:2] = [TIANDITU_VECTOR, TIANDITU_IMAGERY]
    return keys


def add_tiles(m: folium.Map, chosen: Basemap) -> None:
    """Add the basemap's tile layers (none for the offline basemap) and its credit."""
    for i, (url, attribution, subdomains) in enumerate(chosen.tiles):
        folium.TileLayer(
            tiles=url, attr=esc(attribution), subdomains=subdomains, max_zoom=18,
            name=t(f"map.basemap.{chosen.key}") + ("" if i == 0 else " · 注记"),
            overlay=i > 0, control=False,
        ).add_to(m)
    if chosen.tiles:
        TileFailureNotice(t("polish.map.tiles_failed")).add_to(m)
    credit = t("map.credit.offline") if not chosen.tiles else chosen.tiles[0][1]
    CreditControl(credit).add_to(m)


class CreditControl(MacroElement):
    """The basemap's credit as a Leaflet control at the lower left: Leaflet stacks it with the
    scale bar there (a box placed over the map's corner used to hide the scale bar)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
          var credit = L.control({position: 'bottomleft'});
          credit.onAdd = function () {
            var box = L.DomUtil.create('div', 'hongtu-credit');
            box.style.cssText = 'background:rgba(255,255,255,.8);font-size:11px;'
              + 'padding:1px 4px;margin-bottom:4px;clear:both';
            box.textContent = {{ this.credit|tojson }};
            return box;
          };
          credit.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, credit: str):
        super().__init__()
        self._name = "CreditControl"
        self.credit = credit


class TileFailureNotice(MacroElement):
    """A message on the map once its basemap tiles fail to load (no network, blocked tile
    server): without it the map is simply blank."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
          var shown = false;
          map.eachLayer(function (layer) {
            if (!(layer instanceof L.TileLayer)) { return; }
            layer.on('tileerror', function () {
              if (shown) { return; }
              shown = true;
              var box = L.DomUtil.create('div', 'hongtu-tile-failure');
              box.setAttribute('role', 'alert');
              box.style.cssText = 'position:absolute;top:10px;left:50%;transform:translateX(-50%);'
                + 'z-index:1001;background:#fff3e0;color:#bf360c;border:1px solid #ffb74d;'
                + 'border-radius:4px;padding:6px 10px;font-size:13px;max-width:70%';
              box.textContent = {{ this.message|tojson }};
              map.getContainer().appendChild(box);
            });
          });
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, message: str):
        super().__init__()
        self._name = "TileFailureNotice"
        self.message = message
