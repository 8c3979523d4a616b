"""The shared frame around every page: language switch, sample-data badge, page visibility."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from components import browser_session, i18n, navigation, session, units
from components.data import is_sample_store
from components.i18n import t
from components.network_map import render_bare_map

LANG_PARAM = "lang"  # ?lang=en


def init_language() -> None:
    """This session's language: kept in its own session state; on its first run taken from
    the URL (?lang=en); Chinese first."""
    i18n.set_lang(st.session_state.get(i18n.LANG_KEY) or st.query_params.get(LANG_PARAM))


def visible_pages(pages: dict) -> list:
    """The pages the current session may open (roles narrow this; see components.session)."""
    return navigation.visible_pages(pages)


def sidebar() -> None:
    with st.sidebar:
        choice = st.radio(
            t("app.lang"), i18n.LANGS, index=i18n.LANGS.index(i18n.get_lang()),
            format_func=lambda code: "中文" if code == "zh" else "English", horizontal=True,
            key="lang_choice",
        )
        if choice != i18n.get_lang():
            i18n.set_lang(choice)
            st.query_params[LANG_PARAM] = choice
            st.rerun()
        units.picker()
        if is_sample_store():
            st.warning(t("app.sample_badge"), icon="🧪")
    session.account_box()  # signed-in account + sign-out; demo banner


def hand_over_sign_in() -> None:
    """Give the browser its sign-in cookie after a sign-in, or delete it after a sign-out (on
    every page, the big screen too: a big-screen account signs in there)."""
    browser_session.cookie_scripts()


def blank_page() -> None:
    """The benchmark floor: the app's frame around a page holding only its title."""
    st.title(t("app.title"))


def bare_map_page() -> None:
    """Benchmark reference: the floor page plus an empty streamlit-folium map (no layers)."""
    st.title(t("app.title"))
    render_bare_map()


def log_run(path: str, page: str, seconds: float) -> None:
    """One line per page run (``session /url-path seconds``) appended to ``path``: the server's
    own time for a run, for benchmarks/bench_load.py (HONGTU_RUN_LOG; off unless set)."""
    ctx = get_script_run_ctx()
    session_id = "_".join(ctx.session_id.split()) if ctx else "-"
    with open(path, "a", encoding="utf-8") as log:  # one short line: appends do not interleave
        log.write(f"{session_id} /{page} {seconds:.4f}\n")
