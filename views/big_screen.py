"""Big screen at the service centre: a self-running, read-only display for visitors.

Reachable by URL alone (/big_screen). Personal data is always masked here. The spotlight and
the map move in a fragment that reruns every ``interval`` seconds; figures and ticker refresh
in their own slower fragment; the page itself never reloads.
"""

from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from components import screen_units, units
from components import screen_view as view
from components.context import page_context
from components.i18n import fmt_int, t
from components.screen_map import screen_map
from components.url_text import int_param, literal
from geo import screen
from geo.kpis import compute_kpis
from geo.network import headline_figures

LAYERS = ("compounds", "service_positions", "grids", "members", "party_branches",
          "owners_committees", "property_firms", "events", "service_orders", "cases",
          "joint_meetings", "disclosures", "streets", "districts", "counties",
          "joint_duty_stations", "communities", "meta")


def setting(name: str, default: str) -> str:
    """A screen setting from the URL (?interval=20&spotlight=C001,P01) or the environment."""
    return st.query_params.get(name) or os.environ.get(f"HONGTU_SCREEN_{name.upper()}", default)


def number_setting(name: str, default: int, low: int, high: int) -> int:
    """A whole-number setting; a bad value is named on the screen and the default used."""
    raw = setting(name, str(default))
    value, valid = int_param(raw, default, low, high)
    if not valid:
        st.warning(t("url.bad_number", name=name, value=literal(raw), low=low, high=high,
                     used=value), icon="⚠️")
    return value


ROTATE = setting("rotate", "") == "counties"  # ?rotate=counties: step through the counties
if ROTATE:
    screen_units.start_rotation()
ctx = page_context()
view.apply_screen_style()
INTERVAL = number_setting("interval", 20, 3, 3600)
REFRESH = number_setting("refresh", max(120, INTERVAL), INTERVAL, 86400)
COUNTY_INTERVAL = number_setting("county_interval", 120, 10, 86400) if ROTATE else 0
unit = units.current()
layers = ctx.layers(*LAYERS)
spotlight = screen.spotlight_ids(layers["compounds"], layers["service_positions"],
                                 setting("spotlight", ""))

top_left, top_right = st.columns([3, 1])
with top_left:  # the unit's name and its own network (一核三片四站十五点), counted
    district_names = layers["districts"].get("name", pd.Series(dtype=object))
    title_name = unit.name if unit else (district_names.iloc[0] if len(district_names) else "")
    view.title_bar(t("screen.title_network", name=title_name, words=t("screen.title_words"),
                     network=view.network_phrase(headline_figures(layers)["positions_by_tier"])),
                   t("app.sample_badge") if ctx.is_sample else None)
with top_right:
    view.clock()

left, main = st.columns([1.05, 3.45])


@st.fragment(run_every=REFRESH)
def figures() -> None:
    data = ctx.layers(*LAYERS)
    head = headline_figures(data)
    tiers = head["positions_by_tier"]
    view.section(t("screen.network"))
    view.figure_tiles([
        (f"{head['compounds']} · {head['branch_coverage_pct']:.0f}%", t("screen.compounds_branches")),
        (fmt_int(head["grids"]), t("screen.grids")),
        (fmt_int(head["members_in_grids"]), t("screen.members_placed")),
        (f"{tiers['core']}·{tiers['zone']}·{tiers['station']}·{tiers['point']}",
         t("screen.positions_tiers")),
        (fmt_int(head["floor_area_m2"]), t("screen.floor_total")),
        (fmt_int(head["events"]), t("screen.events_total")),
    ])
    kpi = compute_kpis(data)
    view.section(t("screen.outcomes"))
    def pct(key: str, spec: str) -> str:  # a figure the data cannot give (no cases yet): —
        return "—" if kpi.get(key) is None else format(kpi[key], spec)

    view.figure_tiles([
        (f"{pct('satisfaction_pct', '.2f')}%", t("screen.satisfaction")),
        (f"{pct('complaints_change_pct', '+.1f')}%", t("screen.complaints")),
        (f"{pct('disclosure_before_pct', '.1f')}→{pct('disclosure_pct', '.1f')}%",
         t("screen.disclosure")),
        (f"{kpi['joint_meetings']} / {kpi['cases_deliberated']}", t("screen.meetings")),
    ])


def trends() -> None:
    data = ctx.layers(*LAYERS)
    table = screen.monthly_trends(data, months=12, as_of=ctx.meta.get("as_of"))
    for column, key in (("complaints", "screen.trend_complaints"),
                        ("satisfaction_pct", "screen.trend_satisfaction"),
                        ("disclosure_pct", "screen.trend_disclosure")):
        if column in table:
            view.section(t(key))
            view.trend_chart(table, column)


@st.fragment(run_every=INTERVAL)
def rotation() -> None:
    if not spotlight:
        return
    step = st.session_state.get("screen_step", -1) + 1
    st.session_state["screen_step"] = step
    item = spotlight[step % len(spotlight)]
    data = ctx.layers(*LAYERS)
    card = screen.spotlight_card(item, data, t)
    map_col, card_col = st.columns([2.3, 1.15])
    with map_col:
        screen_map(center=(card.lat, card.lon), zoom=16 if card.kind == "compound" else 15)
    with card_col:
        view.section(t("screen.spotlight"))
        view.spotlight_card(card)
        trends()


with left:
    figures()
with main:
    rotation()


@st.fragment(run_every=REFRESH)
def news() -> None:
    view.ticker(screen.ticker_items(ctx.layers(*LAYERS), limit=20, text=t))


news()
if ROTATE:
    screen_units.rotation(COUNTY_INTERVAL)
