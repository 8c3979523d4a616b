"""The overview above a county: the units below the session's unit on a coloured map, their
figures in a table, and the way down (a click, or the picker under the table) and back up."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import network_cache, units
from components.data_text import md
from components.headline import show_headline
from components.i18n import fmt_int, t
from components.units_map import show_units_map
from geo import hierarchy, unit_figures

INDICATOR_KEY = "ov_unit_indicator"
COLUMNS = ("name", "compounds", "grids", "members", "positions")


def breadcrumb(unit: hierarchy.Unit) -> None:
    """The units above ``unit``, each a button back up to it (nothing at the top): the one
    directly above says "返回上一级", the ones higher up their name only; the unit's own label
    on the same line, centred with the buttons."""
    path = hierarchy.breadcrumb(units.all_units(), unit)
    if len(path) < 2:
        return
    cols = st.columns(len(path) + 2, vertical_alignment="center")
    parent = path[-2]
    for col, above in zip(cols, path[:-1]):
        text = t("unit.up", name=above.name) if above.code == parent.code else above.name
        if col.button(text, key=f"unit_up_{above.code}"):
            units.set_unit(above.code)
            st.rerun()
    cols[len(path) - 1].markdown(f"**{units.label(unit)}**")


def show(unit: hierarchy.Unit) -> None:
    """The page above a county: headline, breadcrumb, the units map and table."""
    show_headline(*network_cache.headline())
    breadcrumb(unit)
    all_units = units.all_units()
    below = hierarchy.children(all_units, unit)
    codes = [u.code for u in below]
    table = unit_figures.unit_table(network_cache.unit_counts(), all_units, codes)
    indicator = st.selectbox(t("unit.map.indicator"), unit_figures.INDICATORS, key=INDICATOR_KEY,
                             format_func=lambda k: t(f"unit.indicator.{k}"))
    level = t(f"unit.level.{below[0].level}") if below else ""
    st.caption(t("unit.map.caption", name=md(unit.name), n=fmt_int(len(below)), level=level,
                 indicator=t(f"unit.indicator.{indicator}")))
    # a click on it is followed by units.init_unit at the start of the next run
    show_units_map(network_cache.unit_shapes(codes), table, indicator, key=units.map_key(unit.code))
    _table(table, indicator)
    pick_col, go_col = st.columns([3, 1])
    names = dict(zip(table["code"], table["name"]))
    choice = pick_col.selectbox(t("unit.children", level=level), codes, key="unit_child_pick",
                                format_func=names.get)
    if go_col.button(t("unit.open"), key="unit_open") and choice:
        units.set_unit(choice)
        st.rerun()


def _table(table: pd.DataFrame, indicator: str) -> None:
    shown = table[[*COLUMNS, *unit_figures.INDICATORS]].copy()
    for column in COLUMNS[1:]:
        shown[column] = shown[column].map(fmt_int)
    for column in unit_figures.INDICATORS:
        shown[column] = shown[column].map(lambda v: "—" if pd.isna(v) else f"{v:g}")
    headers = {c: t(f"unit.col.{c}") for c in COLUMNS}
    headers.update({k: t(f"unit.indicator.{k}") for k in unit_figures.INDICATORS})
    st.markdown(f"**{t('unit.table')}**")
    st.dataframe(shown.rename(columns=headers), hide_index=True, width="stretch")
