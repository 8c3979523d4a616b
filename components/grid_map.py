"""The grid coverage map: chosen grids shaded by households per member in ONE GeoJSON layer,
grids without members outlined in red and marked, street outlines as the offline basemap.

The map does not depend on the overload threshold the user types (the shading runs from 0 to
the district's default threshold, the tooltips name the flags that need no threshold): a
threshold change redraws the figures, never the map."""

from __future__ import annotations

import html
import math

import branca.colormap as cm
import folium
import geopandas as gpd
import pandas as pd

from components.i18n import t
from components.map_controls import add_metric_scale
from components.map_layers import KeptView, esc
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


def _features(grids: gpd.GeoDataFrame, coverage: pd.DataFrame, selected: set) -> gpd.GeoDataFrame:
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
    return gpd.GeoDataFrame(frame.drop(columns=["id", gc.FLAGS]), geometry="geometry",
                            crs=grids.crs)


def grid_map(
    grids: gpd.GeoDataFrame, coverage: pd.DataFrame, streets: gpd.GeoDataFrame | None = None,
    selected: list[str] | None = None, top: float | None = None,
) -> folium.Map:
    """A folium map of ``grids`` (WGS84) joined with their rows of ``coverage``; the shading
    runs from 0 to ``top`` (default: the coverage's default threshold)."""
    use_local_assets()
    selected_ids = set(selected or [])
    features = _features(grids, coverage, selected_ids)
    top = coverage.attrs.get("default_threshold", math.inf) if top is None else top
    scale = colour_scale(top, features[gc.PER_MEMBER].astype(float))
    fmap = add_metric_scale(folium.Map(tiles=None, prefer_canvas=True))
    lean_map(fmap)
    if streets is not None and len(streets):
        folium.GeoJson(
            streets[["name", "geometry"]], name="streets", interactive=False,
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
    folium.GeoJson(
        features, name="grids", style_function=style,
        highlight_function=lambda _: {"weight": 4, "color": SELECTED_LINE},
        tooltip=folium.GeoJsonTooltip(fields=list(TOOLTIP_FIELDS), aliases=aliases),
    ).add_to(fmap)
    for _, gap in features[features["gap"]].iterrows():
        point = gap.geometry.representative_point()
        folium.Marker(
            [point.y, point.x], tooltip=f"{t('grids.map.gap')}: {gap['name']}",  # escaped
            icon=folium.DivIcon(html=f'<div style="color:{GAP_LINE};font-weight:bold;'
                                     f'font-size:18px">⚠</div>'),
        ).add_to(fmap)
    if len(features):  # a click (selection) redraws the map: it keeps the user's view
        minx, miny, maxx, maxy = features.total_bounds
        KeptView("grids_map", [[miny, minx], [maxy, maxx]]).add_to(fmap)
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
