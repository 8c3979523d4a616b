"""Real headless Chromium: the orders page's map frame draws its open items (no "Map has no
maxZoom specified", no "Map container is already initialized"), with no console error or page
error in any frame."""

from __future__ import annotations

import pytest
from fixtures_browser import folium_frame, wait_for_app

from components.network_map import MAX_ZOOM
from geo import workflow as wf

pytestmark = pytest.mark.browser
SLOW_MS = 240_000  # the orders page's first run on a busy two-core machine

# the open items of the map's marker cluster (FastMarkerCluster: one L.MarkerClusterGroup)
MAP = "window.map_div"  # streamlit-folium's name for the folium map
CLUSTERED = """() => Object.values(window.map_div._layers)
    .filter(l => typeof l.refreshClusters === 'function' && l._featureGroup !== undefined)
    .reduce((n, l) => n + l.getLayers().length, 0)"""


def test_orders_map_draws_its_open_items_without_errors(streamlit_app, page, sample_store,
                                                        sample_store_path, screenshot):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    orders = sample_store.load(wf.ORDERS)
    cases = sample_store.load(wf.CASES)
    expected = int(orders["status"].isin(wf.ORDER_OPEN).sum()
                   + cases["status"].isin(wf.CASE_OPEN).sum())

    page.goto(streamlit_app.start(sample_store_path))
    wait_for_app(page, SLOW_MS)
    page.get_by_role("link", name="工单与事件").click()
    wait_for_app(page, SLOW_MS)
    frame = folium_frame(page, timeout_ms=SLOW_MS)
    frame.wait_for_function(f"() => {MAP} && ({CLUSTERED})() === {expected}", timeout=SLOW_MS)
    assert frame.evaluate(f"() => {MAP}.getMaxZoom()") == MAX_ZOOM
    assert frame.locator(".leaflet-marker-icon").count() > 0  # clusters or markers on screen
    wait_for_app(page, SLOW_MS)  # a rerun after the first draw must not re-create the map either
    assert frame.evaluate(f"() => ({CLUSTERED})()") == expected
    screenshot("orders_map")
    assert not problems, "\n".join(problems)
