"""Small Leaflet controls shared by every map: a metric-only scale bar (folium's
``control_scale=True`` draws Leaflet's default, miles above metres), and a map that does not
scroll the page when clicked.

Leaflet focuses the map on every mousedown (its keyboard handler). A map whose bottom lies
below the fold (the overview's map at 1920x1080 or 1366x768) then scrolls Streamlit's page up
by the hidden part between mousedown and click, and the click lands that far below the
pointer: a click on a compound opened nothing. Here the map focuses with ``preventScroll``.

Every page draws its map with :func:`draw_map`."""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template
from streamlit_folium import st_folium

from components import folium_text

folium_text.install()  # every map's elements rendered as text, not compiled as templates


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only; the map focuses without scrolling."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false, maxWidth: 120})
            .addTo({{ this._parent.get_name() }});
        (function (c) {  // focus without scrolling the page (see the module docstring)
          var focus = HTMLElement.prototype.focus;
          c.focus = function (o) { focus.call(c, Object.assign({preventScroll: true}, o)); };
        })({{ this._parent.get_name() }}.getContainer());
        {% endmacro %}
    """)


def add_metric_scale(fmap: folium.Map) -> folium.Map:
    MetricScale().add_to(fmap)
    return fmap


def draw_map(fmap: folium.Map, **kwargs):
    """``st_folium(fmap, **kwargs)`` without its first render of the whole page: st_folium
    renders the map's tree again itself and sends only what that gives (script, header, html),
    so the first render was wasted (st_folium was about a third of a loaded server's Python
    time, issue #27) and made each marker set its icon twice."""
    return st_folium(fmap, render=False, **kwargs)
