"""Small Leaflet controls shared by every map: a metric-only scale bar (folium's
``control_scale=True`` draws Leaflet's default, miles above metres)."""

from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template


class MetricScale(MacroElement):
    """Leaflet's scale bar in metres and kilometres only."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({metric: true, imperial: false, maxWidth: 120})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)


def add_metric_scale(fmap: folium.Map) -> folium.Map:
    MetricScale().add_to(fmap)
    return fmap
