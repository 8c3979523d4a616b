"""Real headless Chromium: the overview map draws the store's grids and positions (grids from a
zoom, and only the tiles in view), a click on a
compound opens its panel, the Gaode basemap shifts overlays by the GCJ-02 offset, a map rebuilt
after a store write keeps the user's view."""

from __future__ import annotations

import shutil

import pytest
from fixtures_browser import (
    COMPOUND_CENTRE,
    folium_frame,
    redrawn_map,
    wait_for_app,
    zoom_to_compound,
)
from playwright.sync_api import Error as PlaywrightError

from components.legend import TIER_SYMBOLS
from components.map_payloads import GRID_MIN_ZOOM, GRID_TILE_DEG, grid_tiles
from geo.crs import wgs84_to_gcj02
from geo.store import open_store

pytestmark = pytest.mark.browser

# loopback and closed: Gaode tiles fail quietly instead of reaching the network
GAODE_ENV = {"HONGTU_GAODE_TILES": "http://127.0.0.1:9/{z}/{x}/{y}.png?s={s}"}
COUNT_KIND = """kind => Object.values(window.map._layers).filter(
    l => l.feature && l.feature.properties && l.feature.properties.kind === kind).length"""
POSITION_LATLNG = """id => { const l = Object.values(window.map._layers).find(
    l => l.feature && l.feature.properties.kind === 'position' && l.feature.properties.id === id);
    return l ? [l.getLatLng().lat, l.getLatLng().lng] : null; }"""
DRAW_MS = 180_000  # a first draw of every grid tile on 2 cores shared with two more workers


MAP_STATE = """() => [window.map && window.map.getZoom(),
    window.map && [window.map.getSize().x, window.map.getSize().y],
    window.hongtuDrawn && Object.fromEntries(Object.entries(window.hongtuDrawn)
        .filter(([key]) => !key.endsWith('_at')))]"""


def _drawn(frame, layer: str):
    """Wait until ``layer`` has drawn, every tile in view included (grids come in tiles)."""
    try:
        frame.wait_for_function(f"() => window.hongtuDrawn && window.hongtuDrawn.{layer} >= 0"
                                f" && !window.hongtuDrawn.{layer}_pending", timeout=DRAW_MS)
    except PlaywrightError as error:  # say why: the zoom, the map's size, what was drawn
        raise AssertionError(f"{layer} not drawn; zoom, size, drawn: "
                             f"{frame.evaluate(MAP_STATE)}") from error


def _open(page, base: str, query: str = ""):
    page.goto(f"{base}/{query}")  # the overview is the default page: /
    wait_for_app(page, DRAW_MS)
    frame = folium_frame(page, timeout_ms=DRAW_MS)
    for layer in ("grids", "compounds", "positions"):
        _drawn(frame, layer)
    return frame


def test_overview_draws_every_grid_and_position(streamlit_app, page, sample_store,
                                                sample_store_path, screenshot):
    frame = _open(page, streamlit_app.start(sample_store_path))
    grids = len(sample_store.load("grids"))
    assert grids == 381  # grids come in tiles: wait until every tile in view has drawn
    frame.wait_for_function(f"() => ({COUNT_KIND})('grid') === {grids}")
    assert frame.evaluate(COUNT_KIND, "position") == len(sample_store.load("service_positions"))
    assert frame.evaluate(COUNT_KIND, "compound") == len(sample_store.load("compounds"))
    assert "物业小区" in page.inner_text("body")
    legend = page.locator('[data-testid="stExpander"]').filter(has_text="阵地层级")
    # the legend draws each tier's map symbol (an HTML sanitiser would drop the SVGs)
    assert legend.locator("svg").count() == len(TIER_SYMBOLS)
    screenshot("overview")


def test_click_on_a_compound_opens_its_panel(streamlit_app, page, sample_store,
                                             sample_store_path, screenshot):
    frame = _open(page, streamlit_app.start(sample_store_path))
    compound = sample_store.load("compounds").iloc[0]
    firm = sample_store.load("property_firms").set_index("id").loc[compound["property_firm_id"]]
    zoom_to_compound(page, frame, compound["id"])
    x, y = frame.evaluate(COMPOUND_CENTRE, compound["id"])
    frame.evaluate("() => { const send = window.Streamlit.setComponentValue; window.sent = [];"
                   " window.Streamlit.setComponentValue = function (v) { window.sent.push(v);"
                   " return send.apply(this, arguments); }; }")
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    panel = page.locator('[class*="st-key-compound_panel"]')
    panel.get_by_text(firm["name"]).first.wait_for()
    assert compound["name"] in panel.inner_text()
    page.wait_for_timeout(400)  # past streamlit-folium's 250 ms debounce
    # The click went out at once from the map's own handler: the compound by id, or (a dispatch
    # area drawn over it took the click) the point; the debounced duplicate is suppressed.
    tokens = frame.evaluate("() => window.sent.map(v => v.last_object_clicked_tooltip)")
    assert tokens and set(tokens) <= {"point", f"compound:{compound['id']}"}, tokens
    assert frame.evaluate("() => window.map.getZoom()") == 17  # the map was not re-created
    screenshot("compound_panel")


