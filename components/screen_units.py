"""The big screen stepping through counties (?rotate=counties&county_interval=120): every
interval the screen's unit moves to the next county below the top unit and the page redraws
for it. The step is this screen session's own state."""

from __future__ import annotations

import time

import streamlit as st

from components import units
from components.data import UNIT_STATE
from geo import hierarchy

STEP_STATE = "screen_county_step"
SINCE_STATE = "screen_county_since"
BASE_STATE = "screen_county_base"  # the unit whose counties the screen steps through  # monotonic time of the last county change


def counties() -> list[hierarchy.Unit]:
    """The counties the screen steps through: those inside the unit it was opened on (the URL's
    ``unit``, else the top unit)."""
    all_units = units.all_units()
    base = hierarchy.find(all_units, st.session_state.get(BASE_STATE))
    inside = set(base.districts) if base else None
    return [u for u in all_units if u.level == hierarchy.COUNTY
            and (inside is None or set(u.districts) <= inside)]


def start_rotation() -> None:
    """On the screen's first run, start at the first county (before the page reads data)."""
    if STEP_STATE in st.session_state:
        return
    st.session_state[BASE_STATE] = st.session_state.get(UNIT_STATE) or ""
    found = counties()
    if len(found) > 1:
        st.session_state[STEP_STATE] = 0
        units.set_unit(found[0].code)


def rotation(seconds: int) -> None:
    """A fragment that moves to the next county every ``seconds`` (nothing with one county)."""
    if len(counties()) < 2:
        return

    @st.fragment(run_every=seconds)
    def step() -> None:
        now = time.monotonic()
        since = st.session_state.setdefault(SINCE_STATE, now)
        if now - since < seconds * 0.9:  # the page's own run, or a timer tick come early
            return
        found = counties()
        nxt = (st.session_state.get(STEP_STATE, 0) + 1) % len(found)
        st.session_state[STEP_STATE] = nxt
        st.session_state[SINCE_STATE] = now
        units.set_unit(found[nxt].code)
        st.rerun(scope="app")

    step()
