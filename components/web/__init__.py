"""Hongtu's HTTP layer around Streamlit (see ``asgi.py``): extra routes, middleware and the
server's start-up work. Each concern lives in its own module here and contributes through the
three functions below; nothing in this package keeps per-user state in module variables (the
sign-in registry is keyed by random tokens, never a "current" user).

* :mod:`.session_cookie`: ``/hongtu/session/claim`` and ``/hongtu/session/end``, the signed
  cookie that keeps a sign-in across reloads and tabs (:mod:`.session_registry` behind it).
* :mod:`.layers`: ``/hongtu/layers/...``, the map's layer files, gated by sign-in and role.
* :mod:`.gate`: middleware gating ``/media/`` and ``/_stcore/metrics``.
* :mod:`.warmup`: caches warmed in a background thread at start-up; ``/hongtu/warm``.
* :mod:`.assets`: ``/hongtu/assets/...``, the map's scripts, styles and fonts (package data).
* :mod:`.health`: ``/hongtu/health``, for a reverse proxy.

The modules are imported inside the functions, when the server builds the app: the page
scripts import this package too (``components.session`` -> :mod:`.session_cookie`), and the
route modules import ``components.session``; importing them here at the top would make that
a cycle. What the server imports before it answers stays light (Starlette, itsdangerous):
the modules needing the store are imported by the warm-up thread (:mod:`.caches`) or at
first use."""

from __future__ import annotations

from contextlib import asynccontextmanager

from starlette.middleware import Middleware
from starlette.routing import Route

LAYER_ROUTE = "/hongtu/layers/{folder}/{name}.json"  # components.layer_files.LAYER_URL


async def layer_file(request):
    """The layer route; its module (store, pandas, folium: seconds to import) is loaded by the
    start-up warm-up in the background, so that the server answers at once."""
    from components.web.layers import layer_file as serve

    return await serve(request)


def routes() -> list:
    """Starlette routes checked before Streamlit's own (namespaced under ``/hongtu/``)."""
    from components.web import assets, health, session_cookie, warmup

    return [*session_cookie.routes(), Route(LAYER_ROUTE, layer_file, methods=["GET"]),
            *warmup.routes(), *assets.routes(), *health.routes()]


def middleware() -> list:
    """Starlette middleware, outermost first."""
    from components.web.gate import AccessGate

    return [Middleware(AccessGate)]


@asynccontextmanager
async def lifespan(app):
    """Start-up and shut-down work of the server process (not per session)."""
    from components.web import warmup

    warmup.start()
    yield
