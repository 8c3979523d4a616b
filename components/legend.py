"""The legend beside the network map, drawn as HTML from the shared definitions in
geo.map_style (the printed map sheet draws the same entries with matplotlib)."""

from __future__ import annotations

import streamlit as st

from components.i18n import fmt_int, t
from components.map_layers import esc
from geo.map_style import (  # noqa: F401 - re-exported for the map modules
    CIRCLE_RADIUS,
    GRID_PALETTE,
    INDICATOR_COLOURS,
    MEMBER_COLOUR,
    OFFLINE_BACKGROUND,
    OUTLINES,
    SELECTED_COLOUR,
    SHAPE_POINTS,
    SYMBOL_STROKE,
    TIER_SYMBOLS,
    LegendEntry,
    legend_sections,
)


def _shape_svg(shape: str) -> str:
    if shape == "circle":
        return f"<circle cx='50' cy='50' r='{CIRCLE_RADIUS}'/>"
    points = " ".join(f"{x},{y}" for x, y in SHAPE_POINTS[shape])
    return f"<polygon points='{points}'/>"


PLANNED = "planned"  # a promoted scenario's position: not built, drawn hollow and dashed


def tier_svg(tier: str, planned: bool = False) -> str:
    shape, size, colour, _ = TIER_SYMBOLS[tier]
    style = (f"fill='#ffffff' fill-opacity='0.85' stroke='{colour}' stroke-width='10' "
             "stroke-dasharray='14 8'" if planned
             else f"fill='{colour}' stroke='{SYMBOL_STROKE}' stroke-width='8'")
    return (f"<svg width='{size}' height='{size}' viewBox='0 0 100 100'>"
            f"<g {style}>{_shape_svg(shape)}</g></svg>")


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


def _entry_html(entry: LegendEntry) -> str:
    text = entry.label(t)
    if entry.kind == "symbol":
        return f"<span style='vertical-align:middle'>{tier_svg(entry.tier)}</span> {esc(text)}<br>"
    if entry.kind == "note":
        return f"<small>{esc(text)}</small><br>"
    return _swatch(entry.colour, text, entry.border) + "<br>"


def legend_html(classification, lowest: float, indicator: str, counts: dict) -> str:
    """The legend beside the map: grid classes, compound indicator, tiers (planned positions
    apart, counted under ``counts["planned"]``), outlines."""
    parts = []
    for section in legend_sections(classification, lowest, indicator, counts, t):
        parts.append(f"<b>{esc(t(section.title_key) + section.title_text)}</b><br>")
        parts.extend(_entry_html(entry) for entry in section.entries)
        if section.title_key == "map.legend.positions" and counts.get(PLANNED):
            parts.append(f"<span style='vertical-align:middle'>{tier_svg('point', planned=True)}"
                         f"</span> {esc(t('planned.legend'))} ({fmt_int(counts[PLANNED])})<br>")
    return "<div style='font-size:0.85rem;line-height:1.6'>" + "".join(parts) + "</div>"


def show_legend(classification, lowest: float, indicator: str, counts: dict) -> None:
    st.markdown(legend_html(classification, lowest, indicator, counts), unsafe_allow_html=True)
