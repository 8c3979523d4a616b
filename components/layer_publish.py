"""Which map layers are written as files, and writing them for one map: shared by the map
(:mod:`components.network_map`), the gated route serving them (:mod:`components.web.layers`)
and the start-up warm-up (:mod:`components.web.warmup`). Kept apart from the map module, which
imports streamlit-folium: a Streamlit component module must first be imported inside a script
run, or its frontend is never registered (404), and the server imports these before any."""

from __future__ import annotations

from components.i18n import get_lang
from components.layer_files import publish
from components.map_payloads import (
    GRID_MIN_ZOOM,
    GRID_TILE_DEG,
    GRID_TILE_PREFIX,
    MEMBER_TILE_DEG,
    MEMBER_TILE_PREFIX,
    MapData,
    payload_builders,
    payload_key,
    tile_builders,
)

MEMBERS, GRIDS = "members", "grids"


def is_private(name: str) -> bool:
    """Member points (one file, or one per tile): never on the public big screen, and served
    only behind the sign-in (components.web.layers)."""
    return name == MEMBERS or name.startswith(MEMBER_TILE_PREFIX)


def publish_layers(data: MapData, gcj02: bool, public: bool = False) -> dict:
    """Write the layer files of ``data`` in the current language (once per revision); return
    ``name -> URL``. Grids and members are tiled: for them the map gets the tile index it
    fetches from, ``{"base", "keys", "size"}`` (grids also ``minZoom``), and fetches only the
    tiles in view. ``public``: without member points (the big screen's map)."""
    builders = {n: b for n, b in payload_builders(data, gcj02).items()
                if not is_private(n) and n != GRIDS}
    combined = tuple(builders)  # what the map draws as soon as it opens: one request
    tiles = tile_builders(data, gcj02, members=not public)
    frame = ("gcj02" if gcj02 else "wgs84") + "-" + get_lang() + (
        f"-u{data.unit}" if data.unit else "")  # each unit's layers in a folder of their own
    payloads = builders | tiles
    urls = publish(data.revision, frame, payloads, combined=combined,
                   keys={name: payload_key(data, name) for name in payloads})
    folder = urls["streets"].split("#")[0].rsplit("/", 1)[0]
    for name in tiles:
        del urls[name]
    urls[GRIDS] = {"base": f"{folder}/{GRID_TILE_PREFIX}", "size": GRID_TILE_DEG,
                   "keys": sorted(data.grid_tiles), "minZoom": GRID_MIN_ZOOM}
    if not public:
        urls[MEMBERS] = {"base": f"{folder}/{MEMBER_TILE_PREFIX}", "size": MEMBER_TILE_DEG,
                         "keys": sorted(data.member_tiles)}
    return urls
