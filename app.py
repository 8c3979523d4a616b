"""红图 Hongtu: the multipage Streamlit app. Registers the pages, draws the shared sidebar.

The page scripts live in ``views/``, not ``pages/``: Streamlit runs a ``pages/`` folder as an
automatic multipage app on a server's first request, before ``st.navigation`` here, which
would bypass the sign-in gate."""

from __future__ import annotations

import os

import streamlit as st

from components import frame, streamlit_text
from components.i18n import t

st.set_page_config(page_title="红图 Hongtu", page_icon="🗺️", layout="wide")

frame.init_language()
PAGES = {
    "overview": st.Page("views/overview.py", title=t("page.overview"), icon="🗺️", default=True,
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
    PAGES["overview"] = st.Page(frame.bare_map_page if FLOOR == "map" else frame.blank_page,
                                title=t("page.overview"), default=True, url_path="overview")

streamlit_text.apply()
visible = frame.visible_pages(PAGES)
page = st.navigation(visible, position="sidebar" if len(visible) > 1 else "hidden")
if page.url_path != "big_screen":
    frame.sidebar()
page.run()
