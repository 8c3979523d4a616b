"""Warm the server's caches when it starts, so the first visit after a start is as quick as a
later one: the store, every layer, the map's prepared data, search index and headline figures,
and the layer files in both languages. (Not the page modules: streamlit-folium must first be
imported inside a script run, or its frontend is never registered.) Runs in a background
thread: the server answers (``/_stcore/health``) at once; a visit during the warm-up waits
for the same cache entries instead of computing them twice (Streamlit's cache locks per key).

``GET /hongtu/warm`` answers 200 with the warm-up time once done, 503 while warming (the
benchmark waits for it), 500 if it failed (the pages then compute on first use, as before)."""

from __future__ import annotations

import logging
import threading
import time

from starlette.responses import JSONResponse
from starlette.routing import Route
from streamlit import runtime

log = logging.getLogger(__name__)

WARM_PATH = "/hongtu/warm"


class WarmUp:
    def __init__(self):
        self.done = threading.Event()
        self.seconds: float | None = None
        self.error: str | None = None

    def run(self) -> None:
        started = time.monotonic()
        try:
            # Imported here, in the warm-up thread: the store, pandas, geopandas and folium
            # take seconds to import, and this module is loaded before the server answers.
            from components.web.caches import warm_caches

            warm_caches()
        except Exception as error:  # a failed warm-up must not stop the server
            log.exception("warming the caches failed")
            self.error = repr(error)
        self.seconds = time.monotonic() - started
        self.done.set()
        log.info("caches warm after %.1f s", self.seconds)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="hongtu-warm-up", daemon=True)
        thread.start()
        return thread


WARM_UP = WarmUp()


async def warm_status(request) -> JSONResponse:
    if not WARM_UP.done.is_set():
        return JSONResponse({"warm": False}, status_code=503)
    status = 500 if WARM_UP.error else 200
    return JSONResponse({"warm": WARM_UP.error is None, "seconds": WARM_UP.seconds},
                        status_code=status, headers={"Cache-Control": "no-store"})


def routes() -> list:
    return [Route(WARM_PATH, warm_status, methods=["GET"])]


def start() -> None:
    """Called from the server's lifespan (``components.web.lifespan``)."""
    if runtime.exists():
        WARM_UP.start()
