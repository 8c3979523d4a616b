"""The grids page in real headless Chromium: a grid leader moves a member into his grid without
members and its flag goes away; the map keeps its view; on a 390x844 touch phone the leader sees
his own grids first and reaches the reassignment within two screens; org at 1366x768 lands on
the district summary. The small district is the one described in test_grid_coverage."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from fixtures_browser import LAPTOP, PHONE, sign_in
from test_grid_coverage import build_grid_store

from geo import auth
from geo.store import open_store

pytestmark = pytest.mark.browser


@pytest.fixture
def leader_store(tmp_path):
    """The small district with one grid leader of all four grids."""
    store = build_grid_store(tmp_path / "grids.gpkg")
    auth.add_user(store, "leader1", "grid_leader", "secret-123", grids=["A", "B", "C", "D"],
                  rounds=4)
    return store


def _settle(page) -> None:
    from fixtures_browser import wait_for_app

    wait_for_app(page)


def _pick(page, label: str, option: str) -> None:
    _settle(page)
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option.split(" ")[0])
    page.get_by_role("option", name=option, exact=True).click()
    _settle(page)


def _open_as(page, base: str, account: str) -> None:
    """The grids page, signed in (the sign-in form answers at /grids, then the page runs)."""
    page.goto(f"{base}/grids")
    _settle(page)
    sign_in(page, account, "secret-123")
    _settle(page)


def _card(page, grid_id: str):
    return page.locator(f".st-key-grid_card_{grid_id}")


def test_browser_gap_grid_flag_goes_away_after_a_move(streamlit_app, page, leader_store):
    from playwright.sync_api import expect

    _open_as(page, streamlit_app.start(leader_store.url), "leader1")
    _pick(page, "网格", "网格C (C)")
    expect(_card(page, "C").get_by_text("无党员")).to_be_visible()
    _pick(page, "选择党员", "m4 · 赵强 · 网格D")
    page.keyboard.press("Escape")
    expect(page.get_by_role("combobox", name="调入网格")).to_have_value("网格C (C)")
    page.get_by_label("调整原因").fill("补齐空白网格")
    page.get_by_role("button", name="保存调整").click()
    _settle(page)
    expect(_card(page, "C").get_by_text("覆盖正常")).to_be_visible(timeout=30_000)
    expect(_card(page, "C").get_by_text("无党员")).to_have_count(0)
    assert leader_store.load("members", where={"id": "m4"}).iloc[0]["grid_id"] == "C"
    # undo: the page's member picker still holds the label the move made stale ("... · 网格D")
    page.get_by_role("button", name="撤销上次调整").click()
    _settle(page)
    expect(page.get_by_text("已撤销")).to_be_visible(timeout=30_000)
    expect(_card(page, "C").get_by_text("无党员")).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert leader_store.load("members", where={"id": "m4"}).iloc[0]["grid_id"] == "D"


def test_browser_grid_map_keeps_its_view_when_a_grid_is_picked(streamlit_app, page, leader_store):
    """Picking a grid redraws the map (the grid is outlined): the user's zoom stays."""
    from fixtures_browser import folium_frame, redrawn_map

    _open_as(page, streamlit_app.start(leader_store.url), "leader1")
    frame = folium_frame(page)
    frame.wait_for_function("() => window.map && window.map.getZoom() > 0")
    fitted = frame.evaluate("() => window.map.getZoom()")
    zoom = frame.evaluate("() => { const m = window.map; m.setZoom(m.getZoom() - 1,"
                          " {animate: false}); window.oldMap = true; return m.getZoom(); }")
    assert zoom == fitted - 1  # the user zoomed out one step
    _pick(page, "网格", "网格C (C)")
    frame = redrawn_map(page)  # the picked grid's outline makes a new map document
    frame.wait_for_function(f"() => window.map.getZoom() === {zoom}")


@pytest.fixture(scope="module")
def people(sample_store_path, tmp_path_factory):
    """A copy of the sample district (one server for the tests below) with org account zuzhi
    and a grid leader of three grids of one community, one of them without members: (store,
    his grids)."""
    path = tmp_path_factory.mktemp("grids-people") / "sample.gpkg"
    shutil.copyfile(sample_store_path, path)
    store = open_store(path)
    grids, members = store.load("grids"), store.load("members")
    staffed = grids["id"].isin(set(members["grid_id"]))
    community = grids.loc[~staffed, "community_id"].iloc[0]
    own = grids[grids["community_id"] == community].sort_values("id")
    own = pd.concat([own[~own["id"].isin(set(members["grid_id"]))].head(1),
                     own[own["id"].isin(set(members["grid_id"]))].head(2)]).sort_values("id")
    auth.add_user(store, "wangge3", "grid_leader", "secret-123", grids=list(own["id"]), rounds=4)
    auth.add_user(store, "zuzhi", "org", "secret-123", rounds=4)
    return store, own


