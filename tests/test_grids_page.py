"""The grid-members page (AppTest): a grid leader opens on his own grids and moves a member into
the grid without members (its flag goes away, undo brings it back); org opens on the district
summary and picks a street for a roster; the threshold as compared; files built only when
asked; masking; exports. The small district is the one described in test_grid_coverage (grid
C, 网格C, has no member). Real browser: test_grids_browser.py."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
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


def test_english_roster_and_its_excel_show_posts_and_duties_in_english(leader_store,
                                                                       monkeypatch):
    from components.i18n import set_lang, t

    made = []
    excel = grid_report.roster_excel
    monkeypatch.setattr(grid_report, "roster_excel",
                        lambda roster, label: made.append(excel(roster, label)) or made[-1])
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[ACCOUNT_KEY] = "leader1"
    at.session_state["lang"] = "en"
    at.query_params["grid"] = "A"
    at.run()
    assert not at.exception
    post, duty = t("grids.col.post", "en"), t("grids.col.duty", "en")
    roster = next(d.value for d in at.dataframe if post in d.value.columns)
    assert sorted(roster[t("grids.col.name", "en")]) == ["张明", "李华"]  # A's two members
    assert sorted(roster[post]) == ["publicity officer", "stairwell leader"]
    assert list(roster[duty]) == ["home visits"] * 2
    assert not roster[[post, duty]].stack().astype(str).str.contains(r"[\u4e00-\u9fff]").any()
    set_lang("en")  # AppTest formats the page's radio options in this thread on the next run
    try:
        at.button(key="grids_excel_make").click().run()
    finally:
        set_lang("zh")
    assert not at.exception and len(made) == 1
    sheet = pd.read_excel(io.BytesIO(made[0]))
    assert sorted(sheet[post]) == ["publicity officer", "stairwell leader"], list(sheet.columns)
    assert set(sheet[duty]) == {"home visits"}
