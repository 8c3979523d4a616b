"""The planner page on the tiny layout of test_coverage (three compounds: 100, 200, 300
households; at 500 m, 300 are covered and compound C, 300 households, is not).

AppTest: the page runs, the radius changes the figure, a candidate added at C raises coverage
by 300, the optimiser suggests C, scenarios are saved and compared, a planner promotes one.
Browser: a click on the map drops a candidate and the figure rises by the amount computed
through geo.coverage; two saved scenarios both appear in the comparison."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest
from test_coverage import build_tiny_store, metric_point

from components.i18n import t
from components.session import ACCOUNT_KEY
from geo import auth
from geo import coverage as cov
from geo import scenarios as sc
from geo.schema import METRIC_CRS
from geo.store import ENV_URL

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "planner.py")


@pytest.fixture
def tiny_store(tmp_path, monkeypatch):
    store = build_tiny_store(tmp_path / "planner.gpkg")
    monkeypatch.setenv(ENV_URL, store.url)
    return store


def near_c(north_m: float = 0.0) -> tuple[float, float]:
    """(lon, lat) of compound C's point, moved ``north_m`` metres north."""
    point = gpd.GeoSeries([metric_point(1000, north_m)], crs=METRIC_CRS).to_crs("EPSG:4326")
    return float(point.x.iloc[0]), float(point.y.iloc[0])


