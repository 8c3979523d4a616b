"""The big screen's map: the network map in read-only form (no clicks returned). Its script is
the same on every rotation; only ``center``/``zoom`` change, so streamlit-folium flies the
open map to the spotlight instead of re-creating it, and nothing piles up in the browser
(re-adding feature groups on every rotation grew the JS heap by ~3 MB a minute). Public: no
member points, only per-grid totals (:func:`components.layer_publish.is_private`)."""

from __future__ import annotations

from branca.element import MacroElement
from jinja2 import Template

from components import network_cache
from components.map_controls import draw_map
from components.network_map import MapView, build_map

SCREEN_MAP_KEY = "screen_map"


class FillFrame(MacroElement):
    """The map as tall as its frame, whatever the screen's height (the screen's stylesheet
    sizes the frame to the viewport): its lower corner, the scale bar and the credit stay in
    view at 1366x768 as at 1920x1080."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
          var fit = function () {
            var box = map.getContainer();
            box.style.height = window.innerHeight + 'px';
            if (box.parentElement) { box.parentElement.style.height = window.innerHeight + 'px'; }
            map.invalidateSize({pan: false});
          };
          window.addEventListener('resize', fit);
          fit();
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self):
        super().__init__()
        self._name = "FillFrame"


def screen_map(center: tuple[float, float], zoom: int, height: int = 880) -> None:
    data = network_cache.map_data()
    m, groups, control = build_map(data, MapView(public=True))
    for group in groups:
        group.add_to(m)
    control.add_to(m)
    FillFrame().add_to(m)
    draw_map(m, key=SCREEN_MAP_KEY, height=height, width=None,
              returned_objects=[], center=list(center), zoom=zoom)
