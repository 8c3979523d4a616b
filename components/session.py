"""The signed-in session: who is using the app, which pages they may open, sign-in and sign-out.

* No account in the store: a local demo (:data:`geo.auth.DEMO`, viewer-like, masked) with a
  banner. Once any account exists, nobody sees more than the sign-in page and the big screen
  before signing in.
* The session holds only the account name (:data:`ACCOUNT_KEY`) and its sign-in token
  (:data:`TOKEN_KEY`); role and grids are re-read from the store on every run, so disabling an
  account or changing its role takes effect at once (and ends its sign-ins everywhere).
* A sign-in lasts across reloads, shared links and new tabs of the same browser: the token is
  handed to the browser as a signed HttpOnly cookie (:mod:`components.web.session_cookie`) and
  a new session restores the account from it. After ``HONGTU_SESSION_MINUTES`` (default 30)
  without a script run in any of its tabs the token expires; signing out ends it in every tab
  (each one shows the sign-in form at its next run). Tests sign in with
  ``AppTest.session_state[ACCOUNT_KEY] = name`` (the account must exist; without a token the
  idle time is kept per session in :data:`LAST_SEEN_KEY`).
* On the big-screen page the principal is always :data:`geo.auth.BIG_SCREEN` (public, masked).
* Single sign-on: with an ``[auth]`` section in ``.streamlit/secrets.toml`` the sign-in page
  offers ``st.login``; the identity's e-mail (or name) must be an existing account name.

Pages per role (:data:`ROLE_PAGES`; navigation refuses every other page on the server):
org everything; planner the maps, planner, grids and orders (read-only, masked); grid leader
the maps, grids and orders; viewer the maps, grids and orders (read-only, masked); demo like a
viewer plus the planner; big screen only the display page. ``data_io`` and ``audit`` are org
only. Which pages the navigation offers, and what answers at the URL of the others:
:mod:`components.navigation`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import streamlit as st

from components import browser_session
from components.browser_session import idle_seconds, session_minutes  # noqa: F401 - re-exported
from components.data import _load_raw_layer, get_store
from components.data_text import md
from components.i18n import get_lang, t
from components.web.session_registry import Status
from geo import audit, auth, clock
from geo.auth import Principal, Role

log = logging.getLogger(__name__)

ACCOUNT_KEY = "hongtu_account"
LAST_SEEN_KEY = "hongtu_last_seen"
EXPIRED_KEY = "hongtu_session_expired"
BIG_SCREEN_PAGE = "big_screen"

_MAPS = ("overview", "compound")
ROLE_PAGES: dict[str, tuple[str, ...]] = {
    Role.ORG: ("overview", "compound", "planner", "grids", "orders", "data_io", "audit",
               "big_screen"),
    Role.PLANNER: (*_MAPS, "planner", "grids", "orders", "big_screen"),
    Role.GRID_LEADER: (*_MAPS, "grids", "orders", "big_screen"),
    Role.VIEWER: (*_MAPS, "grids", "orders", "big_screen"),
    Role.BIG_SCREEN: ("big_screen",),
}
DEMO_PAGES = (*_MAPS, "planner", "grids", "orders", "big_screen")
PAGE_KEYS = {  # url path or script name -> page key (data_io is served at /data)
    **{key: key for key in ROLE_PAGES[Role.ORG]}, "data": "data_io",
}
HOME_PAGE = "home"  # app.py: the overview served at / (hidden; the navigation links /overview)
PAGE_ALIASES = {HOME_PAGE: "overview"}


def localized(message: str) -> str:
    """The current language's half of a ``"中文 | English"`` message from ``geo``."""
    zh, sep, en = str(message).partition(" | ")
    return en if sep and get_lang() == "en" else zh


# --------------------------------------------------------------------------- who
def _accounts():
    return _load_raw_layer(auth.ACCOUNTS)


def demo_mode() -> bool:
    return _accounts().empty


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def _oidc_identity() -> str | None:
    if not _oidc_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    return st.user.get("email") or st.user.get("name")


