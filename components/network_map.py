"""The network map: basemap, outlines, grid choropleth, compounds, positions, dispatch areas
and members, drawn through streamlit-folium.

Fast path ("served"): every layer is a JSON file fetched by the map and drawn on a canvas
(grids from zoom 11 and member points from zoom 15, both only the ~10 km / ~2 km tiles in view;
below zoom 15 members are per-grid totals counted on the server);
the map's own script never changes with filters or selection, which travel in
``feature_group_to_add`` (compounds, positions), so a filter change or a compound click
redraws two layers in the open map instead of re-creating it; ``returned_objects`` is narrow
so panning never reruns the page. "embedded" is the naive baseline kept for the benchmark:
the same layers inline in the HTML, SVG rendering, every change rebuilds the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import folium
import streamlit as st
from branca.element import MacroElement
from jinja2 import Template

from components import basemaps, legend
from components.i18n import t
from components.layer_publish import is_private, publish_layers
from components.map_controls import add_metric_scale, draw_map
from components.map_layers import (
    DrawnLayer,
    Helpers,
    KeptView,
    MemberLayer,
    esc,
    layer_group,
)
from components.map_payloads import MapData, payload_builders
from components.offline import lean_map, use_local_assets
from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02

SERVED = "served"
EMBEDDED = "embedded"
MEMBER_ZOOM = 15
SEARCH_ZOOM = 16
MAX_ZOOM, MIN_ZOOM = 19, 8
MAP_KEY = "network_map"
RETURNED = ["last_object_clicked", "last_object_clicked_tooltip"]
COMPOUND_TOKEN = "compound"
BENCHMARK_VIEW = [28.64, 121.26]  # the empty reference map of benchmarks/bench_map.py: Huangyan


@dataclass
class MapView:
    basemap: str = basemaps.OFFLINE
    indicator: str = "disclosure"
    streets: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()
    selected: str | None = None
    center: list[float] | None = None  # [lat, lon] WGS84 to move to
    zoom: int | None = None
    mode: str = SERVED
    public: bool = False  # the big screen: no member points, only per-grid totals
    extra: dict = field(default_factory=dict)


def _outline_options(kind: str, tiled: bool) -> dict:
    style = dict(legend.OUTLINES[kind])
    if tiled and kind in ("counties", "districts"):
        style["fillOpacity"] = 0.0
    return {"kind": kind, "stroke": style["stroke"], "fill": style["fill"],
            "weight": style["weight"], "fillOpacity": style["fillOpacity"],
            "dash": style.get("dash"), "interactive": kind not in ("counties", "districts")}


def dynamic_groups(view: MapView, sources: dict, street_ids=()) -> list[folium.FeatureGroup]:
    """The layers that follow filters and selection: compounds and service positions, and,
    with streets chosen, the other streets dimmed."""
    compound_options = {
        "kind": "compounds", "by": view.indicator,
        "colours": legend.INDICATOR_COLOURS[view.indicator], "fill": "#999999",
        "stroke": "#37474f", "weight": 1, "fillOpacity": 0.75,
        "selected": view.selected, "selectedColour": legend.SELECTED_COLOUR,
        "filters": {"street_id": list(view.streets)}, "report": COMPOUND_TOKEN,
    }
    position_options = {
        "kind": "positions", "by": "symbol", "symbols": legend.tier_symbol_options(),
        "filters": {"tier": list(view.tiers), "street_id": list(view.streets)},
    }
    others = [s for s in street_ids if s not in set(view.streets)]
    dimmed = [layer_group(t("polish.map.dim"), DrawnLayer("polygons", sources["streets"], {
        "kind": "street_dim", "stroke": "#9e9e9e", "fill": "#546e7a", "weight": 0.5,
        "fillOpacity": 0.45, "interactive": False, "filters": {"id": others}}))
    ] if view.streets and others else []
    return [
        *dimmed,
        layer_group(t("map.layer.compounds"),
                    DrawnLayer("polygons", sources["compounds"], compound_options)),
        layer_group(t("map.layer.positions"),
                    DrawnLayer("symbols", sources["positions"], position_options)),
    ]


def build_map(data: MapData, view: MapView):
    """(map, dynamic feature groups, layer control) for ``view``."""
    use_local_assets()
    chosen = basemaps.basemap(view.basemap)
    tiled = bool(chosen.tiles)
    if view.mode == SERVED:
        sources = publish_layers(data, chosen.gcj02, view.public)
    else:
        builders = payload_builders(data, chosen.gcj02)
        sources = {name: build() for name, build in builders.items()
                   if not (view.public and is_private(name))}
    minx, miny, maxx, maxy = data.bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=13, tiles=None,
                   prefer_canvas=view.mode == SERVED)
    m.options.update(max_zoom=MAX_ZOOM, min_zoom=MIN_ZOOM)  # no tiles: the map itself needs them
    add_metric_scale(m)
    lean_map(m)
    Helpers(legend.OFFLINE_BACKGROUND).add_to(m)
    basemaps.add_tiles(m, chosen)
    for kind in ("counties", "districts", "streets", "communities"):
        layer_group(t(f"map.layer.{kind}"),
                    DrawnLayer("polygons", sources[kind], _outline_options(kind, tiled)),
                    show=kind != "counties" or not tiled).add_to(m)
    grid_options = {
        "kind": "grids", "by": "cls", "fill": legend.GRID_PALETTE[0],
        "colours": {str(i): c for i, c in enumerate(legend.GRID_PALETTE)},
        "stroke": "#bf9b7a", "weight": 0.6, "fillOpacity": 0.55 if not tiled else 0.45,
    }
    layer_group(t("map.layer.grids"), DrawnLayer("polygons", sources["grids"], grid_options,
                                                  with_map=True)).add_to(m)
    layer_group(t("map.layer.dispatch_areas"), DrawnLayer(
        "polygons", sources["dispatch_areas"], _outline_options("dispatch_areas", tiled))).add_to(m)
    layer_group(t("map.layer.members"), MemberLayer(
        sources["grid_totals"], sources.get("members"),
        {"threshold": MEMBER_ZOOM, "colour": legend.MEMBER_COLOUR})).add_to(m)
    frame = "gcj02" if chosen.gcj02 else "wgs84"
    KeptView(f"{MAP_KEY}:{frame}", [[miny, minx], [maxy, maxx]]).add_to(m)
    groups = dynamic_groups(view, sources, list(data.streets["id"]))
    control = folium.LayerControl(collapsed=True, position="topright")
    if view.mode == EMBEDDED:
        for group in groups:
            group.add_to(m)
        control.add_to(m)
    return m, groups, control


def _shift_to_map(view: MapView, gcj02: bool) -> list[float] | None:
    if view.center is None or not gcj02:
        return view.center
    lon, lat = wgs84_to_gcj02(view.center[1], view.center[0])
    return [float(lat), float(lon)]


def fit_zoom(bounds, width_px: int = 900, height_px: int = 640) -> int:
    """The largest web-map zoom at which ``bounds`` (minx, miny, maxx, maxy, degrees) fit."""
    minx, miny, maxx, maxy = bounds

    def mercator(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    x_share = max((maxx - minx) / 360, 1e-9)
    y_share = max((mercator(maxy) - mercator(miny)) / (2 * math.pi), 1e-9)
    zoom = math.floor(min(math.log2(width_px / 256 / x_share), math.log2(height_px / 256 / y_share)))
    return int(max(MIN_ZOOM, min(MAX_ZOOM, zoom)))


def street_view(data: MapData, view: MapView) -> MapView:
    """With streets chosen and no place searched: the view moves to fit those streets."""
    if view.center is not None or not view.streets:
        return view
    chosen = data.streets[data.streets["id"].isin(set(view.streets))]
    if chosen.empty:
        return view
    minx, miny, maxx, maxy = (float(v) for v in chosen.total_bounds)
    return replace(view, center=[(miny + maxy) / 2, (minx + maxx) / 2],
                   zoom=fit_zoom((minx, miny, maxx, maxy)))


def render_map(data: MapData, view: MapView, height: int = 640):
    """Draw the map; the page reads clicks with :func:`pending_click` before calling this."""
    view = street_view(data, view)
    m, groups, control = build_map(data, view)
    gcj02 = basemaps.basemap(view.basemap).gcj02
    if view.mode == EMBEDDED:
        return draw_map(m, key=MAP_KEY, height=height, width=None,
                         returned_objects=RETURNED)
    return draw_map(
        m, key=MAP_KEY, height=height, width=None, returned_objects=RETURNED,
        feature_group_to_add=groups, layer_control=control,
        center=_shift_to_map(view, gcj02), zoom=view.zoom,
    )


def pending_click(basemap_key: str) -> tuple[str | None, tuple[float, float] | None]:
    """The compound id (or WGS84 lon/lat) of a map click not handled yet, from the map's
    last returned value (streamlit-folium stores it under MAP_KEY before the rerun)."""
    value = st.session_state.get(MAP_KEY) or {}
    clicked = value.get("last_object_clicked")
    token = value.get("last_object_clicked_tooltip") or ""
    if not clicked:
        return None, None
    signature = (token, clicked.get("lat"), clicked.get("lng"))
    if st.session_state.get("_network_map_handled") == signature:
        return None, None
    st.session_state["_network_map_handled"] = signature
    if token.startswith(COMPOUND_TOKEN + ":"):
        return token.split(":", 1)[1], None
    lon, lat = clicked["lng"], clicked["lat"]
    if basemaps.basemap(basemap_key).gcj02:
        lon, lat = (float(v) for v in gcj02_to_wgs84(lon, lat))
    return None, (lon, lat)


def _context_layers(m: folium.Map, context: MapData, box: tuple, compound_id) -> None:
    """Streets, grids and neighbouring compounds around a compound, in grey, named on hover."""
    minx, miny, maxx, maxy = box
    styles = (("streets", {"color": "#78909c", "weight": 2, "dashArray": "6 4",
                           "fillOpacity": 0.0}),
              ("grids", {"color": "#bf9b7a", "weight": 0.8, "fillColor": "#f5ebe0",
                         "fillOpacity": 0.35}),
              ("compounds", {"color": "#607d8b", "weight": 1, "fillColor": "#b0bec5",
                             "fillOpacity": 0.6}))
    for kind, style in styles:
        frame = getattr(context, kind).cx[minx:maxx, miny:maxy]
        frame = frame[frame["id"] != compound_id][["id", "name", "geometry"]]
        if frame.empty:
            continue
        frame = frame.assign(name=frame["name"].map(esc))
        folium.GeoJson(frame.to_json(), style_function=lambda _, s=style: s,
                       tooltip=folium.GeoJsonTooltip(["name"], labels=False),
                       name=t(f"map.layer.{kind}")).add_to(m)


def render_compound_map(detail, nearest, positions, height: int = 360,
                        context: MapData | None = None) -> None:
    """A small static map of one compound (in the centre) and its nearest service positions,
    over its streets, grids and neighbouring compounds when ``context`` is given."""
    use_local_assets()
    minx, miny, maxx, maxy = detail.geometry.bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=16, tiles=None,
                   prefer_canvas=True)
    m.options.update(max_zoom=MAX_ZOOM, min_zoom=MIN_ZOOM)
    add_metric_scale(m)
    lean_map(m)
    Helpers(legend.OFFLINE_BACKGROUND).add_to(m)
    centre = detail.geometry.centroid
    near = positions[positions["id"].isin(set(nearest["id"]))]
    # symmetric around the compound, so that fitting the view keeps the compound in the middle
    reach_x = max([maxx - centre.x, centre.x - minx,
                   *(abs(p.x - centre.x) for p in near.geometry)]) * 1.15
    reach_y = max([maxy - centre.y, centre.y - miny,
                   *(abs(p.y - centre.y) for p in near.geometry)]) * 1.15
    box = (centre.x - reach_x, centre.y - reach_y, centre.x + reach_x, centre.y + reach_y)
    if context is not None:
        _context_layers(m, context, box, detail.compound.get("id"))
    folium.GeoJson(detail.geometry.__geo_interface__, tooltip=esc(detail.compound["name"]),
                   style_function=lambda _: {"color": legend.SELECTED_COLOUR, "weight": 3,
                                             "fillColor": "#c62828", "fillOpacity": 0.4}).add_to(m)
    for row in near.itertuples(index=False):
        _shape, size, colour, _ = legend.TIER_SYMBOLS[row.tier]
        folium.CircleMarker([row.geometry.y, row.geometry.x], radius=size / 3, color=colour,
                            fill=True, fill_opacity=0.9, tooltip=esc(row.name)).add_to(m)
    m.fit_bounds([[box[1], box[0]], [box[3], box[2]]])
    draw_map(m, key="compound_map", height=height, width=None,
              returned_objects=[])


def render_bare_map(height: int = 660) -> None:
    """Benchmark reference: an empty folium map (no layers) through streamlit-folium, with the
    same offline assets. The frame records ``window.hongtuBare`` when Leaflet has made the map."""
    use_local_assets()
    m = folium.Map(location=BENCHMARK_VIEW, zoom_start=12, tiles=None)
    lean_map(m)
    ready = MacroElement()
    ready._template = Template("{% macro script(this, kwargs) %}window.hongtuBare = Date.now();"
                               "{% endmacro %}")
    ready.add_to(m)
    draw_map(m, key=MAP_KEY, height=height, width=None, returned_objects=[])
