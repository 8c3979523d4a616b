"""The grid coverage map: chosen grids shaded by households per member in ONE GeoJSON layer,
grids without members outlined in red and marked, street outlines as the offline basemap.

The map does not depend on the overload threshold the user types (the shading runs from 0 to
the district's default threshold, the tooltips name the flags that need no threshold): a
threshold change redraws the figures, never the map."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import branca.colormap as cm
import folium
import geopandas as gpd
import pandas as pd
import shapely

from components.i18n import t
from components.map_controls import add_metric_scale
from components.map_layers import KeptView, esc, feature_collection
from components.offline import lean_map, use_local_assets
from geo import grid_coverage as gc
from geo.grid_summary import threshold_text

SHADES = ("#ffffcc", "#fed976", "#fd8d3c", "#e31a1c", "#800026")
GAP_FILL = "#bdbdbd"
GAP_LINE = "#d50000"
SELECTED_LINE = "#1565c0"
STREET_LINE = "#616161"
MAP_FLAGS = (gc.FLAG_NO_MEMBER, gc.FLAG_FAR_HOME)  # the flags that need no threshold
TOOLTIP_FIELDS = ("name", gc.GRID_ID, gc.MEMBERS, gc.HOUSEHOLDS, gc.PER_MEMBER, "flag_text")


def colour_scale(threshold: float, per_member: pd.Series) -> cm.LinearColormap:
    """Light to dark red from 0 to the larger of the threshold and the largest value."""
    finite = per_member.dropna()
    top = max([threshold if math.isfinite(threshold) else 0, *finite.tolist(), 1.0])
    return cm.LinearColormap(SHADES, vmin=0, vmax=top, caption=t("grids.map.legend"))


@dataclass(frozen=True)
class GridLayer:
    """What the map draws, as plain data (cacheable, picklable): a GeoJSON FeatureCollection
    of the grids (feature id = grid id; properties: tooltip fields, ``gap``, ``selected``),
    the gap markers (lat, lon, escaped name) and the bounds [[south, west], [north, east]]."""

    collection: dict
    gaps: tuple[tuple[float, float, str], ...]
    bounds: tuple[tuple[float, float], tuple[float, float]] | None


def _features(grids: gpd.GeoDataFrame, coverage: pd.DataFrame, selected: set) -> pd.DataFrame:
    cols = [gc.GRID_ID, gc.MEMBERS, gc.HOUSEHOLDS, gc.PER_MEMBER, gc.FLAGS]
    frame = grids[["id", "name", "geometry"]].merge(
        coverage[cols], left_on="id", right_on=gc.GRID_ID, how="inner"
    )
    frame[gc.PER_MEMBER] = frame[gc.PER_MEMBER].round(1).astype(object).where(
        frame[gc.PER_MEMBER].notna(), None)
    frame["flag_text"] = frame[gc.FLAGS].map(
        lambda flags: "、".join(t("grids.flag." + f) for f in flags if f in MAP_FLAGS)
        or t("grids.flag.none"))
    frame["gap"] = frame[gc.FLAGS].map(lambda flags: gc.FLAG_NO_MEMBER in flags)
    frame["selected"] = frame[gc.GRID_ID].isin(selected)
    frame["name"] = frame["name"].map(esc)  # the tooltip is HTML: names shown as text
    frame[gc.GRID_ID] = frame[gc.GRID_ID].map(esc)
    return frame


def grid_layer(grids: gpd.GeoDataFrame, coverage: pd.DataFrame,
               selected: list[str] | None = None) -> GridLayer:
    """``grids`` (WGS84) joined with their rows of ``coverage``, as the map's plain data.
    Geometries go through shapely's GeoJSON writer once (as the overview's layer files do),
    not through a GeoDataFrame's ``__geo_interface__``, which folium would read twice."""
    frame = _features(grids, coverage, set(selected or []))
    records = frame[[*TOOLTIP_FIELDS, "gap", "selected"]].astype(object).to_dict("records")
    collection = feature_collection(frame, records)  # coordinates to 6 decimals (0.1 m)
    for feature in collection["features"]:
        feature["id"] = feature["properties"][gc.GRID_ID]
    gaps = tuple((point.y, point.x, name) for point, name in zip(
        frame.geometry[frame["gap"]].representative_point(), frame["name"][frame["gap"]]))
    bounds = None
    if len(frame):
        minx, miny, maxx, maxy = shapely.total_bounds(frame.geometry.values)
        bounds = ((float(miny), float(minx)), (float(maxy), float(maxx)))
    return GridLayer(collection, gaps, bounds)


