"""Middleware refusing Streamlit's own HTTP paths that would hand out data without the sign-in
of the page that made it:

* ``/media/...`` (downloads such as the roster Excel and the grid summary, images): a signed-in
  account when accounts exist (401 otherwise); open in demo mode, as every page is.
* ``/_stcore/metrics`` (sessions and cache statistics): an ``org`` account when accounts exist.
* ``/app/static/layers/...``: layer files of older versions were served from the public static
  folder; that path is always 404 (they now live in the state directory, served by
  :mod:`components.web.layers`)."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from streamlit import config

from components.web.layers import refusal
from components.web.principal import request_principal
from geo import auth
from geo.auth import Principal

MEDIA_PREFIX = "/media/"
METRICS_PATH = "/_stcore/metrics"
OLD_LAYERS_PREFIX = "/app/static/layers/"


def _signed_in(principal: Principal) -> bool:
    return principal != auth.ANONYMOUS


def _org(principal: Principal) -> bool:
    return principal.demo or principal.is_org


def rule_for(path: str):
    """``None`` (not gated), ``False`` (always 404) or the test a principal must pass."""
    if path.startswith(OLD_LAYERS_PREFIX):
        return False
    if path.startswith(MEDIA_PREFIX):
        return _signed_in
    if path.rstrip("/") == METRICS_PATH:
        return _org
    return None


def _app_path(path: str) -> str:
    """``path`` without Streamlit's ``server.baseUrlPath`` prefix."""
    base = "/" + (config.get_option("server.baseUrlPath") or "").strip("/")
    if base != "/" and (path == base or path.startswith(base + "/")):
        return path[len(base):] or "/"
    return path


def _status(test, cookies) -> int | None:
    principal = request_principal(cookies)
    if test(principal):
        return None
    return 401 if principal == auth.ANONYMOUS else 403


class AccessGate:
    """Plain ASGI middleware (websockets and ungated paths pass straight through)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        test = rule_for(_app_path(scope["path"])) if scope["type"] == "http" else None
        if test is None:
            await self.app(scope, receive, send)
            return
        status = 404 if test is False else await run_in_threadpool(
            _status, test, Request(scope).cookies)
        if status is None:
            await self.app(scope, receive, send)
        else:
            await refusal(status)(scope, receive, send)
