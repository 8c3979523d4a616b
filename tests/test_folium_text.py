"""Every map's elements go into the page as text (components.folium_text): the same page as
branca's own render, without compiling each rendered part as a template."""

from __future__ import annotations

import itertools

import branca.element
import folium
import pytest
import streamlit_folium
from branca.element import MacroElement

from components import folium_text
from components.map_controls import add_metric_scale, draw_map
from components.map_layers import Helpers


@pytest.fixture
def sent(monkeypatch):
    """What st_folium hands to the browser, one dict per map drawn (ids numbered from 0)."""
    calls = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: calls.append(kw))
    yield calls
    folium_text.install()  # whatever a test switched to, the app's render again


def numbered_ids(monkeypatch) -> None:
    counter = itertools.count()
    monkeypatch.setattr(branca.element.Element, "_generate_id",
                        classmethod(lambda cls: f"{next(counter):032x}"))


def a_map(label: str) -> folium.Map:
    """Markers with tooltips and popups, a DivIcon, a GeoJSON layer with tooltips, a feature
    group with a circle marker, the layer control, our scale bar and helpers."""
    fmap = add_metric_scale(folium.Map(location=[28.64, 121.26], zoom_start=13, tiles=None))
    Helpers("#eef").add_to(fmap)
    folium.Marker([28.64, 121.26], tooltip=label, popup=folium.Popup(f"<b>{label}</b>"),
                  icon=folium.DivIcon(html="<div>⚑</div>")).add_to(fmap)
    group = folium.FeatureGroup(name="组").add_to(fmap)
    folium.CircleMarker([28.65, 121.27], radius=6, tooltip="圆").add_to(group)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": [{
            "type": "Feature", "properties": {"name": label},
            "geometry": {"type": "Polygon", "coordinates": [[
                [121.2, 28.6], [121.3, 28.6], [121.3, 28.7], [121.2, 28.6]]]}}]},
        name="网格", tooltip=folium.GeoJsonTooltip(fields=["name"]),
        style_function=lambda _: {"color": "#c00"}).add_to(fmap)
    folium.LayerControl().add_to(fmap)
    return fmap


def draw(monkeypatch, label: str) -> None:
    numbered_ids(monkeypatch)
    draw_map(a_map(label), key="m", returned_objects=["bounds"])


def test_the_app_renders_every_element_as_text():
    assert MacroElement.render is folium_text.plain_render


def test_the_page_is_the_one_brancas_render_makes(monkeypatch, sent):
    draw(monkeypatch, "半山家园")
    folium_text.uninstall()
    draw(monkeypatch, "半山家园")
    plain, branca_own = sent
    for part in ("script", "header", "html", "default", "css_links", "js_links"):
        assert plain[part] == branca_own[part], part
    assert "半山家园" in plain["script"] and "L.control.scale" in plain["script"]


def test_no_rendered_part_is_compiled(monkeypatch, sent):
    made = []
    original = branca.element.Template

    def counting(source, *args, **kwargs):
        made.append(source)
        return original(source, *args, **kwargs)

    monkeypatch.setattr(branca.element, "Template", counting)
    draw(monkeypatch, "半山家园")
    plain = list(made)  # the figure's fixed tags, and folium's Popup (its own render)
    assert not any("L.control.scale" in source or "bindTooltip" in source or "L.geoJson" in
                   source for source in plain)
    made.clear()
    folium_text.uninstall()
    draw(monkeypatch, "半山家园")
    assert any("半山家园" in source for source in made)  # branca's own: each part compiled
    assert len(made) > len(plain) + 8
