"""The grids page's map layer as plain data (components.grid_map.grid_layer): what the cache
keeps is exact and hand-checkable, and drawing a map from it never changes it."""

from __future__ import annotations

import copy
import json
import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, box

from components import grid_map
from components.i18n import set_lang
from geo import grid_coverage as gc


@pytest.fixture(autouse=True)
def chinese_after():
    yield
    set_lang("zh")  # the language outside a script run is this thread's: put it back


@pytest.fixture
def grids() -> gpd.GeoDataFrame:
    squares = [box(121.20, 28.60, 121.21, 28.61), box(121.21, 28.60, 121.22, 28.61),
               box(121.20, 28.61, 121.21, 28.62)]
    return gpd.GeoDataFrame({"id": ["G1", "G2", "G3"], "name": ["东<b>", "南", "西"]},
                            geometry=[MultiPolygon([s]) for s in squares], crs="EPSG:4326")


@pytest.fixture
def coverage() -> pd.DataFrame:
    frame = pd.DataFrame({
        gc.GRID_ID: ["G1", "G2", "G3"], gc.MEMBERS: [4, 0, 2], gc.HOUSEHOLDS: [50, 30, 21],
        gc.PER_MEMBER: [12.5, math.nan, 10.5],
        gc.FLAGS: [[gc.FLAG_OVERLOADED], [gc.FLAG_NO_MEMBER], [gc.FLAG_FAR_HOME]]})
    frame.attrs["default_threshold"] = 12.0
    return frame


def test_layer_features_carry_the_tooltip_fields_flags_and_selection(grids, coverage):
    set_lang("zh")
    layer = grid_map.grid_layer(grids, coverage, ["G3"])
    features = {f["id"]: f for f in layer.collection["features"]}
    assert list(features) == ["G1", "G2", "G3"]
    assert features["G1"]["properties"] == {
        "name": "东&lt;b&gt;", gc.GRID_ID: "G1", gc.MEMBERS: 4, gc.HOUSEHOLDS: 50,
        gc.PER_MEMBER: 12.5, "flag_text": "无", "gap": False, "selected": False}
    assert features["G2"]["properties"][gc.PER_MEMBER] is None
    assert features["G2"]["properties"]["gap"] is True
    assert features["G2"]["properties"]["flag_text"] == "无党员"
    assert features["G3"]["properties"]["selected"] is True
    assert features["G3"]["properties"]["flag_text"] == "党员居住地偏远"
    assert features["G1"]["geometry"]["type"] == "MultiPolygon"
    assert sorted(features["G1"]["geometry"]["coordinates"][0][0]) == sorted(
        [[121.21, 28.6], [121.21, 28.61], [121.2, 28.61], [121.2, 28.6], [121.21, 28.6]])
    json.dumps(layer.collection)  # plain data: what folium embeds


def test_layer_gap_markers_and_bounds(grids, coverage):
    set_lang("en")
    layer = grid_map.grid_layer(grids, coverage)
    assert layer.bounds == ((28.60, 121.20), (28.62, 121.22))
    (lat, lon, name), = layer.gaps  # G2 only: no members
    assert name == "南"
    assert 28.60 < lat < 28.61 and 121.21 < lon < 121.22
    flags = {f["id"]: f["properties"]["flag_text"] for f in layer.collection["features"]}
    assert flags == {"G1": "None", "G2": "No member", "G3": "Member lives far away"}


def test_layer_of_no_grids_has_no_bounds(grids, coverage):
    layer = grid_map.grid_layer(grids.iloc[:0], coverage)
    assert layer.collection["features"] == [] and layer.gaps == () and layer.bounds is None


def test_drawing_a_map_leaves_the_cached_layer_as_it_was(grids, coverage):
    layer = grid_map.grid_layer(grids, coverage, ["G1"])
    streets = grid_map.outlines(grids.assign(name=["a", "b", "c"]))
    kept_layer, kept_streets = copy.deepcopy(layer), copy.deepcopy(streets)
    page = grid_map.grid_map(layer, streets, 12.0).get_root().render()
    again = grid_map.grid_map(layer, streets, 12.0).get_root().render()
    assert layer == kept_layer and streets == kept_streets
    assert page.count('"G2"') == again.count('"G2"') > 0
    assert "#d50000" in page  # the gap's outline
    assert "#1565c0" in page  # the selected grid's outline


def test_outlines_are_named_features(grids):
    streets = grid_map.outlines(grids.assign(name=["a", "b", "c"]))
    assert [f["properties"] for f in streets["features"]] == [{"name": n} for n in "abc"]
    assert streets["features"][2]["geometry"]["type"] == "MultiPolygon"


def test_draw_map_gives_streamlit_folium_what_its_page_render_gave(grids, coverage, monkeypatch):
    """components.map_controls.draw_map skips st_folium's whole-page render: the same header
    and html reach the component, and the script differs only in each marker setting its
    icon once instead of twice."""
    import itertools

    import branca.element
    import streamlit_folium

    from components.map_controls import draw_map

    calls = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: calls.append(kw))

    def fresh_map():  # element ids from a counter: two maps built alike are alike
        counter = itertools.count()
        monkeypatch.setattr(branca.element.Element, "_generate_id",
                            classmethod(lambda cls: f"{next(counter):032x}"))
        layer = grid_map.grid_layer(grids, coverage, ["G1"])
        return grid_map.grid_map(layer, None, 12.0)

    streamlit_folium.st_folium(fresh_map(), key="m", returned_objects=[])
    draw_map(fresh_map(), key="m", returned_objects=[])
    paged, drawn = calls
    assert drawn["header"] == paged["header"] and drawn["html"] == paged["html"]
    assert drawn["js_links"] == paged["js_links"] and drawn["css_links"] == paged["css_links"]
    assert paged["script"].count(".setIcon(") == 2  # the one gap marker, twice
    assert drawn["script"].count(".setIcon(") == 1
    def rest(script):
        return [line for line in script.splitlines() if line.strip() and ".setIcon(" not in line]

    assert rest(drawn["script"]) == rest(paged["script"])


def test_the_grids_layer_reaches_the_page_as_folium_geojson_would_put_it(grids, coverage,
                                                                         monkeypatch):
    """The lean GeoJSON element (plain-text render, bounds known beforehand) hands
    streamlit-folium exactly what folium.GeoJson does: script, header, html and bounds."""
    import itertools

    import branca.element
    import folium
    import streamlit_folium

    from components.map_controls import draw_map

    calls = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: calls.append(kw))
    layer = grid_map.grid_layer(grids, coverage, ["G1"])
    streets = grid_map.outlines(grids.assign(name=["a", "b", "c"]))

    def draw():
        counter = itertools.count()
        monkeypatch.setattr(branca.element.Element, "_generate_id",
                            classmethod(lambda cls: f"{next(counter):032x}"))
        draw_map(grid_map.grid_map(layer, streets, 12.0), key="m", returned_objects=["bounds"])

    draw()
    monkeypatch.setattr(grid_map, "_LeanGeoJson",
                        lambda data, bounds=None, **kwargs: folium.GeoJson(data, **kwargs))
    draw()
    lean, plain = calls
    for part in ("script", "header", "html", "default"):
        assert lean[part] == plain[part], part
    assert lean["default"]["bounds"] == {"_southWest": {"lat": 28.6, "lng": 121.2},
                                         "_northEast": {"lat": 28.62, "lng": 121.22}}
