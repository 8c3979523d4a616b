"""红图 Hongtu: the multipage Streamlit app. Registers the pages, draws the shared sidebar."""

from __future__ import annotations

import streamlit as st

from components import frame
from components.i18n import t

st.set_page_config(page_title="红图 Hongtu", page_icon="🗺️", layout="wide")

frame.init_language()
PAGES = {
    "overview": st.Page("pages/overview.py", title=t("page.overview"), icon="🗺️", default=True,
                        url_path="overview"),
    "compound": st.Page("pages/compound.py", title=t("page.compound"), icon="🏘️",
                        url_path="compound"),
    "planner": st.Page("pages/planner.py", title=t("page.planner"), icon="📍", url_path="planner"),
    "grids": st.Page("pages/grids.py", title=t("page.grids"), icon="🧩", url_path="grids"),
    "orders": st.Page("pages/orders.py", title=t("page.orders"), icon="📋", url_path="orders"),
    "data_io": st.Page("pages/data_io.py", title=t("page.data_io"), icon="📦", url_path="data"),
    "audit": st.Page("pages/audit.py", title=t("page.audit"), icon="🔎", url_path="audit"),
    "big_screen": st.Page("pages/big_screen.py", title=t("page.big_screen"), icon="🖥️",
                          url_path="big_screen"),
}

visible = frame.visible_pages(PAGES)
page = st.navigation(visible, position="sidebar" if len(visible) > 1 else "hidden")
if page.url_path != "big_screen":
    frame.sidebar()
page.run()
