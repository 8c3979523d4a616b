"""The browser's side of a sign-in in the page script: binds this Streamlit session to the
browser's sign-in token (:mod:`components.web.session_cookie`), restores it on a reload, a
shared link or a new tab, and hands the cookie to the browser or has it deleted.

Used by :mod:`components.session`, which decides who is signed in; this module only keeps
the token in ``st.session_state`` and asks the server-side registry about it."""

from __future__ import annotations

import os

import streamlit as st
from streamlit import runtime

from components.web import session_cookie
from components.web.session_registry import REGISTRY, Status

TOKEN_KEY = "hongtu_session_token"
NONCE_KEY = "hongtu_session_nonce"  # handed to the page until it claimed the cookie
END_KEY = "hongtu_session_end"  # the page still has to delete the cookie
SESSION_MINUTES_ENV = "HONGTU_SESSION_MINUTES"
DEFAULT_SESSION_MINUTES = 30.0


def session_minutes() -> float:
    try:
        return float(os.environ.get(SESSION_MINUTES_ENV, DEFAULT_SESSION_MINUTES))
    except ValueError:
        return DEFAULT_SESSION_MINUTES


def idle_seconds() -> float:
    return session_minutes() * 60


def _cookies():
    """The cookies of this session's first request (none in AppTest: no server)."""
    return st.context.cookies if runtime.exists() else {}


def restore() -> tuple[str | None, bool]:
    """``(account, expired)`` of this browser's sign-in cookie; an active one is bound to this
    session (and counts as activity), an idle one is reported once as expired."""
    token = session_cookie.cookie_token(_cookies())
    status = REGISTRY.status(token, idle_seconds(), touch=True)
    name = REGISTRY.account(token, idle_seconds()) if status == Status.ACTIVE else None
    if name is not None:
        st.session_state[TOKEN_KEY] = token
    elif status == Status.EXPIRED:
        st.session_state[END_KEY] = True
    return name, status == Status.EXPIRED


def bound() -> bool:
    """Is this session bound to a browser sign-in (else: idle time kept per session)?"""
    return st.session_state.get(TOKEN_KEY) is not None


def check() -> Status:
    """The bound sign-in's state, recording this script run as activity of the browser."""
    return REGISTRY.status(st.session_state.get(TOKEN_KEY), idle_seconds(), touch=True)


def begin(account: str) -> None:
    """A new browser sign-in for ``account``, bound to this session; the page hands the nonce
    to the browser at its next run (:func:`cookie_scripts`)."""
    token, nonce = REGISTRY.create(account, session_cookie.max_seconds())
    st.session_state[TOKEN_KEY] = token
    st.session_state[NONCE_KEY] = nonce


def end() -> None:
    """End the bound browser sign-in in every tab and have the page delete the cookie."""
    token = st.session_state.pop(TOKEN_KEY, None)
    st.session_state.pop(NONCE_KEY, None)
    if token is not None:
        REGISTRY.revoke(token)
        st.session_state[END_KEY] = True


def end_account(account: str) -> None:
    """End every browser sign-in of ``account`` (disabled or removed)."""
    REGISTRY.revoke_account(account)


def cookie_scripts() -> None:
    """Hand a fresh sign-in's nonce to the browser, which claims the cookie with a same-origin
    fetch; or have the browser delete the cookie of an ended one."""
    nonce = st.session_state.get(NONCE_KEY)
    if nonce is not None and not REGISTRY.nonce_pending(nonce):
        st.session_state.pop(NONCE_KEY)  # claimed (or timed out): nothing to hand over
        nonce = None
    if nonce is not None:
        script = session_cookie.claim_script(nonce)
    elif st.session_state.pop(END_KEY, False):
        script = session_cookie.end_script()
    else:
        return
    with st.sidebar:
        st.html(script, unsafe_allow_javascript=True)
