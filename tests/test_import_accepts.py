"""Files that must be accepted exactly (#15.7, #15.8, #14.9): ids and dates kept as text,
UTF-16, a title row above the header, the templates' example row and instruction sheet; and
exports recorded in the audit log (#15.10)."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
from make_bad_files import GOOD_MEMBER, MEMBER_HEADER
from openpyxl import load_workbook

from geo import audit
from geo.importer import import_files, template_xlsx
from geo.importer.sheets import EXAMPLE_MARK

NEW_MEMBER = GOOD_MEMBER.replace("M1,张三明", "M7,王小明")


def test_geojson_ids_and_dates_stay_text(small_store, tmp_path):
    path = tmp_path / "members.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [121.26, 28.65]},
        "properties": {"id": "T0006", "name": "王五", "phone": "13800000000", "gender": "男",
                       "grid_id": "G1", "work_unit": "00:06", "post": "12:30:00", "duty": "职责",
                       "reported_on": "2021-09-01", "joined_party": "2000-07-01"}}]},
        ensure_ascii=False), encoding="utf-8")
    plan, log_id = import_files(small_store, [path])
    assert log_id, [p.describe() for p in plan.problems]
    row = small_store.load("members").set_index("id").loc["T0006"]
    assert row["work_unit"] == "00:06" and row["post"] == "12:30:00"
    assert str(row["reported_on"].date()) == "2021-09-01"


def test_utf16_csv_is_read(small_store, tmp_path):
    for sep, name in ((",", "members_utf16.csv"), ("\t", "members_utf16_tabs.txt")):
        path = tmp_path / name
        lines = [MEMBER_HEADER.replace(",", sep), NEW_MEMBER.replace(",", sep)]
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))
        plan, log_id = import_files(small_store, [path], layer="members")
        assert plan.ok, [p.describe() for p in plan.problems]
        assert plan.tables[0].encoding == "utf-16"
        # the tab-separated file holds the row the first one wrote: unchanged, nothing written
        assert bool(log_id) == (sep == ",") and plan.counts["members"]["unchanged"] == (sep != ",")
    assert small_store.load("members").set_index("id").loc["M7", "name"] == "王小明"


def test_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(small_store, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("\n".join(["2024年在职党员名单(东城街道),,", "", MEMBER_HEADER, NEW_MEMBER,
                               NEW_MEMBER.replace("M7,", "M8,").replace(",男,", ",未知,")]),
                    encoding="utf-8")
    plan, log_id = import_files(small_store, [path])
    assert log_id is None
    assert [(p.code, p.field, p.row) for p in plan.problems] == [("bad_choice", "gender", 5)]
    assert any("标题" in n for n in plan.tables[0].notes)
    path.write_text(f"2024年在职党员名单,,\n{MEMBER_HEADER}\n{NEW_MEMBER}",
                    encoding="utf-8")
    plan, log_id = import_files(small_store, [path])
    assert log_id and small_store.load("members").set_index("id").loc["M7", "post"] == "网格员"


def test_template_marks_required_fields_and_its_example_row_is_skipped(small_store, tmp_path):
    book = load_workbook(io.BytesIO(template_xlsx("members")))
    assert book.sheetnames == ["在职党员", "填表说明"]
    sheet = book["在职党员"]
    assert sheet["A1"].value == "编号*" and str(sheet["A2"].value).startswith(EXAMPLE_MARK)
    notes = [row for row in book["填表说明"].iter_rows(values_only=True)]
    assert ("性别", "是 yes") == notes[4][:2] and "男/女" in notes[4][3]
    values = dict(zip(MEMBER_HEADER.split(","), NEW_MEMBER.split(",")))
    values["经度"], values["纬度"] = 121.262, 28.648
    sheet.append([values.get(str(c.value).rstrip("*")) for c in sheet[1]])
    path = tmp_path / "members_filled.xlsx"
    book.save(path)
    plan, log_id = import_files(small_store, [path])
    assert log_id, [p.describe() for p in plan.problems]
    assert plan.counts["members"] == {"rows": 1, "new": 1, "changed": 0, "unchanged": 0}
    assert any("示例" in n for n in plan.tables[0].notes)
    assert plan.tables[0].sheet == "在职党员" and len(plan.tables) == 1  # 填表说明 not read


def test_problem_messages_use_field_labels(small_store, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("\n".join([MEMBER_HEADER, NEW_MEMBER.replace(",G1,", ",G404,")
                               .replace("2021-09-01", "昨天").replace("王小明", "")]),
                    encoding="utf-8")
    plan, _ = import_files(small_store, [path])
    messages = {p.field: (p.message_zh, p.message_en) for p in plan.problems}
    assert messages["name"][0].startswith("姓名:") and messages["name"][1].startswith("name:")
    assert "引用的网格不存在" in messages["grid_id"][0] and "grids" not in messages["grid_id"][0]
    assert "应为日期" in messages["reported_on"][0] and "date" not in messages["reported_on"][0]


def test_cli_export_is_audited_with_its_masking(small_store, tmp_path):
    for extra, masked in (([], True), (["--unmasked"], False)):
        out = tmp_path / f"out{len(extra)}.xlsx"
        done = subprocess.run([sys.executable, "-m", "geo.cli", "export", "--format", "xlsx",
                               "--out", str(out), "--store", str(small_store.path),
                               "--account", "alice", *extra],
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
    rows = audit.load_audit(small_store, actions=[audit.EXPORT_ACTION])
    assert len(rows) == 2 and set(rows["account"]) == {"alice"}
    assert sorted(json.loads(a)["masked"] for a in rows["after"]) == [False, True]


def test_export_names_say_masked_or_unmasked():
    from geo.exporter import export_name

    at = pd.Timestamp("2026-12-01 18:00", tz="Asia/Shanghai")
    masked, unmasked = export_name("csv", False, at), export_name("csv", True, at)
    assert masked != unmasked and "_unmasked_" in unmasked and "_masked_" in masked
