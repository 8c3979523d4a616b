"""Charts of the grids page, as Vega-Lite specifications drawn by ``st.vega_lite_chart`` (plain
dicts: Altair's schema validation took ~0.5 s per rerun): how households per member are
distributed over the grids, with the overload threshold marked, and the grids carrying the most
households per member, named. Horizontal labels, text in the page's language."""

from __future__ import annotations

import math

import pandas as pd

from components.i18n import t
from geo import grid_coverage as gc
from geo.grid_summary import threshold_text, worst_grids

HEIGHT = 240
BAR = "#fd8d3c"
OVER = "#c62828"
RULE = "#b71c1c"
MAX_BINS = 30
BAR_PX = 26  # one named bar: room for its label
PER, NAME, OVERLOADED = "per_member", "name", "overloaded"  # field names in the chart data


def _threshold_layers(limit: float) -> list[dict]:
    """A dashed rule at the threshold, labelled with the value compared (83.55)."""
    if not math.isfinite(limit):
        return []
    label = t("grids.chart.threshold", limit=threshold_text(limit))
    datum = {"data": {"values": [{"x": limit, "label": label}]}}
    return [
        {**datum, "mark": {"type": "rule", "color": RULE, "strokeDash": [6, 3], "strokeWidth": 2},
         "encoding": {"x": {"field": "x", "type": "quantitative"}}},
        {**datum, "mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": 4,
                           "dy": -2, "color": RULE, "fontWeight": "bold", "clip": False},
         "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"value": 0},
                      "text": {"field": "label"}}},
    ]


def _axis(title: str) -> dict:
    return {"title": title, "labelAngle": 0, "titleAngle": 0}


def distribution(coverage: pd.DataFrame, limit: float) -> tuple[pd.DataFrame, dict]:
    """(data, spec): a histogram of households per member over the grids that have members,
    the threshold as a dashed line labelled with its value."""
    per, grids = t("grids.col.households_per_member"), t("grids.chart.grids")
    data = pd.DataFrame({PER: coverage.loc[coverage[gc.MEMBERS] > 0, gc.PER_MEMBER].round(2)})
    bars = {
        "mark": {"type": "bar", "color": BAR},
        "encoding": {
            "x": {"field": PER, "type": "quantitative", "bin": {"maxbins": MAX_BINS},
                  "axis": _axis(per)},
            "y": {"aggregate": "count", "type": "quantitative",
                  "axis": {**_axis(grids), "titleAlign": "right", "titleY": -4, "titleX": -4,
                           "titleBaseline": "bottom"}},
            "tooltip": [{"field": PER, "type": "quantitative", "bin": {"maxbins": MAX_BINS},
                         "title": per},
                        {"aggregate": "count", "type": "quantitative", "title": grids}],
        },
    }
    return data, {"height": HEIGHT, "layer": [bars, *_threshold_layers(limit)]}


def worst(coverage: pd.DataFrame, limit: float, n: int = 10) -> tuple[pd.DataFrame, dict]:
    """(data, spec): the ``n`` grids with the most households per member as horizontal bars,
    named on the left (overloaded ones in dark red), the threshold as a dashed line."""
    per = t("grids.col.households_per_member")
    top = worst_grids(coverage, n)
    data = pd.DataFrame({NAME: top["name"], PER: top[gc.PER_MEMBER].round(2),
                         OVERLOADED: top[gc.PER_MEMBER] > limit})
    bars = {
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": NAME, "type": "nominal", "sort": "-x", "title": None,
                  "axis": {"labelAngle": 0, "labelLimit": 160, "labelOverlap": False}},
            "x": {"field": PER, "type": "quantitative", "axis": _axis(per)},
            "color": {"condition": {"test": f"datum.{OVERLOADED}", "value": OVER}, "value": BAR},
            "tooltip": [{"field": NAME, "type": "nominal", "title": t("polish.col.grid_name")},
                        {"field": PER, "type": "quantitative", "format": ".2f", "title": per}],
        },
    }
    return data, {"height": max(120, BAR_PX * len(data)), "layer": [bars, *_threshold_layers(limit)]}