def outlines(frame: gpd.GeoDataFrame) -> dict:
    """Named outlines (streets) as a GeoJSON FeatureCollection (plain data, cacheable)."""
    return feature_collection(frame, [{"name": str(name)} for name in frame["name"]])


class _LeanGeoJson(folium.GeoJson):
    """A GeoJSON layer with its bounds known beforehand when given (folium walks every
    coordinate in Python for them). Rendered as plain text (components.folium_text), as
    every element is."""

    def __init__(self, data: dict, bounds=None, **kwargs):
        super().__init__(data, **kwargs)
        self.known_bounds = [list(corner) for corner in bounds] if bounds else None

    def _get_self_bounds(self):
        return self.known_bounds or super()._get_self_bounds()


def grid_map(layer: GridLayer, streets: dict | None = None, top: float = math.inf) -> folium.Map:
    """A folium map of ``layer`` over the ``streets`` outlines; the shading runs from 0 to
    ``top`` (the district's default threshold). The layer's data is copied into the map's
    GeoJSON (folium may add to it): a cached layer is never changed by a render."""
    use_local_assets()
    collection = {"type": "FeatureCollection", "features": [
        {**feature, "properties": dict(feature["properties"])}
        for feature in layer.collection["features"]]}
    scale = colour_scale(top, pd.Series(
        [f["properties"][gc.PER_MEMBER] for f in collection["features"]], dtype=float))
    fmap = add_metric_scale(folium.Map(tiles=None, prefer_canvas=True))
    lean_map(fmap)
    if streets and streets["features"]:
        _LeanGeoJson(
            {**streets, "features": [dict(f) for f in streets["features"]]}, name="streets",
            interactive=False,
            style_function=lambda _: {"color": STREET_LINE, "weight": 2, "fill": False},
        ).add_to(fmap)

    def style(feature):
        props = feature["properties"]
        line = SELECTED_LINE if props["selected"] else ("#555555" if not props["gap"] else GAP_LINE)
        base = {"color": line, "weight": 4 if props["selected"] else 1, "fillOpacity": 0.7}
        if props["gap"]:
            return {**base, "fillColor": GAP_FILL, "color": GAP_LINE, "weight": 3,
                    "dashArray": "6 4"}
        return {**base, "fillColor": scale.rgb_hex_str(props[gc.PER_MEMBER] or 0)}

    aliases = [t("grids.col.grid"), t("grids.col.grid_id"), t("grids.col.members"),
               t("grids.col.households"), t("grids.col.households_per_member"),
               t("grids.col.flags")]
    _LeanGeoJson(
        collection, layer.bounds, name="grids", style_function=style,
        highlight_function=lambda _: {"weight": 4, "color": SELECTED_LINE},
        tooltip=folium.GeoJsonTooltip(fields=list(TOOLTIP_FIELDS), aliases=aliases),
    ).add_to(fmap)
    for lat, lon, name in layer.gaps:
        folium.Marker(
            [lat, lon], tooltip=f"{t('grids.map.gap')}: {name}",  # escaped
            icon=folium.DivIcon(html=f'<div style="color:{GAP_LINE};font-weight:bold;'
                                     f'font-size:18px">⚠</div>'),
        ).add_to(fmap)
    if layer.bounds:  # a click (selection) redraws the map: it keeps the user's view
        KeptView("grids_map", [list(corner) for corner in layer.bounds]).add_to(fmap)
    return fmap


def legend_text(top: float) -> str:
    """One line under the map: the colour scale (0 to ``top``, the default threshold)."""
    return (f"{t('grids.map.legend')}: 0 → {threshold_text(top)}+ "
            f"({t('grids.map.legend_top')}); ⚠ {t('grids.map.gap')}")


def clicked_grid(event: dict | None) -> str | None:
    """The grid id of a st_folium click on the grids layer, if any."""
    drawing = (event or {}).get("last_active_drawing") or {}
    grid_id = (drawing.get("properties") or {}).get(gc.GRID_ID)
    return None if grid_id is None else html.unescape(str(grid_id))  # escaped for the tooltip
