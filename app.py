"""红图 Hongtu: the multipage Streamlit app. Registers the pages, draws the shared sidebar.

The page scripts live in ``views/``, not ``pages/``: Streamlit runs a ``pages/`` folder as an
automatic multipage app on a server's first request, before ``st.navigation`` here, which
would bypass the sign-in gate.

The overview is the default page: Streamlit serves a default page at ``/`` only, so it is
registered twice, hidden at ``/`` and in the menu at ``/overview`` (the URL the README lists).
Every other URL of the table answers too: with the page, the sign-in form, or a reason in the
session's language (:mod:`components.navigation`)."""

from __future__ import annotations

import os
import time

import streamlit as st

from components import frame, navigation, session, streamlit_text, units
from components.i18n import t

RUN_STARTED = time.perf_counter()
st.set_page_config(page_title="红图 Hongtu", page_icon="🗺️", layout="wide")

frame.init_language()
units.init_unit()  # the province, a city or a county (when the store holds several)
PAGES = {  # the overview answers at / (the hidden default page) and at /overview (the menu's)
    session.HOME_PAGE: st.Page("views/overview.py", title=t("page.overview"), icon="🗺️",
                               default=True, url_path=session.HOME_PAGE, visibility="hidden"),
    "overview": st.Page("views/overview.py", title=t("page.overview"), icon="🗺️",
                        url_path="overview"),
    "compound": st.Page("views/compound.py", title=t("page.compound"), icon="🏘️",
                        url_path="compound"),
    "planner": st.Page("views/planner.py", title=t("page.planner"), icon="📍", url_path="planner"),
    "grids": st.Page("views/grids.py", title=t("page.grids"), icon="🧩", url_path="grids"),
    "orders": st.Page("views/orders.py", title=t("page.orders"), icon="📋", url_path="orders"),
    "data_io": st.Page("views/data_io.py", title=t("page.data_io"), icon="📦", url_path="data"),
    "audit": st.Page("views/audit.py", title=t("page.audit"), icon="🔎", url_path="audit"),
    "big_screen": st.Page("views/big_screen.py", title=t("page.big_screen"), icon="🖥️",
                          url_path="big_screen"),
}

FLOOR = os.environ.get("HONGTU_BENCHMARK_FLOOR")  # benchmarks/bench_map.py: same app, empty page
if FLOOR:  # "map": the empty page plus an empty streamlit-folium map
    PAGES[session.HOME_PAGE] = st.Page(
        frame.bare_map_page if FLOOR == "map" else frame.blank_page, title=t("page.overview"),
        default=True, url_path=session.HOME_PAGE, visibility="hidden")

streamlit_text.apply()
visible = frame.visible_pages(PAGES)
menu = [p for p in visible if p.visibility == "visible"]
page = st.navigation(visible, position="sidebar" if len(menu) > 1 else "hidden")
if not navigation.is_big_screen(page):
    frame.sidebar()
frame.hand_over_sign_in()
RUN_LOG = os.environ.get("HONGTU_RUN_LOG")  # benchmarks/bench_load.py: the server's side of a run
try:
    page.run()
finally:
    if RUN_LOG:
        frame.log_run(RUN_LOG, page.url_path, time.perf_counter() - RUN_STARTED)
