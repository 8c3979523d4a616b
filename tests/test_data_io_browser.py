"""The import page as a user works it, in real Chromium: upload two files from different
sources, give one of them its coordinate system, import, and roll back after somebody else
edited an imported row (refused first, then rolled back keeping that edit)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from fixtures_browser import sign_in, wait_for_app
from make_bad_files import build_tiny_store
from playwright.sync_api import expect

from geo import auth, crs
from geo.importer import import_log
from geo.importer.templates import layer_table

SELECTBOX = '[data-testid="stSelectbox"]'


def _metres(a, b) -> float:
    a = gpd.GeoSeries(list(a), crs=4326).to_crs(4549)
    b = gpd.GeoSeries(list(b), crs=4326).to_crs(4549)
    return float(a.distance(b).max())


def _choose(page, label: str, option: str) -> None:
    page.locator(SELECTBOX).filter(has_text=label).click()
    page.get_by_role("option", name=option).click()
    wait_for_app(page)


@pytest.mark.browser
def test_upload_with_crs_per_file_then_roll_back_around_a_later_edit(
        streamlit_app, page, screenshot, tmp_path):
    store = build_tiny_store(tmp_path / "io.gpkg")
    members = store.load("members")
    survey = members.assign(id=members["id"] + "S")
    picker = members.assign(id=members["id"] + "G")
    survey_csv, picker_csv = tmp_path / "members_survey.csv", tmp_path / "members_picker.csv"
    layer_table("members", survey.to_crs(4549)).to_csv(survey_csv, index=False)
    table = layer_table("members", picker)
    table["经度"], table["纬度"] = crs.wgs84_to_gcj02(table["经度"].to_numpy(),
                                                    table["纬度"].to_numpy())
    table.to_csv(picker_csv, index=False, encoding="gbk")

    auth.add_user(store, "zuzhi", "org", "secret-123", rounds=4)
    page.goto(streamlit_app.start(store.path))
    wait_for_app(page)
    sign_in(page, "zuzhi", "secret-123")
    page.get_by_role("link", name="数据导入导出").click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [str(survey_csv), str(picker_csv)])
    page.get_by_text("检查通过").first.wait_for(timeout=60_000)
    _choose(page, "members_picker.csv 的坐标系", "GCJ-02 火星坐标(高德/腾讯)")
    detected = page.locator('[data-testid="stDataFrame"]').first
    detected.wait_for()
    screenshot("data_io_checked")
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("已导入,记录编号").wait_for(timeout=60_000)
    plan = import_log(store)
    assert plan["status"].tolist() == ["applied"]
    stored = store.load("members").set_index("id")
    assert _metres(stored.loc[survey["id"]].geometry.values, members.geometry.values) < 0.01
    assert _metres(stored.loc[picker["id"]].geometry.values, members.geometry.values) < 1.0

    with store.transaction("grid1") as tx:  # a grid leader edits an imported row meanwhile
        tx.update("members", "M1S", {"duty": "后来改的职责"})
    page.get_by_role("tab", name="导入记录").click()
    page.get_by_role("button", name="回滚").click()
    # wait for the last thing the refusal renders (the table of rows), not the error above it
    page.get_by_text("导入后被修改", exact=True).first.wait_for(timeout=60_000)
    assert "行在导入后又被修改或删除" in page.locator("body").inner_text()
    assert len(store.load("members")) == 6  # refused: nothing rolled back
    screenshot("data_io_rollback_refused")
    page.get_by_text("保留导入后的修改,只回滚其余行").click()
    wait_for_app(page)
    page.get_by_role("button", name="回滚").click()
    page.get_by_text("保留了修改").wait_for(timeout=60_000)
    # the log was drawn again after the rollback: nothing left to offer for rollback (#14.9)
    page.get_by_text("没有可回滚的导入").wait_for(timeout=60_000)
    expect(page.get_by_role("button", name="回滚", exact=True)).to_have_count(0, timeout=60_000)
    after = store.load("members").set_index("id")
    assert sorted(after.index) == ["M1", "M1S", "M2"]
    assert after.loc["M1S", "duty"] == "后来改的职责"
    assert import_log(store)["status"].tolist() == ["rolled_back"]


@pytest.mark.browser
def test_an_unchanged_export_uploaded_again_writes_nothing(streamlit_app, page, tmp_path):
    """The check names unchanged, changed and new rows; importing an unchanged export leaves
    the store as it was (issue 24.9)."""
    from geo.exporter import export_store

    store = build_tiny_store(tmp_path / "again.gpkg")
    out = export_store(store, "csv", tmp_path / "members.zip", layers=["members"],
                       can_see_personal=True)
    auth.add_user(store, "zuzhi", "org", "secret-123", rounds=4)
    revision = store.revision()
    page.goto(streamlit_app.start(store.path))
    wait_for_app(page)
    sign_in(page, "zuzhi", "secret-123")
    page.get_by_role("link", name="数据导入导出").click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files([str(out)])
    page.get_by_text("在职党员:2 条未变、0 条有变化、0 条新增").wait_for(timeout=60_000)
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text("所有行都与库中相同,没有写入任何数据").wait_for(timeout=60_000)
    assert store.revision() == revision and import_log(store).empty
