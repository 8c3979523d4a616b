"""Which map layers are written as files, and writing them for one map: shared by the map
(:mod:`components.network_map`), the gated route serving them (:mod:`components.web.layers`)
and the start-up warm-up (:mod:`components.web.warmup`). Kept apart from the map module, which
imports streamlit-folium: a Streamlit component module must first be imported inside a script
run, or its frontend is never registered (404), and the server imports these before any."""

from __future__ import annotations

from components.i18n import get_lang
from components.map_layers import publish
from components.map_payloads import (
    MEMBER_TILE_DEG,
    MEMBER_TILE_PREFIX,
    MapData,
    member_tile_builders,
    payload_builders,
)

MEMBERS = "members"


def is_private(name: str) -> bool:
    """Member points (one file, or one per tile): never on the public big screen, and served
    only behind the sign-in (components.web.layers)."""
    return name == MEMBERS or name.startswith(MEMBER_TILE_PREFIX)


def publish_layers(data: MapData, gcj02: bool, public: bool = False) -> dict:
    """Write the layer files of ``data`` in the current language (once per revision); return
    ``name -> URL``, and for ``members`` the tile index the map fetches from when zoomed in:
    ``{"base", "keys", "size"}``. ``public``: without member points (the big screen's map)."""
    builders = {n: b for n, b in payload_builders(data, gcj02).items() if not is_private(n)}
    combined = tuple(builders)  # what the map draws as soon as it opens: one request
    tiles = {} if public else member_tile_builders(data, gcj02)
    frame = ("gcj02" if gcj02 else "wgs84") + "-" + get_lang() + (
        f"-u{data.unit}" if data.unit else "")  # each unit's layers in a folder of their own
    urls = publish(data.revision, frame, builders | tiles, combined=combined)
    if public:
        return urls
    folder = urls["grids"].split("#")[0].rsplit("/", 1)[0]
    for name in tiles:
        del urls[name]
    urls[MEMBERS] = {"base": f"{folder}/{MEMBER_TILE_PREFIX}", "size": MEMBER_TILE_DEG,
                     "keys": sorted(data.member_tiles)}
    return urls
