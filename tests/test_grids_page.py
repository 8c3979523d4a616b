"""The grid-members page: pick a gap grid, see it flagged, move a member into it, see the flag
go away; exports. The small district is the one described in test_grid_coverage (grid C, 网格C,
has no member)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from fixtures_browser import LAPTOP, PHONE, sign_in
from streamlit.testing.v1 import AppTest
from test_grid_coverage import build_grid_store

from components.session import ACCOUNT_KEY
from geo import auth, grid_report, reassignment
from geo import grid_coverage as gc
from geo.store import ENV_URL

PAGE = str(Path(__file__).resolve().parents[1] / "views" / "grids.py")


@pytest.fixture
def grid_store(tmp_path, monkeypatch):
    store = build_grid_store(tmp_path / "grids.gpkg")
    monkeypatch.setenv(ENV_URL, store.url)
    return store


@pytest.fixture
def leader_store(grid_store):
    """The small district with one grid leader (all four grids) and one viewer account."""
    auth.add_user(grid_store, "leader1", "grid_leader", "secret-123", grids=["A", "B", "C", "D"],
                  rounds=4)
    auth.add_user(grid_store, "viewer1", "viewer", "secret-123", rounds=4)
    return grid_store


def _open(grid: str | None = None, account: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    if account:
        at.session_state[ACCOUNT_KEY] = account
    if grid:
        at.query_params["grid"] = grid
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _cards(at) -> dict[str, str]:
    """Grid name -> the text of its card (grids_view.grid_card: one Markdown block)."""
    cards = {}
    for block in at.markdown:
        match = re.match(r"\*\*(.+?)\*\* · ", block.value)
        if match and "badge[" in block.value:
            cards[match.group(1)] = block.value.replace("\\", "")
    return cards


def _roster(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "姓名" in d.value.columns)


def _submit(at):
    return at.button(key="FormSubmitter:grids_reassign-保存调整").click().run()


def test_gap_grid_is_flagged_then_fixed_by_a_move(leader_store):
    grid_store = leader_store
    at = _open("C", "leader1")
    assert not at.exception
    assert at.radio(key="grids_view").value == "mine"  # C is his: his own view, C chosen
    assert at.selectbox(key="grids_grid").value == "C"
    assert "党员 0 · " in _cards(at)["网格C"] and "无党员" in _cards(at)["网格C"]
    # move m4 from his grid D into C; the target defaults to C
    assert at.selectbox(key="grids_target").value == "C"
    at.multiselect(key="grids_members").set_value(["m4"])
    at.text_input(key="grids_reason").set_value("补齐空白网格")
    _submit(at)
    assert not at.exception
    assert grid_store.load("members", where={"id": "m4"}).iloc[0]["grid_id"] == "C"
    card = _cards(at)["网格C"]
    assert "党员 1 · " in card and "无党员" not in card and "覆盖正常" in card
    assert sorted(_roster(at)["姓名"]) == ["赵强"]
    # undo puts the gap back
    at.button(key="grids_undo").click().run()
    assert "无党员" in _cards(at)["网格C"]
    assert grid_store.load("members", where={"id": "m4"}).iloc[0]["grid_id"] == "D"


def test_conflicting_edit_shows_a_clear_message(leader_store):
    grid_store = leader_store
    at = _open("D", "leader1")
    reassignment.set_post_duty(grid_store, ["m4"], "他人先改", account="org", post="楼道长",
                               principal=auth.SYSTEM)
    at.multiselect(key="grids_members").set_value(["m4"])
    at.text_input(key="grids_duty").set_value("治安巡防")
    at.text_input(key="grids_reason").set_value("调整职责")
    _submit(at)
    assert any("有人在您之后修改了该党员" in e for e in _errors(at))
    assert grid_store.load("members", where={"id": "m4"}).iloc[0]["duty"] == "入户走访"


def test_roster_is_masked_in_demo_mode(grid_store):
    at = _open("A")
    roster = _roster(at)
    assert sorted(roster["姓名"]) == ["张*", "李*"]
    assert sorted(roster["电话"]) == ["138****0000", "138****0001"]
    assert [i.value for i in at.info] == ["当前角色只能查看"]  # demo: read-only, no form
    assert not at.get("multiselect")


def test_grid_leader_sees_own_names_and_viewer_cannot_edit(leader_store):
    at = _open("A", "leader1")
    assert sorted(_roster(at)["姓名"]) == ["张明", "李华"]
    at = _open("A", "viewer1")
    assert sorted(_roster(at)["姓名"]) == ["张*", "李*"]
    assert [i.value for i in at.info] == ["当前角色只能查看"]


def test_grid_leader_opens_on_his_own_grids_the_district_one_choice_away(grid_store):
    auth.add_user(grid_store, "leader3", "grid_leader", "secret-123", grids=["B", "C", "D"],
                  rounds=4)
    at = _open(account="leader3")
    assert not at.exception
    assert at.radio(key="grids_view").value == "mine"
    assert list(_cards(at)) == ["网格B", "网格C", "网格D"]  # his grids, in order, first
    assert "超载" in _cards(at)["网格B"] and "无党员" in _cards(at)["网格C"]
    assert "覆盖正常" in _cards(at)["网格D"]
    assert next(s.value for s in at.subheader) == "我负责的网格"
    assert not at.metric  # no district figures before his grids
    assert "grids_street" not in [box.key for box in at.get("selectbox")]
    roster = _roster(at)  # his grids' members, names in clear, the grid column shown
    assert sorted(roster["姓名"]) == ["王芳", "赵强", "陈静"] and "网格" in roster.columns
    assert at.selectbox(key="grids_target").options == ["(不调整网格)", "网格B (B)", "网格C (C)",
                                                        "网格D (D)"]
    at.radio(key="grids_view").set_value("district").run()  # the whole district
    assert next(s.value for s in at.subheader) == "全区概况"
    assert [m.value for m in at.metric][:2] == ["4", "5"]
    assert not [d for d in at.dataframe if "姓名" in d.value.columns]  # no roster unasked


def test_org_opens_on_the_district_summary_and_picks_a_street(grid_store):
    auth.add_user(grid_store, "org1", "org", "secret-123", rounds=4)
    at = _open(account="org1")
    assert not at.exception
    assert next(s.value for s in at.subheader) == "全区概况"
    assert [m.value for m in at.metric] == ["4", "5", "540", "108.00", "1", "1"]
    streets = next(d.value for d in at.dataframe if "街道" in d.value.columns)
    assert streets[["街道", "网格数", "党员", "户数", "户/党员", "空白网格", "超载网格",
                    "有偏远党员的网格", "报到", "入格"]].values.tolist() == [
        ["东城街道", 2, 4, 400, "100.00", 0, 1, 1, 6, 4],
        ["西城街道", 2, 1, 140, "140.00", 1, 0, 0, 3, 1]]
    assert not [d for d in at.dataframe if "姓名" in d.value.columns]  # no roster unasked
    assert "选择街道、社区或网格" in at.info[0].value
    at.selectbox(key="grids_street").set_value("s1").run()
    assert next(s.value for s in at.subheader) == "东城街道概况"
    communities = next(d.value for d in at.dataframe if "社区" in d.value.columns)
    assert communities["社区"].tolist() == ["桔源社区"]
    assert sorted(_roster(at)["姓名"]) == ["张明", "李华", "王芳", "陈静"]  # org: in clear


def test_threshold_change_moves_the_flags_and_shows_the_value_compared(grid_store):
    at = _open()
    assert at.number_input(key="grids_threshold").value == 120.0
    assert "超载:户/党员 > 120" in [c.value for c in at.caption]
    at.number_input(key="grids_threshold").set_value(55.456).run()  # shown and compared: 55.46
    assert "超载:户/党员 > 55.46" in [c.value for c in at.caption]
    assert [m.value for m in at.metric][-1] == "2"  # B 150 and D 60 are above it, A 50 not
    charts = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(charts) == 2  # the distribution and the heaviest grids, threshold marked on both
    for chart in charts:
        rule = next(layer for layer in chart["layer"] if layer["mark"]["type"] == "text")
        assert rule["data"]["values"][0]["label"] == "超载阈值 55.46"


def test_a_plain_rerun_builds_no_file(leader_store, monkeypatch):
    """The roster workbook and the printable summary are built only when asked for."""
    built = {"excel": 0, "summary": 0}
    excel, summary = grid_report.roster_excel, grid_report.grid_summary_html

    def count(name, builder):
        def counted(*args, **kwargs):
            built[name] += 1
            return builder(*args, **kwargs)
        return counted

    monkeypatch.setattr(grid_report, "roster_excel", count("excel", excel))
    monkeypatch.setattr(grid_report, "grid_summary_html", count("summary", summary))
    at = _open("B", "leader1")
    at.run()
    at.number_input(key="grids_threshold").set_value(200.0).run()
    at.toggle(key="grids_roster_all").set_value(True).run()
    assert not at.exception
    assert built == {"excel": 0, "summary": 0}
    assert not at.get("download_button")
    at.button(key="grids_excel_make").click().run()
    assert built == {"excel": 1, "summary": 0}
    assert [d.key for d in at.get("download_button")] == ["grids_excel"]
    at.run()  # the file is kept for the download button, not built again
    assert built == {"excel": 1, "summary": 0}
    at.button(key="grids_summary_make").click().run()
    assert built == {"excel": 1, "summary": 1}
    assert [d.key for d in at.get("download_button")] == ["grids_excel", "grids_summary_download"]
    at.selectbox(key="grids_grid").set_value("A").run()  # another grid: the old files go
    assert built == {"excel": 1, "summary": 1} and not at.get("download_button")


def test_tables_offer_no_unaudited_export():
    """The roster is an interactive table (paged): its toolbar must not download it as CSV
    past the audited Excel button (Streamlit's client.disableDataExport)."""
    import tomllib

    config = tomllib.loads((Path(PAGE).parents[1] / ".streamlit" / "config.toml").read_text(
        encoding="utf-8"))
    assert config["client"]["disableDataExport"] is True


def test_exports(grid_store):
    members, grids = grid_store.load("members"), grid_store.load("grids")
    roster = grid_report.roster_frame(members, grids, grid_store.load("volunteer_teams"),
                                      {"A": True}, ["A", "B"])
    assert roster[["id", "name", "team"]].values.tolist() == [
        ["m1", "张明", "爱心帮扶队"], ["m2", "李华", None], ["m3", "王*", "爱心帮扶队"],
        ["m5", "陈*", None],
    ]
    book = pd.read_excel(io.BytesIO(grid_report.roster_excel(roster, lambda k: k)))
    assert list(book.columns)[:3] == ["grids.col.id", "grids.col.name", "grids.col.phone"]
    assert book["grids.col.phone"].tolist() == ["13800000000", "13800000001", "138****0002",
                                                "138****0004"]
    cov = gc.grid_coverage(grids, members, grid_store.load("compounds"))
    record = gc.coverage_records(cov[cov[gc.GRID_ID] == "B"])[0]
    page = grid_report.grid_summary_html(record, roster[roster["grid"] == "网格B"],
                                         lambda k: k, {"s1": "东城街道"})
    assert "@media print" in page and "东城街道" in page and "王*" in page
    assert "grids.flag.overloaded" in page and "<b>150.0</b>" in page



# ------------------------------------------------------------------------ real browser


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


@pytest.mark.browser
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


@pytest.mark.browser
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


@pytest.fixture
def phone_leader(writable_sample_store):
    """The sample district with a grid leader of three grids of one community (one of them
    without members)."""
    grids = writable_sample_store.load("grids")
    members = writable_sample_store.load("members")
    staffed = grids["id"].isin(set(members["grid_id"]))
    community = grids.loc[~staffed, "community_id"].iloc[0]
    own = grids[grids["community_id"] == community].sort_values("id")
    own = pd.concat([own[~own["id"].isin(set(members["grid_id"]))].head(1),
                     own[own["id"].isin(set(members["grid_id"]))].head(2)]).sort_values("id")
    auth.add_user(writable_sample_store, "wangge3", "grid_leader", "secret-123",
                  grids=list(own["id"]), rounds=4)
    return writable_sample_store, own


@pytest.mark.browser
def test_browser_phone_leader_sees_own_grids_first_and_reassigns_within_two_screens(
        streamlit_app, phone_page, phone_leader):
    """390x844, touch: the leader's three grids as cards on the first screen, one column, the
    member list as wide as the screen, the reassignment form starting within two screens;
    a member moved into the grid without members clears its flag."""
    from fixtures_browser import ARTIFACTS
    from playwright.sync_api import expect

    store, own = phone_leader
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


@pytest.mark.browser
def test_browser_org_sees_the_district_summary_first(streamlit_app, laptop_page,
                                                     writable_sample_store):
    """1366x768: org lands on the district summary (figures, the table by street) on the
    first screen; no roster until a street is chosen."""
    from playwright.sync_api import expect

    store, page = writable_sample_store, laptop_page
    auth.add_user(store, "zuzhi", "org", "secret-123", rounds=4)
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
