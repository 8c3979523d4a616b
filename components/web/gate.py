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
from starlette.responses import PlainTextResponse, Response
from streamlit import config

MEDIA_PREFIX = "/media/"
METRICS_PATH = "/_stcore/metrics"
OLD_LAYERS_PREFIX = "/app/static/layers/"
REFUSED = {401: "需要登录 | sign-in required", 403: "无权限 | not allowed",
           404: "未找到 | not found"}
SIGNED_IN, ORG = "signed_in", "org"  # what a gated path needs


def refusal(status: int) -> Response:
    return PlainTextResponse(REFUSED[status], status_code=status,
                             headers={"Cache-Control": "no-store"})


def rule_for(path: str):
    """``None`` (not gated), ``False`` (always 404) or what the principal needs."""
    if path.startswith(OLD_LAYERS_PREFIX):
        return False
    if path.startswith(MEDIA_PREFIX):
        return SIGNED_IN
    if path.rstrip("/") == METRICS_PATH:
        return ORG
    return None


def _app_path(path: str) -> str:
    """``path`` without Streamlit's ``server.baseUrlPath`` prefix."""
    base = "/" + (config.get_option("server.baseUrlPath") or "").strip("/")
    if base != "/" and (path == base or path.startswith(base + "/")):
        return path[len(base):] or "/"
    return path


def _status(need: str, cookies) -> int | None:
    # Imported on the first gated request (the start-up warm-up loads it before): it pulls in
    # the store and pandas, and this module is loaded before the server answers at all.
    from components.web.principal import request_principal
    from geo import auth

    principal = request_principal(cookies)
    if principal == auth.ANONYMOUS:
        return 401
    if need == ORG and not (principal.demo or principal.is_org):
        return 403
    return None


class AccessGate:
    """Plain ASGI middleware (websockets and ungated paths pass straight through)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        need = rule_for(_app_path(scope["path"])) if scope["type"] == "http" else None
        if need is None:
            await self.app(scope, receive, send)
            return
        status = 404 if need is False else await run_in_threadpool(
            _status, need, Request(scope).cookies)
        if status is None:
            await self.app(scope, receive, send)
        else:
            await refusal(status)(scope, receive, send)