def test_gaode_basemap_shifts_positions_by_gcj02(streamlit_app, page, sample_store,
                                                 sample_store_path):
    base = streamlit_app.start(sample_store_path, env=GAODE_ENV)
    position = sample_store.load("service_positions").iloc[0]
    lon, lat = position.geometry.x, position.geometry.y
    frame = _open(page, base)
    wgs = frame.evaluate(POSITION_LATLNG, position["id"])
    assert wgs == pytest.approx([lat, lon], abs=1e-6)
    frame = _open(page, base, "?basemap=gaode")
    gcj = frame.evaluate(POSITION_LATLNG, position["id"])
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert gcj == pytest.approx([float(glat), float(glon)], abs=1e-6)
    assert abs(gcj[1] - lon) > 0.003  # a visible shift (~500 m), not a no-op
    frame = _open(page, base, "?basemap=offline")
    assert frame.evaluate(POSITION_LATLNG, position["id"]) == pytest.approx([lat, lon], abs=1e-6)


def test_grids_are_drawn_from_a_zoom_and_only_in_view(streamlit_app, page, sample_store,
                                                      sample_store_path):
    base = streamlit_app.start(sample_store_path)
    frame = _open(page, base)  # the overview opens on the whole district: every grid tile
    tiles = grid_tiles(sample_store.load("grids"))
    frame.evaluate("() => { window.map.setZoom(GRID_MIN_ZOOM - 1, {animate: false}); }"
                   .replace("GRID_MIN_ZOOM", str(GRID_MIN_ZOOM)))
    frame.wait_for_function(f"() => ({COUNT_KIND})('grid') === 0")  # below the zoom: none
    assert frame.evaluate("() => window.hongtuDrawn.member_totals") > 0  # totals stay
    page.goto(f"{base}/big_screen")  # opens zoomed in on one place: only the tiles around it
    screen = folium_frame(page)
    screen.wait_for_function("() => window.hongtuDrawn && window.hongtuDrawn.grids > 0"
                             " && !window.hongtuDrawn.grids_pending")
    keys, bounds, zoom = screen.evaluate(
        "() => [window.hongtuDrawn.grids_tiles, window.map.getBounds().toBBoxString(),"
        " window.map.getZoom()]")
    assert zoom >= 15 and 0 < len(keys) < len(tiles), (zoom, keys)
    west, south, east, north = (float(v) for v in bounds.split(","))
    for key in keys:  # each fetched tile touches the view (0.01 degree margin)
        x, y = (int(v) for v in key.split("_"))
        assert x * GRID_TILE_DEG - 180 <= east + 0.01 and (x + 1) * GRID_TILE_DEG - 180 >= west - 0.01
        assert y * GRID_TILE_DEG - 90 <= north + 0.01 and (y + 1) * GRID_TILE_DEG - 90 >= south - 0.01
    assert 0 < screen.evaluate(COUNT_KIND, "grid") < len(sample_store.load("grids"))


def test_a_map_rebuilt_after_a_store_write_keeps_the_view(streamlit_app, page,
                                                          sample_store_path, tmp_path):
    path = tmp_path / "kept_view.gpkg"
    shutil.copyfile(sample_store_path, path)
    frame = _open(page, streamlit_app.start(path))
    store = open_store(path)
    compound = store.load("compounds").iloc[0]
    zoom_to_compound(page, frame, compound["id"], zoom=16)
    view = "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"
    lat, lng, zoom = frame.evaluate(view)
    assert zoom == 16
    frame.evaluate("() => { window.oldMap = true; }")
    with store.transaction("test") as tx:  # another user's write: new layer files, new map
        tx.update("compounds", compound["id"], {"name": f"{compound['name']}(改)"})
    page.locator('[data-testid="stSelectbox"]').filter(has_text="小区着色指标").click()
    page.get_by_role("option", name="红色物业").click()  # the next rerun draws the new map
    frame = redrawn_map(page)
    _drawn(frame, "compounds")
    frame.wait_for_function(f"() => window.map.getZoom() === {zoom}")
    new_lat, new_lng, _ = frame.evaluate(view)
    close = abs(new_lat - lat) < 1e-4 and abs(new_lng - lng) < 1e-4  # to a pixel's rounding
    assert close, (lat, lng, new_lat, new_lng)
    assert frame.evaluate(COUNT_KIND, "compound") == len(store.load("compounds"))
