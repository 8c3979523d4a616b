"""``/hongtu/health`` for a reverse proxy or monitor: 200 ``{"status": "ok", "store": kind}``
only when the store opens and holds the schema (a GeoPackage with its tables and layers, a
PostGIS database whose migrations are current), checked in a worker thread; else 503
``{"status": "error"}``. The caller is anonymous: no revision, address, user or error text
is returned; the reason is logged.
Streamlit's own ``/_stcore/health`` only says the process is up."""

from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.routing import Route

PATH = "hongtu/health"
SCHEMA_TABLES = ("gpkg_contents", "gpkg_spatial_ref_sys", "hongtu_state")
LOG = logging.getLogger("hongtu.health")


def _check() -> dict:
    """{"status": "ok", "store": kind} when the store opens and holds the schema; raises
    otherwise. Nothing about the store's revision or address: the caller is anonymous."""
    from geo.store import open_store, store_url  # here, not at start-up: the server answers at once

    url = store_url()
    started = time.perf_counter()
    if str(url).startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        from geo.store.migrations import is_current

        store = open_store(url)
        with store.engine.connect() as conn:
            if not is_current(conn):
                raise RuntimeError("the PostGIS schema is missing or out of date")
        kind = "postgis"
    else:
        path = Path(str(url).removeprefix("file:"))
        if not path.is_file():
            raise RuntimeError("the store file is missing")
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            missing = [t for t in SCHEMA_TABLES if t not in tables]
            if missing or not conn.execute("SELECT count(*) FROM gpkg_contents").fetchone()[0]:
                raise RuntimeError(f"the store holds no Hongtu schema (missing {missing})")
        kind = "gpkg"
    return {"status": "ok", "store": kind,
            "store_ms": round((time.perf_counter() - started) * 1000, 1)}


async def health(request):
    try:
        body = await run_in_threadpool(_check)
    except Exception:  # any store failure is "unhealthy": logged here, never returned
        LOG.exception("health check failed")
        return JSONResponse({"status": "error"}, status_code=503)
    return JSONResponse(body)


def routes() -> list:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return [Route("/" + "/".join(p for p in (base, PATH) if p), health, methods=["GET", "HEAD"])]
