"""``GET /hongtu/layers/<folder>/<name>.json``: the map's layer files, with the same sign-in
as the page that draws them.

* What the public big screen draws (outlines, grids with member totals, compounds, positions,
  dispatch areas, and ``combined.json`` which holds just these) is public.
* Member points (:func:`components.layer_publish.is_private`: one file per tile) need a principal that may open
  the network map: 401 without a valid session cookie, 403 for a role without the map (the
  big-screen account). Demo mode (no account) stays open, as every page does.
* Only the current store revision's files are served (and the previous revision's for a short
  grace, :data:`components.layer_files.GRACE_SECONDS`); any other folder, name or file is 404.
* A file of the current revision not written yet (the store changed after the page was drawn,
  or since the start-up warm-up, and no page has drawn the new revision's map in that language
  and frame) is written on request, as the page would have: never a 404 for a current layer.
"""

from __future__ import annotations

import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from components import i18n
from components.data import get_store
from components.layer_files import REVISIONS, revision_dir_name
from components.layer_publish import is_private, publish_layers
from components.session import may_open
from components.web.gate import refusal
from components.web.principal import request_principal
from components.web.state import layer_root
from geo import auth

FOLDER = re.compile(r"[0-9a-f]{16}-(wgs84|gcj02)-[a-z]{2}(-u[0-9]{1,12})?")
NAME = re.compile(r"[a-z_]{1,20}[0-9_]{0,20}")
MAP_PAGE = "overview"  # member points are shown to whoever may open the network map
HEADERS = {"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"}


def _check(folder: str, name: str, cookies) -> int | None:
    """None when the file may be served, else the HTTP status refusing it."""
    if not FOLDER.fullmatch(folder) or not NAME.fullmatch(name):
        return 404
    REVISIONS.note(get_store().revision())
    if not REVISIONS.serves(folder):  # a revision this process has not read yet (another's
        REVISIONS.note(get_store().current_revision())  # write, under a quarter second ago)?
        if not REVISIONS.serves(folder):
            return 404
    if is_private(name):
        principal = request_principal(cookies)
        if principal == auth.ANONYMOUS:
            return 401
        if not may_open(principal, MAP_PAGE):
            return 403
    return None


def write_current(folder: str) -> None:
    """Write the layer files of ``folder`` if it is the current revision's (in its frame,
    language and unit), as a page drawing that map would (``publish_layers``)."""
    from components import network_cache  # the map's caches: imported on first need

    match = FOLDER.fullmatch(folder)
    store = get_store()
    revision = store.current_revision()
    frame, lang = match.group(1), folder.split("-")[2]
    unit = (match.group(2) or "")[2:]
    if folder != revision_dir_name(revision, f"{frame}-{lang}{match.group(2) or ''}"):
        return  # an older revision (in its grace) or a unit holding everything: not rebuilt
    data = network_cache.map_data_at(revision, unit)
    if data.grids.empty:
        return
    before = i18n.get_lang()
    i18n.set_lang(lang)  # this request's context only (outside a script run)
    try:
        publish_layers(data, gcj02=frame == "gcj02")
    finally:
        i18n.set_lang(before)


async def layer_file(request: Request) -> Response:
    folder, name = request.path_params["folder"], request.path_params["name"]
    status = await run_in_threadpool(_check, folder, name, request.cookies)
    path = layer_root() / folder / f"{name}.json"
    if status is None and not path.is_file():
        await run_in_threadpool(write_current, folder)
        if not path.is_file():
            status = 404
    if status is not None:
        return refusal(status)
    return FileResponse(path, media_type="application/json", headers=HEADERS)