def _signed_in_name() -> str | None:
    """The signed-in account name, signing out after inactivity; refreshes the last-seen time."""
    name = st.session_state.get(ACCOUNT_KEY)
    if name is None:
        name, expired = browser_session.restore()
        if expired:
            st.session_state[EXPIRED_KEY] = True
        if name is None:
            name = _oidc_identity()
            if name is None:
                return None
            browser_session.begin(name)  # single sign-on: the same cookie for downloads, maps
        st.session_state[ACCOUNT_KEY] = name
    if browser_session.bound():  # one browser's sign-in: idle time, sign-out shared by its tabs
        status = browser_session.check()
        if status != Status.ACTIVE:  # expired here, or ended by another tab or a restart
            sign_out(expired=status == Status.EXPIRED, audited=status == Status.EXPIRED)
            return None
        return name
    now = time.time()
    last = st.session_state.get(LAST_SEEN_KEY, now)
    if now - last > idle_seconds():
        sign_out(expired=True)
        return None
    st.session_state[LAST_SEEN_KEY] = now
    return name


@st.cache_resource(show_spinner=False, max_entries=8)
def _principals_at(url: str, key: str) -> Mapping[str, Principal]:
    """The enabled accounts' principals by name, once per change of the accounts (shared:
    Principal is frozen).
    A run asks four or five times who is signed in; a lookup in the accounts frame each time
    was a twentieth of a loaded server's time (issue #27)."""
    accounts = _load_raw_layer(auth.ACCOUNTS)
    return MappingProxyType({str(row[auth.NAME]): auth.principal_of(row)
                             for row in accounts.to_dict("records") if not bool(row[auth.DISABLED])})


def principal_of_account(name: str | None) -> Principal | None:
    """The principal of the enabled account ``name`` in the store as it is now, else None."""
    if name is None:
        return None
    store = get_store()
    return _principals_at(store.url, store.layer_revision((auth.ACCOUNTS,))).get(str(name))


def signed_in_principal() -> Principal:
    """The session's principal regardless of the page: DEMO, ANONYMOUS or an account's."""
    accounts = _accounts()
    if accounts.empty:
        return auth.DEMO
    name = _signed_in_name()
    if name is None:
        return auth.ANONYMOUS
    principal = principal_of_account(name)
    if principal is None:  # disabled or removed: end its sign-ins in every browser
        browser_session.end_account(name)
        sign_out()
        return auth.ANONYMOUS
    return principal


