"""Real headless Chromium on a small province (Huangyan and Jiaojiang of Taizhou, Shangcheng of
Hangzhou): drill from the province to a city, a county and a compound by clicking the maps,
then back up by the breadcrumb; the headline at every level equals sums counted here from the
store's own columns. Two browsers on two counties reloading at once never see each other's."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from fixtures_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COMPOUND_CENTRE,
    VIEWPORT,
    folium_frame,
    wait_for_app,
    zoom_to_compound,
)
from fixtures_store import cached_sample

from geo.store import open_store

pytestmark = pytest.mark.browser

COUNTIES = ["331003", "331002", "330102"]
PROVINCE, CITY, COUNTY = "330000", "331000", "331003"
RACE_LOADS = 5  # per browser: the two runs overlap on every load
UNIT_CENTRE = """code => { const m = window[Object.keys(window).find(k => k.startsWith('map_'))];
  let hit = null; m.eachLayer(l => { if (l.feature && l.feature.properties.code === code) hit = l; });
  if (!hit) return null; const p = m.latLngToContainerPoint(hit.getCenter()); return [p.x, p.y]; }"""
UNIT_CODES = """() => { const m = window[Object.keys(window).find(k => k.startsWith('map_'))];
  const out = []; if (!m) return out;
  m.eachLayer(l => { if (l.feature && l.feature.properties.code) out.push(l.feature.properties.code); });
  return out.sort(); }"""


@pytest.fixture(scope="module")
def province_path(request, tmp_path_factory):
    return cached_sample(request.config, tmp_path_factory, "province", region="zhejiang",
                         counties=COUNTIES)


def expected(store, district_ids) -> dict[str, int]:
    streets = store.load("streets")
    street_ids = set(streets.loc[streets["district_id"].isin(district_ids), "id"])
    grids = store.load("grids")
    grid_ids = set(grids.loc[grids["street_id"].isin(street_ids), "id"])
    return {"物业小区": int(store.load("compounds")["street_id"].isin(street_ids).sum()),
            "社区网格": len(grid_ids),
            "在职党员下沉网格": int(store.load("members")["grid_id"].isin(grid_ids).sum())}


def headline(page) -> dict[str, int]:
    out = {}
    for metric in page.locator('[data-testid="stMetric"]').all():
        label = metric.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        value = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
        if label in ("物业小区", "社区网格", "在职党员下沉网格"):
            out[label] = int(value.replace(",", ""))
    return out


def units_on_map(page, want: list[str]):
    frame = folium_frame(page)
    frame.wait_for_function(f"() => ({UNIT_CODES})().join() === {sorted(want)!r}.join()",
                            timeout=90_000)
    return frame


def click_unit(page, frame, code: str, unit_after: str) -> None:
    """Click unit ``code``; its value goes to the page within the click itself (not from
    streamlit-folium's 250 ms debounce, a timer: no event then) and only once."""
    frame.evaluate("() => { const send = window.Streamlit.setComponentValue;"
                   " window.parent.__unitSends = [];"
                   " window.Streamlit.setComponentValue = function (v) {"
                   " window.parent.__unitSends.push(window.event ? window.event.type : 'timer');"
                   " return send.apply(this, arguments); }; }")
    x, y = frame.evaluate(UNIT_CENTRE, code)
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').first.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    assert page.evaluate("() => window.__unitSends") == ["click"]
    page.wait_for_function(f"() => new URL(location.href).searchParams.get('unit') === "
                           f"'{unit_after}'", timeout=90_000)
    wait_for_app(page)
    assert page.evaluate("() => window.__unitSends") == ["click"]  # the debounce sent nothing


def test_drill_from_the_province_to_a_compound_and_back(streamlit_app, page, province_path,
                                                        screenshot):
    store = open_store(province_path)
    page.goto(streamlit_app.start(province_path))
    wait_for_app(page)
    frame = units_on_map(page, ["330100", CITY])  # the province: its two cities
    assert headline(page) == expected(store, COUNTIES)
    screenshot("units-province")

    click_unit(page, frame, CITY, CITY)
    frame = units_on_map(page, ["331002", COUNTY])
    assert headline(page) == expected(store, ["331002", COUNTY])
    assert "台州市" in page.inner_text("body")
    screenshot("units-city")

    click_unit(page, frame, COUNTY, COUNTY)
    frame = folium_frame(page)
    frame.wait_for_function("() => window.hongtuDrawn && window.hongtuDrawn.grids > 0",
                            timeout=90_000)
    assert headline(page) == expected(store, [COUNTY]) == {
        "物业小区": 68, "社区网格": 381, "在职党员下沉网格": 4760}
    compound = store.load("compounds").query("street_id.str.startswith(@COUNTY)").iloc[0]
    zoom_to_compound(page, frame, compound["id"])
    x, y = frame.evaluate(COMPOUND_CENTRE, compound["id"])
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').first.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.locator('[class*="st-key-compound_panel"]').get_by_text(compound["name"]).first.wait_for()
    screenshot("units-compound")

    page.get_by_role("button", name="返回上一级:台州市").click()
    page.wait_for_function(f"() => new URL(location.href).searchParams.get('unit') === '{CITY}'")
    wait_for_app(page)
    units_on_map(page, ["331002", COUNTY])
    page.get_by_role("button", name="返回上一级:浙江省").click()
    page.wait_for_function(
        f"() => new URL(location.href).searchParams.get('unit') === '{PROVINCE}'")
    wait_for_app(page)
    units_on_map(page, ["330100", CITY])
    assert headline(page) == expected(store, COUNTIES)


async def _headlines_of(browser, base: str, unit: str, loads: int) -> list[dict[str, int]]:
    """The overview's headline at ``?unit=`` over ``loads`` reloads in one browser."""
    from test_language_race_browser import FINISHED

    context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = await context.new_page()
    seen = []
    try:
        for _ in range(loads):
            await page.goto(f"{base}/overview?unit={unit}")
            await page.wait_for_function(
                "() => document.querySelectorAll('[data-testid=stMetricValue]').length >= 3",
                timeout=120_000)
            await page.wait_for_function(FINISHED, timeout=120_000)
            found = {}
            for metric in await page.locator('[data-testid="stMetric"]').all():
                label = (await metric.locator('[data-testid="stMetricLabel"]').inner_text()).strip()
                value = (await metric.locator('[data-testid="stMetricValue"]').inner_text()).strip()
                if label in ("物业小区", "社区网格", "在职党员下沉网格"):
                    found[label] = int(value.replace(",", ""))
            seen.append(found)
    finally:
        await context.close()
    return seen


async def _race(base: str, units: list[str], loads: int) -> list[list[dict[str, int]]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(_headlines_of(browser, base, u, loads) for u in units))
        finally:
            await browser.close()


def test_two_units_reloading_in_parallel_never_mix(streamlit_app, province_path):
    """The unit lives in each session: two browsers on two counties, reloading at the same
    time, each see their own county's figures on every load."""
    store = open_store(province_path)
    units = [COUNTY, "331002"]
    want = [expected(store, [u]) for u in units]
    assert want[0] != want[1]
    base = streamlit_app.start(province_path)
    with ThreadPoolExecutor(1) as pool:  # see test_language_race_browser: a loop of its own
        seen = pool.submit(asyncio.run, _race(base, units, RACE_LOADS)).result()
    assert [[h for h in loads if h != own] for loads, own in zip(seen, want)] == [[], []], seen