def test_browser_phone_leader_sees_own_grids_first_and_reassigns_within_two_screens(
        streamlit_app, phone_page, people):
    """390x844, touch: the leader's three grids as cards on the first screen, one column, the
    member list as wide as the screen, the reassignment form starting within two screens;
    a member moved into the grid without members clears its flag."""
    from fixtures_browser import ARTIFACTS
    from playwright.sync_api import expect

    store, own = people
    page, screen = phone_page, PHONE["viewport"]
    _open_as(page, streamlit_app.start(store.url), "wangge3")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "grids_phone_leader.png"))
    cards = [_card(page, g) for g in own["id"]]
    for card, name in zip(cards, own["name"]):
        expect(card).to_contain_text(name)
    boxes = [card.bounding_box() for card in cards]
    assert boxes[0]["y"] < screen["height"]  # his first grid on the first screen
    assert all(b["width"] > screen["width"] * 0.8 for b in boxes)  # one column: full width
    assert [b["y"] for b in boxes] == sorted(b["y"] for b in boxes)
    assert page.get_by_text("全区概况").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= screen["width"]
    roster = page.locator('[data-testid="stDataFrame"]').first
    table = roster.bounding_box()
    assert boxes[-1]["y"] < table["y"] and table["x"] + table["width"] <= screen["width"]
    columns = page.evaluate("""() => { const grid = document.querySelector(
        '[data-testid="stDataFrame"] [role="grid"], [data-testid="stDataFrame"] canvas');
        return grid ? grid.getBoundingClientRect().right : 0; }""")
    assert 0 < columns <= screen["width"]
    form = page.locator('[data-testid="stForm"]')
    assert form.bounding_box()["y"] < 2 * screen["height"]  # reached within two screens
    picker = page.get_by_role("combobox", name="选择党员", exact=True)
    assert picker.bounding_box()["y"] + picker.bounding_box()["height"] < 2 * screen["height"]
    gap = own[~own["id"].isin(set(store.load("members")["grid_id"]))].iloc[0]
    staffed = own[own["id"] != gap["id"]].iloc[0]
    mover = store.load("members", where={"grid_id": staffed["id"]}).sort_values("id").iloc[0]
    expect(_card(page, gap["id"])).to_contain_text("无党员")
    picker.tap()
    picker.fill(mover["id"])
    page.get_by_role("option", name=f"{mover['id']} · {mover['name']} · {staffed['name']}",
                     exact=True).tap()
    page.keyboard.press("Escape")
    _pick(page, "调入网格", f"{gap['name']} ({gap['id']})")
    page.get_by_label("调整原因").fill("补齐空白网格")
    page.get_by_role("button", name="保存调整").tap()
    _settle(page)
    expect(_card(page, gap["id"])).not_to_contain_text("无党员", timeout=30_000)
    expect(_card(page, gap["id"])).to_contain_text("党员 1 · ")
    assert store.load("members", where={"id": mover["id"]}).iloc[0]["grid_id"] == gap["id"]
    page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "grids_phone_leader_after.png"))


def test_browser_org_sees_the_district_summary_first(streamlit_app, laptop_page, people):
    """1366x768: org lands on the district summary (figures, the table by street) on the
    first screen; no roster until a street is chosen."""
    from playwright.sync_api import expect

    (store, _), page = people, laptop_page
    _open_as(page, streamlit_app.start(store.url), "zuzhi")
    heading = page.get_by_role("heading", name="全区概况")
    expect(heading).to_be_visible()
    assert heading.bounding_box()["y"] < LAPTOP["viewport"]["height"]
    grids = store.load("grids")
    expect(page.locator('[data-testid="stMetric"]').first).to_contain_text(f"{len(grids):,}")
    streets = page.locator('[data-testid="stDataFrame"]').first
    expect(streets).to_be_visible()
    assert streets.bounding_box()["y"] < LAPTOP["viewport"]["height"]
    assert page.locator('[data-testid="stDataFrame"]').count() == 1  # no roster unasked
    expect(page.get_by_text("选择街道、社区或网格").first).to_be_attached()
    street = store.load("streets").iloc[0]
    _pick(page, "街道", street["name"])
    expect(page.get_by_role("heading", name=f"{street['name']}概况")).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(2)  # communities, roster
