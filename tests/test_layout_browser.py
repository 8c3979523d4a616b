"""What a user sees at 1366x768 in real Chromium (issue #25): the overview's map starts high
enough and no figure note is cut; the scale bar is clear of the basemap credit; the big
screen's title is one line naming the unit's own network, its clock shows the time, and map,
scale bar and ticker fit the screen."""

from __future__ import annotations

import re

import pytest
from fixtures_browser import FOLIUM_IFRAME, folium_frame, wait_for_app
from walkthrough_checks import SCALE_CLEAR

from components.i18n import t
from components.screen_view import chinese_number
from geo.network import headline_figures
from geo.store import open_store

pytestmark = pytest.mark.browser
SMALL = {"width": 1366, "height": 768}
WAIT_MS = 180_000  # a page's run on 2 cores shared with a busy CI job (as the walkthrough)
MAP_ABOVE_FOLD_PX = 300  # the overview's map showed ~270 px above the fold
# text boxes cut by an ellipsis: metric labels and notes, the filters' chosen values
CUT = """() => Array.from(document.querySelectorAll(
    '[data-testid=stMetricLabel] p, [data-testid=stMetricDelta] p, [data-baseweb=select] div'))
    .filter(e => e.children.length === 0 && e.textContent.trim())
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.trim())"""


def _open(page, url: str) -> None:
    page.set_viewport_size(SMALL)
    page.goto(url)
    wait_for_app(page, WAIT_MS)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_at_1366_map_high_nothing_cut_scale_clear(streamlit_app, page,
                                                           sample_store_path, lang):
    base = streamlit_app.start(sample_store_path)
    _open(page, f"{base}/overview?lang={lang}")
    frame = folium_frame(page, timeout_ms=WAIT_MS)
    page.wait_for_function(f"() => document.querySelector({FOLIUM_IFRAME!r})"
                           ".getBoundingClientRect().height > 300")
    top = page.locator(FOLIUM_IFRAME).first.bounding_box()["y"]
    assert SMALL["height"] - top >= MAP_ABOVE_FOLD_PX, top
    assert page.evaluate(CUT) == []
    frame.wait_for_selector(".leaflet-control-scale")
    assert frame.evaluate(SCALE_CLEAR) == ""
    page.screenshot(path=f"/tmp/hongtu-layout-overview-{lang}.png")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_big_screen_at_1366_fits_and_names_its_network(streamlit_app, page, sample_store_path,
                                                       lang):
    base = streamlit_app.start(sample_store_path)
    _open(page, f"{base}/big_screen?lang={lang}")
    title = page.locator(".hongtu-title").first
    title.wait_for()
    tiers = headline_figures({n: open_store(sample_store_path).load(n) for n in (
        "compounds", "grids", "members", "party_branches", "service_positions", "events",
        "streets")})["positions_by_tier"]
    network = (f"{chinese_number(tiers['core'])}核{chinese_number(tiers['zone'])}片"
               f"{chinese_number(tiers['station'])}站{chinese_number(tiers['point'])}点"
               if lang == "zh" else t("screen.network_phrase", "en", **tiers))
    assert network in title.inner_text()
    box = title.evaluate("e => [e.getBoundingClientRect().height, "
                         "parseFloat(getComputedStyle(e).lineHeight)]")
    assert box[0] < 1.5 * box[1], box  # one line
    clock = page.frame_locator('iframe[srcdoc*="toLocaleTimeString"]').locator("#c")
    clock.wait_for()
    assert re.search(r"\d{1,2}:\d{2}:\d{2}", clock.inner_text())
    assert clock.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    frame = folium_frame(page)
    frame.wait_for_selector(".leaflet-control-scale")
    map_box = page.locator(FOLIUM_IFRAME).first.bounding_box()
    assert map_box["y"] + map_box["height"] <= SMALL["height"], map_box
    assert frame.evaluate(SCALE_CLEAR) == ""
    ticker = page.locator(".hongtu-ticker").first.bounding_box()
    assert ticker["y"] + ticker["height"] <= SMALL["height"], ticker
    page.screenshot(path=f"/tmp/hongtu-layout-screen-{lang}.png")


def test_uploader_buttons_read_chinese_on_one_line_and_remove_is_only_an_icon(
        streamlit_app, page, sample_store_path, tmp_path):
    """The browse button read "选择/文件" on two lines; once a file was chosen its remove
    button read "⊗选择文件" over the file's name."""
    base = streamlit_app.start(sample_store_path, script="tests/apps/uploader_app.py")
    _open(page, f"{base}/")
    browse = page.locator('[data-testid="stFileUploaderDropzone"] button').first
    after = browse.evaluate("e => [getComputedStyle(e, '::after').content, "
                            "e.getBoundingClientRect().height]")
    assert after[0].strip('"') == t("polish.upload.browse", "zh")
    assert after[1] < 48, after  # one line
    upload = tmp_path / "成员.csv"
    upload.write_text("编号\nM1\n", encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(upload))
    remove = page.locator('[data-testid="stFileChipDeleteBtn"] button').first
    remove.wait_for()
    assert remove.evaluate("e => getComputedStyle(e, '::after').content") in ("none", "normal")
    chip = page.locator('[data-testid="stFileChip"]').first.bounding_box()
    box = remove.bounding_box()
    assert box["x"] + box["width"] <= chip["x"] + chip["width"] + 1  # inside its chip
