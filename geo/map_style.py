"""Colours and symbols of the network map, and the legend's entries: one definition for the
on-screen map (components.legend / components.network_map draw them with folium and SVG) and
the printed map sheet (geo.printing draws them with matplotlib). No folium, no Streamlit.

Symbol shapes are polygons in a 100 × 100 box (y down, as in SVG); the circle is a circle.
Legend entries carry translation keys (``label_key``) or finished text (``text``); the caller
turns keys into words with its own ``label`` function.
"""

from __future__ import annotations

from dataclasses import dataclass

GRID_PALETTE = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603")
GRID_STROKE = "#bf9b7a"
INDICATOR_COLOURS = {
    "disclosure": {"full": "#1a9850", "partial": "#fdae61", "none": "#d73027",
                   "no_data": "#bdbdbd"},
    "red_property": {"true": "#c62828", "false": "#78909c"},
    "branch_type": {"real": "#c62828", "joint": "#ef8a3c", "none": "#bdbdbd"},
}
COMPOUND_STROKE = "#37474f"
OUTLINES = {
    "counties": {"stroke": "#9e9e9e", "fill": "#ece8df", "weight": 1, "fillOpacity": 1.0},
    "districts": {"stroke": "#8b0000", "fill": "#fbf8f2", "weight": 3, "fillOpacity": 1.0},
    "streets": {"stroke": "#5d4037", "fill": "#000000", "weight": 2, "fillOpacity": 0.0},
    "communities": {"stroke": "#8d6e63", "fill": "#000000", "weight": 1, "fillOpacity": 0.0,
                    "dash": "3 3"},
    "dispatch_areas": {"stroke": "#1565c0", "fill": "#1565c0", "weight": 2,
                       "fillOpacity": 0.08, "dash": "8 4"},
}
LEGEND_OUTLINES = ("districts", "streets", "communities", "dispatch_areas")
MEMBER_COLOUR = "#6a1b9a"
SELECTED_COLOUR = "#00e5ff"
OFFLINE_BACKGROUND = "#dfe8ee"
SYMBOL_STROKE = "#ffffff"

# tier -> (shape, size px, colour, z-offset); core > zone > station > point
TIER_SYMBOLS = {
    "core": ("star", 34, "#b71c1c", 400),
    "zone": ("diamond", 26, "#d84315", 300),
    "station": ("triangle", 22, "#1565c0", 200),
    "point": ("circle", 14, "#f9a825", 100),
}
CIRCLE_RADIUS = 44  # of the 100 × 100 box
SHAPE_POINTS = {
    "star": ((50, 3), (61, 37), (97, 37), (68, 58), (79, 93), (50, 72), (21, 93), (32, 58),
             (3, 37), (39, 37)),
    "diamond": ((50, 4), (96, 50), (50, 96), (4, 50)),
    "triangle": ((50, 6), (96, 92), (4, 92)),
}


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: ``kind`` is "swatch" (filled box), "outline" (box border only),
    "symbol" (a tier's symbol) or "note" (small text)."""

    kind: str
    label_key: str | None = None
    text: str | None = None  # finished text (appended after the label when both are set)
    colour: str | None = None
    border: str = "#555"
    tier: str | None = None
    dash: str | None = None

    def label(self, label) -> str:
        words = [label(self.label_key)] if self.label_key else []
        if self.text:
            words.append(self.text)
        return " ".join(words)


@dataclass(frozen=True)
class LegendSection:
    title_key: str
    entries: tuple[LegendEntry, ...]
    title_text: str = ""  # appended after the title (e.g. ": " + the indicator's name)


def grid_colour(cls: int) -> str:
    return GRID_PALETTE[min(max(int(cls), 0), len(GRID_PALETTE) - 1)]


def legend_sections(classification, lowest: float, indicator: str, counts: dict,
                    label, *, tiers=None, members: bool = True) -> list[LegendSection]:
    """The legend of the network map: grid classes, compound indicator, tiers, outlines and
    members. ``label(key)`` gives words for keys that must be read into a title."""
    grid_entries = [
        LegendEntry("swatch", text=f"{low:.1f} – {high:.1f} ({int(n):,})", colour=grid_colour(i))
        for i, ((low, high), n) in enumerate(zip(classification.ranges(lowest),
                                                 classification.counts()))]
    grid_entries.append(LegendEntry("note", "map.legend.classification"))
    compound_entries = tuple(
        LegendEntry("swatch", f"map.value.{indicator}.{value}",
                    text=f"({int(counts.get(value, 0)):,})", colour=colour)
        for value, colour in INDICATOR_COLOURS[indicator].items())
    tier_entries = tuple(LegendEntry("symbol", f"map.tier.{tier}", tier=tier)
                         for tier in (tiers or TIER_SYMBOLS))
    outline_entries = [LegendEntry("outline", f"map.layer.{key}", colour="transparent",
                                   border=OUTLINES[key]["stroke"], dash=OUTLINES[key].get("dash"))
                       for key in LEGEND_OUTLINES]
    sections = [
        LegendSection("map.legend.grids", tuple(grid_entries)),
        LegendSection("map.legend.compounds", compound_entries,
                      ": " + label(f"map.indicator.{indicator}")),
        LegendSection("map.legend.positions", tier_entries),
    ]
    if members:
        outline_entries += [LegendEntry("swatch", "map.layer.members", colour=MEMBER_COLOUR),
                            LegendEntry("note", "map.legend.members_note")]
    sections.append(LegendSection("map.legend.outlines", tuple(outline_entries)))
    return sections