def metrics(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def submit(at, label: str):
    return next(b for b in at.button if b.label == label).click().run()


def open_page(account: str | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    if account:
        at.session_state[ACCOUNT_KEY] = account
    return at.run()


def test_page_runs_and_radius_changes_the_figure(tiny_store):
    at = open_page()
    assert not at.exception
    assert metrics(at)["覆盖户数"] == ("300", "")
    assert metrics(at)["覆盖率"][0] == "50.0%"
    assert metrics(at)["未覆盖小区"][0] == "1"
    assert "直线距离" in at.caption[1].value
    at.selectbox(key="planner_radius").set_value("walk_15").run()
    assert metrics(at)["覆盖户数"][0] == "600"
    at.selectbox(key="planner_radius").set_value("custom").run()
    at.number_input(key="planner_metres").set_value(250.0).run()
    assert metrics(at)["覆盖户数"][0] == "100"  # only A (100 m from P1); B is 300 m away


def test_demand_switches_to_grid_residents(tiny_store):
    """Grids G1 (1,000 residents, 100 m from P1) and G2 (500, 600 m from P2): at 500 m,
    1,000 of 1,500 residents covered; a candidate at C covers G2 too; suggestions, saved
    scenarios and the comparison follow the demand."""
    at = open_page()
    at.selectbox(key="planner_demand").set_value("grids").run()
    assert not at.exception
    assert metrics(at)["覆盖居民"] == ("1,000", "")
    assert metrics(at)["未覆盖网格"][0] == "1"
    assert metrics(at)["覆盖率"][0] == "66.7%"
    assert "网格居民总数 1,500" in at.caption[1].value
    at.number_input(key="planner_k").set_value(1)
    at.button(key="planner_suggest").click().run()
    assert [c["name"] for c in at.session_state["planner_cands"]] == ["网格G2"]
    assert metrics(at)["覆盖居民"] == ("1,500", "+500")
    assert "优化解覆盖 1,500 人(原 1,000 人)" in at.info[0].value
    at.button(key="planner_save").click().run()
    table = at.table[0].value
    assert table["需求口径"].tolist() == ["网格居民(全区)", "网格居民(全区)"]
    assert table["覆盖数(户/人)"].tolist() == ["1,000", "1,500"]
    at.selectbox(key="planner_demand").set_value("compounds").run()
    # back to households: the candidate stays, and G2's point is compound C's (+300)
    assert metrics(at)["覆盖户数"] == ("600", "+300")
    assert at.session_state["planner_cands"][0]["name"] == "网格G2"


def test_candidate_added_moved_and_deleted(tiny_store):
    at = open_page()
    lon, lat = near_c(50)
    form_inputs = {n.label: n for n in at.number_input}
    form_inputs["经度(WGS84)"].set_value(lon)
    form_inputs["纬度(WGS84)"].set_value(lat)
    next(i for i in at.text_input if i.label == "名称").set_value("桥头新点")
    submit(at, "保存修改")
    assert not at.exception
    assert metrics(at)["覆盖户数"] == ("600", "+300")
    assert at.session_state["planner_cands"][0]["name"] == "桥头新点"
    # move it 2 km north: C is no longer covered
    at.selectbox(key="planner_pick").set_value("X1").run()
    next(n for n in at.number_input if n.label == "纬度(WGS84)").set_value(near_c(2000)[1])
    submit(at, "保存修改")
    assert metrics(at)["覆盖户数"] == ("300", "")
    submit(at, "删除候选点")
    assert at.session_state["planner_cands"] == []


def test_suggest_then_save_two_scenarios_and_compare(tiny_store):
    at = open_page()
    at.number_input(key="planner_k").set_value(1)
    at.button(key="planner_suggest").click().run()
    assert not at.exception
    assert [c["name"] for c in at.session_state["planner_cands"]] == ["小区C"]
    assert metrics(at)["覆盖户数"] == ("600", "+300")
    assert "优化解覆盖 600 户(原 300 户),贪心解 600 户" in at.info[0].value
    at.text_input(key="planner_scenario_name").set_value("加C点").run()
    at.button(key="planner_save").click().run()
    at.selectbox(key="planner_radius").set_value("walk_15").run()
    at.text_input(key="planner_scenario_name").set_value("千米圈").run()
    at.button(key="planner_save").click().run()
    assert not at.exception
    table = at.table[0].value
    assert list(table.index) == ["现状", "加C点", "千米圈"]
    assert table["覆盖数(户/人)"].tolist() == ["600", "600", "600"]  # today at 1,000 m covers all
    assert table["半径(米)"].tolist() == ["1,000", "500", "1,000"]
    assert any("仅保存在本次会话" in i.value for i in at.info)  # demo viewer: session only
    assert tiny_store.load("scenarios").empty


def test_a_second_scenario_of_the_same_name_is_refused(tiny_store):
    """Issue #25: two scenarios of one name made two identical rows in the table and one bar
    in the chart. The same name (spaces and case aside) is refused, on the page (session
    scenarios) and in the store."""
    at = open_page()
    at.text_input(key="planner_scenario_name").set_value("甲 方案").run()
    at.button(key="planner_save").click().run()
    at.text_input(key="planner_scenario_name").set_value("  甲   方案 ").run()
    at.button(key="planner_save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("planner.scenario.duplicate", name="甲 方案")]
    assert list(at.table[0].value.index) == ["现状", "甲 方案"]
    at.text_input(key="planner_scenario_name").set_value("").run()  # the default name is free
    at.button(key="planner_save").click().run()
    assert list(at.table[0].value.index) == ["现状", "甲 方案", "方案1"]
    sc.save_scenario(tiny_store, sc.Scenario("Plan A", 500.0))
    with pytest.raises(sc.ScenarioNameTaken):
        sc.save_scenario(tiny_store, sc.Scenario(" plan  a", 500.0))
    assert tiny_store.load("scenarios")["name"].tolist() == ["Plan A"]


def test_planner_saves_to_the_store_and_promotes(tiny_store):
    auth.add_user(tiny_store, "li", "planner", "secret-123", rounds=4)
    at = open_page("li")
    lon, lat = near_c()
    form_inputs = {n.label: n for n in at.number_input}
    form_inputs["经度(WGS84)"].set_value(lon)
    form_inputs["纬度(WGS84)"].set_value(lat)
    submit(at, "保存修改")
    at.text_input(key="planner_scenario_name").set_value("方案甲").run()
    at.button(key="planner_save").click().run()
    assert tiny_store.load("scenarios")["name"].tolist() == ["方案甲"]
    assert at.button(key="planner_promote").disabled  # a confirmation first
    confirm = next(c for c in at.checkbox if c.label.startswith("确认将方案「方案甲」"))
    confirm.check().run()
    assert not at.button(key="planner_promote").disabled
    at.button(key="planner_promote").click().run()
    assert not at.exception
    assert at.success[0].value == "已写入 1 个规划阵地(状态:规划)。"
    positions = tiny_store.load("service_positions")
    assert positions["status"].tolist().count("planned") == 2  # P3 and the promoted one
    at.button(key="planner_promote").click().run()  # twice: nothing new
    assert "已采纳为规划阵地" in at.success[0].value
    assert tiny_store.load("service_positions")["status"].tolist().count("planned") == 2
    audit = tiny_store.load("audit")
    assert audit[audit["action"] == "promote_scenario"]["account"].tolist() == ["li"]
    at.run()  # planned positions do not count as existing
    assert metrics(at)["覆盖户数"][0] == "600"  # the candidate is still on the page
    at.button(key="planner_load").click().run()
    assert at.session_state["planner_cands"][0]["lon"] == pytest.approx(lon)


# ------------------------------------------------------------------------ real browser
@pytest.mark.browser
def test_browser_click_drops_candidate_and_scenarios_compare(streamlit_app, page, tiny_store,
                                                           screenshot):
    from fixtures_browser import folium_frame, wait_for_app
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(streamlit_app.start(tiny_store.url))
    wait_for_app(page)
    page.get_by_role("link", name="阵地规划").click()
    wait_for_app(page)
    covered = page.locator('[data-testid="stMetric"]').first
    assert "300" in covered.inner_text()
    frame = folium_frame(page)
    frame.wait_for_function("() => window.map && window.map._loaded")
    lon, lat = near_c(40)
    x, y = frame.evaluate("([lat, lng]) => { const p = window.map.latLngToContainerPoint("
                          "[lat, lng]); return [p.x, p.y]; }", [lat, lon])
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    for _ in range(3):  # a click landing while the map is being redrawn is lost: click again
        page.mouse.click(box["x"] + x, box["y"] + y)
        try:
            page.get_by_text("+300").wait_for(timeout=15_000)
            break
        except PlaywrightTimeout:
            wait_for_app(page)
    wait_for_app(page)
    dropped = page.locator('[data-testid="stMetric"]').first.inner_text()
    compounds, positions = tiny_store.load("compounds"), tiny_store.load("service_positions")
    clicked = gpd.GeoDataFrame({"id": ["X"]}, geometry=gpd.points_from_xy([lon], [lat]),
                               crs="EPSG:4326")
    expected = cov.coverage_change(compounds, positions, 500, candidates=clicked)
    assert expected.delta["covered_households"] == 300
    assert f"{expected.covered_households:,}" in dropped and "+300" in dropped
    screenshot("planner")
    for name in ("方案甲", "方案乙"):
        page.get_by_label("方案名称").fill(name)
        page.get_by_label("方案名称").press("Enter")
        wait_for_app(page)
        page.get_by_role("button", name="保存方案").click()
        page.locator('[data-testid="stTable"]').get_by_text(name, exact=True).wait_for()
        wait_for_app(page)
    comparison = page.locator('[data-testid="stTable"]').inner_text()
    assert "方案甲" in comparison and "方案乙" in comparison and "现状" in comparison
    page.locator('[data-testid="stTable"]').scroll_into_view_if_needed()
    screenshot("planner_compare")
