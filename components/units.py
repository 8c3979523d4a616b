"""The unit a session looks at: the province, a city or a county (geo.hierarchy).

Shown only when the store holds more than one district (Huangyan alone behaves as before).
The unit lives in this session's state and in the URL (``?unit=331003``), so a link or a
reload keeps it; every page's layers are then cut to it (components.data.current_unit)."""

from __future__ import annotations

import streamlit as st

from components.data import UNIT_STATE, store_units
from components.data_text import md
from components.i18n import t
from components.units_map import clicked_unit
from components.url_text import literal
from geo import hierarchy

UNIT_PARAM = "unit"
PICK_KEY = "hongtu_unit_pick"
VISIT_STATE = "hongtu_unit_visit"  # counts unit changes: each visit gets a fresh units map
INDENT = "\u3000"  # a full-width space per level below the top


def all_units() -> list[hierarchy.Unit]:
    return list(store_units())


def init_unit() -> None:
    """The session's unit: kept in its state; on its first run taken from the URL; else the
    top unit (the province, or the city)."""
    units = all_units()
    if len({d for u in units for d in u.districts}) <= 1:
        st.session_state[UNIT_STATE] = ""
        return
    codes = {u.code for u in units}
    current = st.session_state.get(UNIT_STATE)
    if current not in codes:
        wanted = st.query_params.get(UNIT_PARAM)
        current = wanted if wanted in codes else _top_code(units)
        if wanted and wanted not in codes:  # said, not silently replaced by the top unit
            top = hierarchy.find(units, current)
            st.warning(t("url.bad_unit", value=literal(wanted),
                         used=md(top.name if top else current)))
    st.session_state[UNIT_STATE] = current
    _follow_map_click(units, current)


def map_key(code: str) -> str:
    """The widget key of unit ``code``'s units map (new on every visit: a fresh map)."""
    return f"units_map_{code}_{visit()}"


def _follow_map_click(units: list[hierarchy.Unit], code: str) -> None:
    """A click on the units map (its value is stored before this run starts): go down to the
    clicked unit now, before anything is drawn, so the run draws that unit at once."""
    clicked = clicked_unit(st.session_state.get(map_key(code)))
    unit = hierarchy.find(units, code)
    if clicked and unit and clicked in {u.code for u in hierarchy.children(units, unit)}:
        set_unit(clicked)


def _top_code(units: list[hierarchy.Unit]) -> str:
    top = hierarchy.top(units)
    return top.code if top else units[0].code


def set_unit(code: str) -> None:
    """Go to unit ``code`` (a drill-down click, a breadcrumb); the picker follows on the next
    run."""
    st.session_state[UNIT_STATE] = code
    st.session_state[VISIT_STATE] = st.session_state.get(VISIT_STATE, 0) + 1
    st.query_params[UNIT_PARAM] = code


def _picked() -> None:
    set_unit(st.session_state[PICK_KEY])


def current() -> hierarchy.Unit | None:
    """The session's unit, or None when the store holds one district."""
    return hierarchy.find(all_units(), st.session_state.get(UNIT_STATE))


def picker() -> None:
    """The sidebar's unit picker (nothing when the store holds one district)."""
    units = all_units()
    unit = current()
    if unit is None:
        return
    st.session_state[PICK_KEY] = unit.code  # follows a click elsewhere (before it is drawn)
    by_code = {u.code: u for u in units}
    st.selectbox(t("unit.pick"), list(by_code), key=PICK_KEY, on_change=_picked,
                 format_func=lambda c: INDENT * by_code[c].depth + by_code[c].name)
    st.query_params[UNIT_PARAM] = unit.code


def label(unit: hierarchy.Unit) -> str:
    return f"{unit.name} · {t(f'unit.level.{unit.level}')}"


def visit() -> int:
    return int(st.session_state.get(VISIT_STATE, 0))
