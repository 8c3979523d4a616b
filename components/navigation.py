"""The navigation each session gets (``app.py`` hands it every page): the pages its principal
may open (:func:`components.session.allowed_pages`), and at the URL of every other page an
answer in the session's language instead of Streamlit's English "Page not found": the sign-in
form before sign-in, else a hidden page saying why (demo mode: the page needs an account)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from components.i18n import t
from components.session import (
    BIG_SCREEN_PAGE,
    HOME_PAGE,
    PAGE_ALIASES,
    audit_page_refusal,
    may_open,
    signed_in_principal,
)
from geo import auth
from geo.paths import APP_ROOT

LOGIN_SCRIPT = APP_ROOT / "views" / "login.py"  # the checkout's or the installed wheel's


def _url_path(key: str, page) -> str:
    return getattr(page, "_url_path", None) or page.url_path or key


def login_pages(pages: dict) -> list:
    """The sign-in form under every url of ``pages`` but the big screen, so a deep link
    (/grids) asks for sign-in and, once signed in, the rerun lands on the page asked for."""
    out = []
    for key, page in pages.items():
        if key == BIG_SCREEN_PAGE:
            continue
        first = not out
        out.append(st.Page(LOGIN_SCRIPT, title=t("page.login"), icon="🔐",
                           default=bool(getattr(page, "_default", False)),
                           url_path=_url_path(key, page),
                           visibility="visible" if first else "hidden"))
    return out


def refusal_page(key: str, page):
    """A hidden page at ``page``'s url saying, in the session's language, why this session
    may not open it (instead of Streamlit's English "Page not found")."""
    title = getattr(page, "title", None) or key

    def refused() -> None:
        principal = signed_in_principal()
        if principal.demo:
            st.warning(t("nav.refused.demo", page=title), icon="🔒")
        else:
            audit_page_refusal(principal, PAGE_ALIASES.get(key, key))
            st.error(t("nav.refused.role", role=t(f"role.{principal.role}"), page=title),
                     icon="🔒")

    refused.__name__ = f"refused_{key}"
    return st.Page(refused, title=title, url_path=_url_path(key, page), visibility="hidden")


def visible_pages(pages: dict) -> list:
    """The pages this session may open, in the order of ``pages`` (see the module docstring),
    then a hidden refusal page at the url of every other one.

    With accounts and nobody signed in: the sign-in form (under every page's url) and the
    big screen only."""
    principal = signed_in_principal()
    if principal == auth.ANONYMOUS:
        return [*login_pages(pages), pages[BIG_SCREEN_PAGE]]
    allowed = [page for key, page in pages.items() if may_open(principal, key)]
    refused = [refusal_page(key, page) for key, page in pages.items()
               if not may_open(principal, key)]
    if allowed and HOME_PAGE in pages and not may_open(principal, HOME_PAGE):
        # a role without the overview (the big-screen account): its first page answers at /
        # too; else Streamlit serves that page at / only and its own URL is "Page not found"
        refused = [page for page in refused if _url_path("", page) != HOME_PAGE]
        allowed.insert(0, home_copy(allowed[0]))
    return allowed + refused


def home_copy(page):
    """``page`` again, hidden, as the default page served at ``/``."""
    return st.Page(page._page, title=page.title, icon=page.icon, default=True,
                   url_path=HOME_PAGE, visibility="hidden")


def is_big_screen(page) -> bool:
    """Whether ``page`` (what st.navigation returned) runs the big screen, at its URL or at /."""
    return (_url_path("", page) == BIG_SCREEN_PAGE
            or Path(str(getattr(page, "_page", ""))).stem == BIG_SCREEN_PAGE)
