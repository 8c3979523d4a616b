"""A compound named like an HTML injection shows as text on the map and in the panel, and no
script runs (real headless Chromium)."""

import shutil

import pytest
from fixtures_browser import folium_frame, wait_for_app

from geo.store import open_store

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
OPEN_TOOLTIPS = """(needle) => {
    let opened = 0;
    for (const value of Object.values(window)) {
        if (!value || !(value instanceof L.Map)) continue;
        value.eachLayer((layer) => {
            const tip = layer.getTooltip && layer.getTooltip();
            const content = tip && tip.getContent();
            if (typeof content === 'string' && content.includes(needle)) {
                if (layer.getLatLng) { layer.openTooltip(); }
                else { layer.openTooltip(layer.getBounds().getCenter()); }
                opened += 1;
            }
        });
    }
    return opened;
}"""


@pytest.fixture(scope="module")
def xss_store(sample_store_path, tmp_path_factory):
    """The sample district (no accounts: demo mode) with one compound renamed to XSS."""
    path = tmp_path_factory.mktemp("xss") / "xss.gpkg"
    shutil.copyfile(sample_store_path, path)
    store = open_store(path)
    compound_id = store.load("compounds").iloc[0]["id"]
    with store.transaction() as tx:
        tx.update("compounds", compound_id, {"name": XSS})
    return path, compound_id


def _assert_tooltip_shows_text(frame):
    """Open every tooltip bound with the (escaped) name; its visible text is the raw name."""
    frame.wait_for_function(f"() => ({OPEN_TOOLTIPS})('onerror') > 0", timeout=60_000)
    tooltip = frame.locator(".leaflet-tooltip", has_text="onerror").first
    tooltip.wait_for(state="visible")
    assert XSS in tooltip.inner_text()
    assert tooltip.locator("img").count() == 0


def _no_injected_image(page, frame):
    assert page.locator('img[src="x"]').count() == 0
    assert frame.locator('img[src="x"]').count() == 0


def test_injected_compound_name_is_text_on_map_and_panel(streamlit_app, page, xss_store):
    path, compound_id = xss_store
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base = streamlit_app.start(path)

    page.goto(f"{base}/?compound={compound_id}")
    wait_for_app(page)
    frame = folium_frame(page)
    # the panel beside the map: the name is text
    panel = page.get_by_text(XSS, exact=True)
    assert panel.count() >= 1
    assert panel.first.is_visible()
    # the map: the compound's tooltip (layers load asynchronously) shows the name as text
    _assert_tooltip_shows_text(frame)
    _no_injected_image(page, frame)

    # the compound's own page
    page.goto(f"{base}/compound?id={compound_id}")
    wait_for_app(page)
    frame = folium_frame(page)
    assert page.get_by_text(XSS, exact=True).first.is_visible()
    _assert_tooltip_shows_text(frame)
    _no_injected_image(page, frame)
    page.wait_for_timeout(500)  # give a stray onerror handler time to fire
    assert dialogs == []
