"""The planner's map: district and street outlines as the offline basemap, every position's
coverage circle in ONE GeoJSON layer, compounds (covered / not covered) in one layer, and the
positions and candidates as circle markers in one layer. A click on the map drops a candidate
(the page reads st_folium's ``last_clicked``)."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from components.i18n import fmt_int, t
from components.map_controls import add_metric_scale
from components.map_layers import esc
from components.offline import lean_map, use_local_assets
from geo import coverage as cov
from geo.schema import GEOMETRY, ID, METRIC_CRS, WGS84

COLOURS = {cov.STATUS_EXISTING: "#1565c0", cov.STATUS_PLANNED: "#757575",
           cov.STATUS_CANDIDATE: "#ef6c00"}
COVERED_FILL = "#43a047"
UNCOVERED_FILL = "#d50000"
OUTLINE = "#616161"
CIRCLE_SEGMENTS = 32
MAX_ZOOM = 19


def coverage_circles(supply_points: gpd.GeoDataFrame, radius: float) -> gpd.GeoDataFrame:
    """A circle of ``radius`` metres around every supply point (metric CRS in), WGS84 out."""
    circles = supply_points[[ID, cov.NAME, cov.STATUS, GEOMETRY]].copy()
    circles[GEOMETRY] = supply_points.geometry.buffer(radius, quad_segs=CIRCLE_SEGMENTS // 4)
    return gpd.GeoDataFrame(circles, crs=METRIC_CRS).to_crs(WGS84)


def _status_label(status: str) -> str:
    return t(f"planner.map.{status}")


def planner_map(result: cov.CoverageResult, demand: gpd.GeoDataFrame,
                supply: gpd.GeoDataFrame, outlines: list[gpd.GeoDataFrame],
                uncovered_only: bool = False) -> folium.Map:
    """``demand``/``supply``: the metric points of :func:`geo.coverage.demand_points` /
    :func:`geo.coverage.supply_points` (candidates included); ``result`` their coverage.
    ``uncovered_only`` (a city, a province): only the demand points no position covers."""
    use_local_assets()
    fmap = add_metric_scale(folium.Map(tiles=None, prefer_canvas=True, max_zoom=MAX_ZOOM))
    lean_map(fmap)
    for outline in outlines:
        if outline is not None and len(outline):
            folium.GeoJson(outline[[GEOMETRY]], interactive=False, style_function=lambda _: {
                "color": OUTLINE, "weight": 1.5, "fill": False}).add_to(fmap)
    if len(supply):
        circles = coverage_circles(supply, result.radius_m)
        circles[cov.STATUS] = circles[cov.STATUS].astype(str)
        folium.GeoJson(circles, name="coverage", interactive=False, style_function=lambda f: {
            "color": COLOURS.get(f["properties"][cov.STATUS], OUTLINE), "weight": 1,
            "fillOpacity": 0.08, "dashArray": "4 4" if f["properties"][cov.STATUS]
            == cov.STATUS_CANDIDATE else None}).add_to(fmap)
    bounds = demand.total_bounds
    if uncovered_only:
        covered = set(result.compounds.loc[result.compounds[cov.COVERED], ID])
        demand = demand[~demand[ID].isin(covered)]
    _compound_layer(result, demand).add_to(fmap)
    if len(supply):
        _position_layer(supply).add_to(fmap)
    if len(bounds) == 4 and all(pd.notna(bounds)):
        minx, miny, maxx, maxy = gpd.GeoSeries.from_xy(bounds[[0, 2]], bounds[[1, 3]],
                                                       crs=METRIC_CRS).to_crs(WGS84).total_bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    return fmap


def demand_key(key: str, demand: str) -> str:
    """The text key whose wording fits the demand: ``key`` for households of compounds,
    ``key.grids`` for residents of grids."""
    return f"{key}.grids" if demand == cov.DEMAND_GRIDS else key


def _compound_layer(result: cov.CoverageResult, demand: gpd.GeoDataFrame) -> folium.GeoJson:
    figures = result.compounds.set_index(ID)
    points = gpd.GeoDataFrame({
        "kind": "compound", ID: demand[ID].to_numpy(), "name": demand[cov.NAME].astype(str).map(esc),
        "households": [fmt_int(h) for h in demand[cov.HOUSEHOLDS]],
        "distance": [_metres(figures.loc[i, cov.DISTANCE_M]) for i in demand[ID]],
        "covered": [bool(figures.loc[i, cov.COVERED]) for i in demand[ID]],
    }, geometry=demand.geometry.to_numpy(), crs=METRIC_CRS).to_crs(WGS84)
    points["state"] = [t("planner.map.covered" if c else "planner.map.uncovered")
                       for c in points["covered"]]
    return folium.GeoJson(
        points, name="compounds", marker=folium.CircleMarker(radius=6, fill=True),
        style_function=lambda f: {
            "color": "#ffffff", "weight": 1, "fillOpacity": 0.95,
            "fillColor": COVERED_FILL if f["properties"]["covered"] else UNCOVERED_FILL,
            "radius": 5 if f["properties"]["covered"] else 8},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "households", "distance", "state"],
            aliases=[t(demand_key("planner.map.compound", result.demand)),
                     t(demand_key("planner.map.households", result.demand)),
                     t("planner.map.distance"), t("planner.map.status")]),
    )


def _position_layer(supply: gpd.GeoDataFrame) -> folium.GeoJson:
    points = gpd.GeoDataFrame({
        "kind": "position", ID: supply[ID].astype(str).to_numpy(),
        "name": supply[cov.NAME].astype(str).map(esc).to_numpy(),
        "status": supply[cov.STATUS].astype(str).to_numpy(),
    }, geometry=supply.geometry.to_numpy(), crs=METRIC_CRS).to_crs(WGS84)
    points["state"] = [_status_label(s) for s in points["status"]]
    return folium.GeoJson(
        points, name="positions", marker=folium.CircleMarker(radius=7, fill=True),
        style_function=lambda f: {
            "color": "#ffffff", "weight": 2, "fillOpacity": 1.0,
            "fillColor": COLOURS.get(f["properties"]["status"], OUTLINE)},
        tooltip=folium.GeoJsonTooltip(fields=["name", "state"],
                                      aliases=[t("planner.map.name"), t("planner.map.status")]),
    )


def _metres(value) -> str:
    return "-" if value is None or pd.isna(value) or value == float("inf") else fmt_int(value)


def clicked_point(event: dict | None) -> tuple[float, float] | None:
    """(lon, lat) of st_folium's ``last_clicked``, if any."""
    clicked = (event or {}).get("last_clicked")
    if not clicked:
        return None
    return round(float(clicked["lng"]), 7), round(float(clicked["lat"]), 7)
