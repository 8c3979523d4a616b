"""``/hongtu/health`` for a reverse proxy or monitor: 200 when this server can read its store
(the store's revision is read, in a worker thread), 503 with the reason when it cannot.
Streamlit's own ``/_stcore/health`` only says the process is up."""

from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.routing import Route

PATH = "hongtu/health"


def _check() -> dict:
    from geo.store import open_store, store_url  # here, not at start-up: the server answers at once

    store = open_store(store_url())
    started = time.perf_counter()
    revision = store.revision()
    kind = "postgis" if hasattr(store, "engine") else "gpkg"
    return {"status": "ok", "store": kind, "revision": revision,
            "store_ms": round((time.perf_counter() - started) * 1000, 1)}


async def health(request):
    try:
        body = await run_in_threadpool(_check)
    except Exception as exc:  # noqa: BLE001 - any store failure is "unhealthy", with its reason
        return JSONResponse({"status": "error", "error": f"{type(exc).__name__}: {exc}"[:500]},
                            status_code=503)
    return JSONResponse(body)


def routes() -> list:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return [Route("/" + "/".join(p for p in (base, PATH) if p), health, methods=["GET", "HEAD"])]