def _current_page() -> str | None:
    """The url path (or script name) of the page being run."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        manager = get_script_run_ctx().pages_manager
        info = manager.get_pages().get(manager.current_page_script_hash) or {}
    except (AttributeError, KeyError):  # outside a script run
        return None
    return info.get("url_pathname") or Path(str(info.get("script_path") or "")).stem or None


def allowed_pages(principal: Principal) -> tuple[str, ...]:
    if principal.demo:
        return DEMO_PAGES
    return ROLE_PAGES.get(principal.role, ())


def may_open(principal: Principal, key: str) -> bool:
    return PAGE_ALIASES.get(key, key) in allowed_pages(principal)


def audit_page_refusal(principal: Principal, key: str) -> None:
    try:
        zh_role, en_role = auth.ROLE_LABELS.get(principal.role, (principal.role,) * 2)
        audit.record_refusal(get_store(), principal.name, "open_page", object_id=key,
                             reason=f"{zh_role}无权打开此页面 | page not allowed for a {en_role}")
    except Exception:  # the refusal stands even if the audit write fails
        log.exception("could not audit page refusal for %s", principal.name)


def current_principal() -> Principal:
    """Who is acting on this page: BIG_SCREEN on the big screen, else the session's principal.

    Defence in depth: a page this principal may not open (reached without ``app.py``'s
    navigation; the pages live in ``views/`` so Streamlit's automatic ``pages/`` folder
    cannot serve them before app.py runs) stops here with the sign-in form or a refusal."""
    page = _current_page()
    if page == BIG_SCREEN_PAGE:
        return auth.BIG_SCREEN
    principal = signed_in_principal()
    key = PAGE_KEYS.get(page or "")
    if key is not None and key not in allowed_pages(principal):
        if principal == auth.ANONYMOUS:
            sign_in_form()
        else:
            audit_page_refusal(principal, key)
            st.error(t("auth.page_refused"), icon="🔒")
        st.stop()
    return principal


def guard(action: str, grid_ids=None) -> Principal:
    """Stop the page with a clear message (and an audit row) unless ``action`` is allowed."""
    principal = current_principal()
    try:
        auth.require(principal, action, store=get_store(), grid_ids=grid_ids)
    except auth.PermissionDenied as denied:
        st.error(localized(denied.message), icon="🔒")
        st.stop()
    return principal


# --------------------------------------------------------------------------- sign-in/out
def sign_in(principal: Principal) -> None:
    """Sign this session in; the page then hands the browser its cookie (:func:`account_box`)."""
    st.session_state[ACCOUNT_KEY] = principal.name
    browser_session.begin(principal.name)
    st.session_state[LAST_SEEN_KEY] = time.time()
    st.session_state.pop(EXPIRED_KEY, None)


def sign_out(expired: bool = False, audited: bool = True) -> None:
    """Sign this session out and end its browser sign-in in every tab (``audited``: write the
    sign-out to the audit log; not when another tab already ended it)."""
    name = st.session_state.pop(ACCOUNT_KEY, None)
    browser_session.end()
    st.session_state.pop(LAST_SEEN_KEY, None)
    if expired:
        st.session_state[EXPIRED_KEY] = True
    if name is not None and audited:
        try:
            with get_store().transaction(name) as tx:
                audit.record(tx, name, "sign_out", auth.ACCOUNTS, name,
                             reason="inactivity" if expired else None)
        except Exception:  # signing out must not fail
            log.exception("could not audit sign-out of %s", name)
    if _oidc_identity() is not None:
        st.logout()


def _error_text(error: auth.AuthError) -> str:
    if isinstance(error, auth.AccountLocked):
        return t("auth.locked", until=f"{clock.local_text(error.until)} ({clock.zone_name()})")
    if str(error) == auth.ACCOUNT_DISABLED:
        return t("auth.disabled")
    return t("auth.bad_credentials")


def sign_in_form() -> None:
    """The sign-in page: account and password (and single sign-on when configured)."""
    st.title(t("auth.title"))
    if st.session_state.get(EXPIRED_KEY):
        st.info(t("auth.expired"), icon="⏱️")
    with st.form("sign_in", enter_to_submit=True):
        name = st.text_input(t("auth.account"), key="sign_in_name")
        password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
        submitted = st.form_submit_button(t("auth.submit"), type="primary")
    if submitted:
        try:
            principal = auth.authenticate(get_store(), name.strip(), password)
        except auth.AuthError as error:
            st.error(_error_text(error), icon="🔒")
        else:
            sign_in(principal)
            st.rerun()
    if _oidc_configured():
        who = _oidc_identity()
        if who is not None and st.session_state.get(ACCOUNT_KEY) is None:
            st.warning(t("auth.sso_no_account", who=md(who)))
        st.button(t("auth.sso"), on_click=st.login)
    st.caption(t("auth.big_screen_hint"))


def account_box() -> None:
    """Sidebar: who is signed in and a sign-out button; the demo banner on top of the page."""
    principal = signed_in_principal()
    if principal.demo:
        st.warning(t("auth.demo_banner"), icon="🔓")
        return
    if principal == auth.ANONYMOUS:
        return
    with st.sidebar:
        st.caption(t("auth.signed_in_as", name=md(principal.name), role=t(f"role.{principal.role}")))
        st.button(t("auth.sign_out"), on_click=sign_out, key="sign_out")
