"""The units map: the units below a province or a city, coloured by an indicator, each with
its figures in the tooltip; a click on one is sent at once, and components.units goes down to
it at the start of the next run."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from branca.element import MacroElement
from folium.template import Template

from components.i18n import fmt_int, t
from components.map_controls import add_metric_scale, draw_map
from components.map_layers import esc
from components.offline import lean_map, use_local_assets
from geo import unit_figures

SHADES = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")  # low -> high
NO_DATA = "#d9d9d9"
LINE = "#6d4c41"
CODE = "code"
TOOLTIP = ("name", "compounds_text", "grids_text", "members_text", "positions_text",
           "value_text")


class ReportClickAtOnce(MacroElement):
    """A click on a unit goes to the page at once, as streamlit-folium's ``last_active_drawing``
    (its own report waits for a 250 ms debounce; it then finds the same value and sends
    nothing)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.on("layeradd", function (added) {
          var unit = added.layer;  // each unit's path, also those a feature group adds later
          if (!unit.feature || typeof unit.toGeoJSON !== "function") { return; }
          unit.on("click", function () {
            var g = window.__GLOBAL_DATA__;
            if (!g || !window.Streamlit) { return; }
            var data = {last_active_drawing: unit.toGeoJSON()};
            g.last_active_drawing = data.last_active_drawing;
            g.previous_data = data;
            window.Streamlit.setComponentValue(data);
          });
        });
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "HongtuReportClick"


def _features(shapes: gpd.GeoDataFrame, table: pd.DataFrame, indicator: str):
    frame = shapes[[CODE, "geometry"]].merge(table, on=CODE, how="inner")
    frame["cls"] = unit_figures.rate_class(frame[indicator], len(SHADES), indicator)
    for column in ("compounds", "grids", "members", "positions"):
        frame[f"{column}_text"] = frame[column].map(fmt_int)
    suffix = "" if indicator == "members_per_grid" else "%"
    frame["value_text"] = frame[indicator].map(
        lambda v: "—" if pd.isna(v) else f"{v:g}{suffix}")
    frame["name"] = frame["name"].map(esc)  # the tooltip is HTML: names shown as text
    keep = [CODE, "cls", *TOOLTIP, "geometry"]
    return gpd.GeoDataFrame(frame[keep], geometry="geometry", crs=shapes.crs)


def units_map(shapes: gpd.GeoDataFrame, table: pd.DataFrame, indicator: str):
    """(map, layer): the map fitted to ``shapes`` (code, geometry; WGS84) and, apart, the units
    of ``table`` (unit_figures.unit_table) coloured by the class of ``indicator``. The map
    does not depend on the indicator, so a new indicator redraws the layer, not the map."""
    use_local_assets()
    features = _features(shapes, table, indicator)
    fmap = lean_map(add_metric_scale(folium.Map(tiles=None)))  # SVG: a hundred units at most
    if len(shapes):
        minx, miny, maxx, maxy = shapes.total_bounds
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    ReportClickAtOnce().add_to(fmap)

    def style(feature):
        cls = feature["properties"]["cls"]
        fill = SHADES[cls] if cls >= 0 else NO_DATA
        return {"color": LINE, "weight": 1.5, "fillColor": fill, "fillOpacity": 0.8}

    aliases = [t("unit.col.name"), t("unit.col.compounds"), t("unit.col.grids"),
               t("unit.col.members"), t("unit.col.positions"), t(f"unit.indicator.{indicator}")]
    layer = folium.FeatureGroup(name="units")
    folium.GeoJson(
        features, name="units", style_function=style,
        highlight_function=lambda _: {"weight": 4, "color": "#1565c0"},
        tooltip=folium.GeoJsonTooltip(fields=list(TOOLTIP), aliases=aliases),
    ).add_to(layer)
    return fmap, layer


def legend_entries(values: pd.Series, indicator: str) -> list[tuple[str, str]]:
    """(colour, label) of each colour class of the units map ("97.0–98.0%"), and the grey of
    a unit with no value when there is one."""
    breaks = unit_figures.class_breaks(values, len(SHADES), indicator)
    suffix = "" if indicator == "members_per_grid" else "%"
    entries = [(shade, f"{low:.1f}–{high:.1f}{suffix}")
               for shade, low, high in zip(SHADES, breaks, breaks[1:])]
    if values.isna().any() or not breaks:
        entries.append((NO_DATA, t("unit.legend.no_data")))
    return entries


def legend_html(values: pd.Series, indicator: str) -> str:
    swatches = "".join(
        f"<span class='hongtu-unit-class' style='white-space:nowrap;margin-right:14px'>"
        f"<span style='display:inline-block;width:14px;height:14px;background:{colour};"
        f"border:1px solid {LINE};margin-right:4px;vertical-align:middle'></span>{esc(text)}"
        f"</span>" for colour, text in legend_entries(values, indicator))
    title = esc(t("unit.legend.title", indicator=t(f"unit.indicator.{indicator}")))
    return (f"<div class='hongtu-unit-legend' style='font-size:0.85rem;line-height:1.8'>"
            f"<b style='margin-right:10px'>{title}</b>{swatches}</div>")


def show_units_map(shapes, table, indicator: str, key: str, height: int = 600) -> None:
    """Draw the map, its legend (the colour classes) above it. A click's value is in
    ``st.session_state[key]`` before the next run starts: read it with :func:`clicked_unit`
    (components.units follows it)."""
    fmap, layer = units_map(shapes, table, indicator)
    st.markdown(legend_html(table[indicator], indicator), unsafe_allow_html=True)
    draw_map(fmap, key=key, height=height, width=None,
              feature_group_to_add=layer, returned_objects=["last_active_drawing"])


def clicked_unit(value: dict | None) -> str | None:
    """The code of the unit in a units map's value (None before any click)."""
    drawing = (value or {}).get("last_active_drawing") or {}
    return (drawing.get("properties") or {}).get(CODE)
