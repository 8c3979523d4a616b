"""Colours and symbols of the network map, and the legend that explains them."""

from __future__ import annotations

import streamlit as st

from components.i18n import fmt_int, t
from components.map_layers import esc

GRID_PALETTE = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603")
INDICATOR_COLOURS = {
    "disclosure": {"full": "#1a9850", "partial": "#fdae61", "none": "#d73027",
                   "no_data": "#bdbdbd"},
    "red_property": {"true": "#c62828", "false": "#78909c"},
    "branch_type": {"real": "#c62828", "joint": "#ef8a3c", "none": "#bdbdbd"},
}
OUTLINES = {
    "counties": {"stroke": "#9e9e9e", "fill": "#ece8df", "weight": 1, "fillOpacity": 1.0},
    "districts": {"stroke": "#8b0000", "fill": "#fbf8f2", "weight": 3, "fillOpacity": 1.0},
    "streets": {"stroke": "#5d4037", "fill": "#000000", "weight": 2, "fillOpacity": 0.0},
    "communities": {"stroke": "#8d6e63", "fill": "#000000", "weight": 1, "fillOpacity": 0.0,
                    "dash": "3 3"},
    "dispatch_areas": {"stroke": "#1565c0", "fill": "#1565c0", "weight": 2,
                       "fillOpacity": 0.08, "dash": "8 4"},
}
MEMBER_COLOUR = "#6a1b9a"
SELECTED_COLOUR = "#00e5ff"
OFFLINE_BACKGROUND = "#dfe8ee"

# tier -> (shape, size px, colour, z-offset); core > zone > station > point
TIER_SYMBOLS = {
    "core": ("star", 34, "#b71c1c", 400),
    "zone": ("diamond", 26, "#d84315", 300),
    "station": ("triangle", 22, "#1565c0", 200),
    "point": ("circle", 14, "#f9a825", 100),
}
_SHAPES = {
    "star": "<polygon points='50,3 61,37 97,37 68,58 79,93 50,72 21,93 32,58 3,37 39,37'/>",
    "diamond": "<polygon points='50,4 96,50 50,96 4,50'/>",
    "triangle": "<polygon points='50,6 96,92 4,92'/>",
    "circle": "<circle cx='50' cy='50' r='44'/>",
}


PLANNED = "planned"  # a promoted scenario's position: not built, drawn hollow and dashed


def tier_svg(tier: str, planned: bool = False) -> str:
    shape, size, colour, _ = TIER_SYMBOLS[tier]
    style = (f"fill='#ffffff' fill-opacity='0.85' stroke='{colour}' stroke-width='10' "
             "stroke-dasharray='14 8'" if planned
             else f"fill='{colour}' stroke='#ffffff' stroke-width='8'")
    return (f"<svg width='{size}' height='{size}' viewBox='0 0 100 100'>"
            f"<g {style}>{_SHAPES[shape]}</g></svg>")


def symbol_key(tier: str, status: str | None) -> str:
    """The symbol of a position: its tier, hollow when planned (``core.planned``)."""
    return f"{tier}.{PLANNED}" if status == PLANNED else tier


def tier_symbol_options() -> dict:
    options = {}
    for tier, (_, size, _, z) in TIER_SYMBOLS.items():
        options[tier] = {"svg": tier_svg(tier), "size": size, "z": z}
        options[symbol_key(tier, PLANNED)] = {"svg": tier_svg(tier, planned=True), "size": size,
                                              "z": z - 50}
    return options


def _swatch(colour: str, label: str, border: str = "#555") -> str:
    return (f"<span style='display:inline-block;width:14px;height:14px;background:{colour};"
            f"border:1px solid {border};margin-right:4px;vertical-align:middle'></span>"
            f"{esc(label)}")


def legend_html(classification, lowest: float, indicator: str, counts: dict) -> str:
    """The legend beside the map: grid classes, compound indicator, tiers (planned positions
    apart, counted under ``counts["planned"]``), outlines."""
    parts = [f"<b>{esc(t('map.legend.grids'))}</b><br>"]
    for i, (low, high) in enumerate(classification.ranges(lowest)):
        n = classification.counts()[i]
        label = f"{low:.1f} – {high:.1f} ({fmt_int(n)})"
        parts.append(_swatch(GRID_PALETTE[min(i, len(GRID_PALETTE) - 1)], label) + "<br>")
    parts.append(f"<small>{esc(t('map.legend.classification'))}</small><br>")
    parts.append(f"<b>{esc(t('map.legend.compounds'))}: "
                 f"{esc(t('map.indicator.' + indicator))}</b><br>")
    for value, colour in INDICATOR_COLOURS[indicator].items():
        label = t(f"map.value.{indicator}.{value}")
        parts.append(_swatch(colour, f"{label} ({fmt_int(counts.get(value, 0))})") + "<br>")
    parts.append(f"<b>{esc(t('map.legend.positions'))}</b><br>")
    for tier in TIER_SYMBOLS:
        parts.append(f"<span style='vertical-align:middle'>{tier_svg(tier)}</span> "
                     f"{esc(t('map.tier.' + tier))}<br>")
    if counts.get(PLANNED):
        parts.append(f"<span style='vertical-align:middle'>{tier_svg('point', planned=True)}"
                     f"</span> {esc(t('planned.legend'))} ({fmt_int(counts[PLANNED])})<br>")
    parts.append(f"<b>{esc(t('map.legend.outlines'))}</b><br>")
    for key in ("districts", "streets", "communities", "dispatch_areas"):
        style = OUTLINES[key]
        parts.append(_swatch("transparent", t(f"map.layer.{key}"), style["stroke"]) + "<br>")
    parts.append(_swatch(MEMBER_COLOUR, t("map.layer.members")) + "<br>")
    parts.append(f"<small>{esc(t('map.legend.members_note'))}</small>")
    return "<div style='font-size:0.85rem;line-height:1.6'>" + "".join(parts) + "</div>"


def show_legend(classification, lowest: float, indicator: str, counts: dict) -> None:
    st.markdown(legend_html(classification, lowest, indicator, counts), unsafe_allow_html=True)
