"""Who sends an HTTP request to Hongtu's own routes and gated paths (no script run there):
the same principal the pages would see for that browser."""

from __future__ import annotations

from components.browser_session import idle_seconds
from components.data import _load_raw_layer
from components.session import principal_of_account
from components.web.session_cookie import cookie_token
from components.web.session_registry import REGISTRY
from geo import auth
from geo.auth import Principal


def request_principal(cookies) -> Principal:
    """DEMO (no account in the store), the account of a valid session cookie, else ANONYMOUS.
    A request is not activity: it does not extend the sign-in's idle time."""
    accounts = _load_raw_layer(auth.ACCOUNTS)
    if accounts.empty:
        return auth.DEMO
    name = REGISTRY.account(cookie_token(cookies), idle_seconds())
    return principal_of_account(name) or auth.ANONYMOUS
