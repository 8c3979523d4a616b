"""Which map layers are written as files, and writing them for one map: shared by the map
(:mod:`components.network_map`), the gated route serving them (:mod:`components.web.layers`)
and the start-up warm-up (:mod:`components.web.warmup`). Kept apart from the map module, which
imports streamlit-folium: a Streamlit component module must first be imported inside a script
run, or its frontend is never registered (404), and the server imports these before any."""

from __future__ import annotations

from components.i18n import get_lang
from components.map_layers import publish
from components.map_payloads import MapData, payload_builders

LAZY_LAYERS = ("members",)  # fetched only when the map is zoomed in to the member points
PRIVATE_LAYERS = ("members",)  # never on the public big screen (components.web.layers)


def publish_layers(data: MapData, gcj02: bool, public: bool = False) -> dict:
    """Write the layer files of ``data`` in the current language (once per revision); return
    ``name -> URL``. ``public``: without the member points (the big screen's map)."""
    builders = payload_builders(data, gcj02)
    if public:
        builders = {n: b for n, b in builders.items() if n not in PRIVATE_LAYERS}
    frame = ("gcj02" if gcj02 else "wgs84") + "-" + get_lang() + (
        f"-u{data.unit}" if data.unit else "")  # each unit's layers in a folder of their own
    return publish(data.revision, frame, builders,
                   combined=tuple(n for n in builders if n not in LAZY_LAYERS))
