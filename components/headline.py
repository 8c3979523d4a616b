"""Headline figure cards above the map, every figure counted from the store."""

from __future__ import annotations

import streamlit as st

from components.i18n import fmt_int, fmt_pct, t


def _pct(value, digits: int = 1) -> str:
    return t("head.na") if value is None else fmt_pct(value, digits)


# Compact cards (issue #25: at 1366x768 the map began at y≈500): smaller values, no delta
# arrow; a note under a figure wraps instead of being cut ("党支部覆盖 100.…").
COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3rem !important; }
[data-testid="stMetricValue"] { font-size: 1.8rem !important; line-height: 1.25 !important; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] *, [data-testid="stMetricLabel"],
[data-testid="stMetricLabel"] * { white-space: normal !important; overflow: visible !important;
  text-overflow: clip !important; height: auto !important; max-width: 100%; }
</style>"""


def show_headline(figures: dict, kpis: dict | None) -> None:
    """Two rows of metric cards: the network, then the outcome indicators."""
    st.html(COMPACT_CSS)
    tiers = figures["positions_by_tier"]
    top = st.columns([1, 1, 1.1, 1.3, 1.1, 0.9])
    top[0].metric(t("head.compounds"), fmt_int(figures["compounds"]),
                  t("head.branch_coverage", pct=fmt_pct(figures["branch_coverage_pct"])),
                  delta_color="off", delta_arrow="off")
    top[1].metric(t("head.grids"), fmt_int(figures["grids"]))
    top[2].metric(t("head.members"), fmt_int(figures["members_in_grids"]))
    top[3].metric(t("head.positions"), fmt_int(figures["positions"]),
                  t("head.positions_tiers", **{k: fmt_int(v) for k, v in tiers.items()}),
                  delta_color="off", delta_arrow="off")
    if figures.get("planned_positions"):  # a promoted scenario: never in the figures above
        top[3].caption(t("planned.count", n=fmt_int(figures["planned_positions"])))
    top[4].metric(t("head.floor_area"), fmt_int(round(figures["floor_area_m2"])))
    top[5].metric(t("head.events"), fmt_int(figures["events"]))
    kpis = kpis or {}
    disclosure = kpis.get("disclosure_pct", figures.get("disclosure_pct"))
    before = kpis.get("disclosure_before_pct")
    bottom = st.columns(4)
    bottom[0].metric(t("head.disclosure"), _pct(disclosure),
                     t("head.disclosure_before", pct=_pct(before)) if before is not None else None,
                     delta_color="off", delta_arrow="off")
    bottom[1].metric(t("head.satisfaction"), _pct(kpis.get("satisfaction_pct"), 2))
    change = kpis.get("complaints_change_pct")
    bottom[2].metric(t("head.complaints"),
                     t("head.na") if change is None else f"{change:+.1f}%")
    meetings = kpis.get("joint_meetings")
    bottom[3].metric(t("head.meetings"), t("head.na") if meetings is None else fmt_int(meetings),
                     t("head.cases_deliberated", n=fmt_int(kpis.get("cases_deliberated") or 0))
                     if meetings is not None else None, delta_color="off", delta_arrow="off")
