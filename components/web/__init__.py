"""Hongtu's HTTP layer around Streamlit (see ``asgi.py``): extra routes, middleware and the
server's start-up work. Each concern lives in its own module here and contributes through the
three functions below; nothing in this package keeps per-user state in module variables."""

from __future__ import annotations

from contextlib import asynccontextmanager

from components.web import assets, health


def routes() -> list:
    """Starlette routes checked before Streamlit's own (namespaced under ``/hongtu/``)."""
    return [*assets.routes(), *health.routes()]


def middleware() -> list:
    """Starlette middleware, outermost first."""
    return []


@asynccontextmanager
async def lifespan(app):
    """Start-up and shut-down work of the server process (not per session)."""
    yield
