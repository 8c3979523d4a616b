"""The shared frame around every page: language switch, sample-data badge, page visibility."""

from __future__ import annotations

import streamlit as st

from components import i18n, session
from components.data import is_sample_store
from components.i18n import t


def init_language() -> None:
    """Language from the URL (?lang=en) or the session; Chinese first."""
    lang = st.session_state.get("lang") or st.query_params.get("lang", "zh")
    st.session_state["lang"] = lang if lang in i18n.LANGS else "zh"
    i18n.set_lang(st.session_state["lang"])


def visible_pages(pages: dict) -> list:
    """The pages the current session may open (roles narrow this; see components.session)."""
    return session.visible_pages(pages)


def sidebar() -> None:
    with st.sidebar:
        choice = st.radio(
            t("app.lang"), ["zh", "en"], index=0 if i18n.get_lang() == "zh" else 1,
            format_func=lambda code: "中文" if code == "zh" else "English", horizontal=True,
            key="lang_choice",
        )
        if choice != st.session_state["lang"]:
            st.session_state["lang"] = choice
            st.query_params["lang"] = choice
            st.rerun()
        if is_sample_store():
            st.warning(t("app.sample_badge"), icon="🧪")
    session.account_box()  # signed-in account + sign-out; demo banner


def blank_page() -> None:
    """The benchmark floor: the app's frame around a page holding only its title."""
    st.title(t("app.title"))


def bare_map_page() -> None:
    """Benchmark reference: the floor page plus an empty streamlit-folium map (no layers)."""
    from components.network_map import render_bare_map

    st.title(t("app.title"))
    render_bare_map()
