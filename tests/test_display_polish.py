"""#14 defects 7 and 8 below the browser: no raw key, "None" or "nan" in what a user reads
(map labels, grid table, roster, print summary, audit, planner Excel), codes as words, one
upload limit, Chinese for Streamlit's own English."""

from __future__ import annotations

import io
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from components import display_values as dv
from components import i18n, map_payloads, streamlit_text
from geo import grid_coverage as gc
from geo import grid_report, siting
from geo import scenarios as sc
from geo.importer.readers import DEFAULT_SIZE_LIMIT

ROOT = Path(__file__).resolve().parents[1]
RAW = re.compile(r"\b(?:map|planner|grids|audit|polish)\.[a-z_.]+|\bnan\b|\bNone\b|\bNaT\b")


@pytest.fixture
def chinese():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("zh")


def test_position_and_compound_labels_have_no_raw_key_or_nan(sample_store, chinese):
    positions = sample_store.load("service_positions")
    positions["street_name"] = "街道"
    assert positions["kind"].isna().any()  # most positions have no station kind
    compounds = sample_store.load("compounds").assign(
        disclosure="full", red_property=False, branch_type="real", firm_name=None,
        street_name="街道", practice=None)
    for payload in (map_payloads.positions_payload(positions),
                    map_payloads.compounds_payload(compounds)):
        for feature in payload["features"]:
            label = feature["properties"]["tip"] + feature["properties"]["popup"]
            assert not RAW.search(label), label
    tips = [f["properties"]["tip"] for f in map_payloads.positions_payload(positions)["features"]]
    assert any("先锋驿站" in tip for tip in tips)  # a real kind is still named


def test_missing_values_and_measures_read_as_people_write_them():
    assert [dv.shown(v) for v in (None, float("nan"), pd.NaT, "", "x")] == ["—"] * 4 + ["x"]
    assert dv.number(22.052631578) == "22.1"
    assert dv.number(None) == "—"
    assert dv.label("map.tier.", "point") == i18n.t("map.tier.point")
    assert dv.label("map.kind.", float("nan")) == "—"
    frame = dv.blank_frame(pd.DataFrame({"team": ["队1", None], "n": [1, 2]}))
    assert frame["team"].tolist() == ["队1", "—"]


def test_print_summary_has_no_none_for_a_member_without_team(sample_store, chinese):
    members, grids = sample_store.load("members"), sample_store.load("grids")
    teams = sample_store.load("volunteer_teams")
    grid_ids = list(grids["id"][:3])
    roster = grid_report.roster_frame(members, grids, teams, False, grid_ids)
    assert roster["team"].isna().any()  # the case of the defect
    coverage = gc.grid_coverage(grids, members, sample_store.load("compounds"))
    record = gc.coverage_records(coverage[coverage[gc.GRID_ID] == grid_ids[0]])[0]
    page = grid_report.grid_summary_html(record, roster, i18n.t)
    assert ">None<" not in page and ">nan<" not in page


def test_audit_actions_and_layers_in_words(chinese):
    assert dv.audit_action("sign_in") == "登录"
    assert dv.audit_action("members.move") == "党员调整网格"
    assert dv.audit_action("workflow.take") == "工单事件 · 接单"
    assert dv.audit_action("import") == "导入数据"
    assert dv.layer_name("members") == "在职党员"
    assert dv.layer_name("accounts") == "账号"
    i18n.set_lang("en")
    assert dv.audit_action("sign_in") == "Sign-in"
    assert dv.audit_action("workflow.take") == "Orders and cases · take"


def test_solver_status_is_translated(chinese):
    assert dv.label("polish.solver.", "Optimal") == "最优解"
    assert "Optimal" not in i18n.t("planner.suggest.report", after=1, before=1, greedy=1,
                                   status=dv.label("polish.solver.", "Optimal"), seconds=1)


def test_planner_excel_reads_in_chinese(sample_store, chinese):
    scenario = sc.Scenario("方案一", 500.0, [{"id": "X1", "name": "候选1", "tier": "point",
                                           "lon": 121.26, "lat": 28.64}], [], None, False)
    evaluated = sc.evaluate(scenario, sample_store.load("compounds"),
                            sample_store.load("service_positions"), sample_store.load("roads"),
                            sample_store.load("grids"))
    book = pd.read_excel(io.BytesIO(sc.to_excel(scenario, evaluated, **dv.scenario_excel_labels())),
                         sheet_name=None)
    assert list(book) == ["概要", "候选阵地", "小区", "阵地"]
    for sheet in book.values():
        assert all(re.search(r"[\u4e00-\u9fff]", str(c)) for c in sheet.columns), sheet.columns
    text = " ".join(sheet.astype(str).to_csv() for sheet in book.values())
    for code in ("point", "core", "existing", "compounds", "households", "straight-line",
                 "True", "False"):
        assert not re.search(rf"\b{code}\b", text), code
    assert siting.CANDIDATE_COLUMNS[2] == "tier"


def test_upload_limit_is_one_setting():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1048576 == DEFAULT_SIZE_LIMIT
    page = (ROOT / "views" / "data_io.py").read_text(encoding="utf-8")
    assert "DEFAULT_SIZE_LIMIT" not in page  # the page says and does what the server enforces
    assert page.count("upload_limit_mb()") >= 3


def test_chinese_stylesheet_replaces_streamlit_english(chinese, monkeypatch):
    monkeypatch.setattr(streamlit_text, "upload_limit_mb", lambda: 50)
    css = streamlit_text.chinese_css()
    for text in ("跳到正文", "按回车键确认", "选择文件", "单个文件不超过 50 MB", "无匹配项"):
        assert text in css
    assert "stElementToolbar" in css
