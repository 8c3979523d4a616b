"""Import: the bad-file corpus, encodings, formats, CRS detection, one transaction, log and
rollback."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from make_bad_files import (
    GOOD_MEMBER,
    GOOD_MEMBER_2,
    MEMBER_HEADER,
    build_tiny_store,
    make_bad_files,
    members_csv_rows,
)
from openpyxl import load_workbook
from shapely.geometry import Point

from geo import crs
from geo.importer import (
    APPLIED,
    ROLLED_BACK,
    ImportRefused,
    RollbackConflict,
    apply_import,
    distinct_names,
    import_files,
    import_log,
    plan_import,
    rollback_import,
    template_xlsx,
)
from geo.importer.mapping import detect_layer, header_map
from geo.importer.templates import layer_table, template_headers
from geo.store.base import frame_digest

CASES = make_bad_files(tempfile.mkdtemp(prefix="hongtu-bad-"))  # kinds, for parametrize


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def tiny(tmp_path):
    return build_tiny_store(tmp_path / "tiny.gpkg")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    return folder, {c.kind: c for c in make_bad_files(folder)}


def test_corpus_has_at_least_15_kinds():
    assert len({c.kind for c in CASES}) >= 15
    assert len({c.code for c in CASES}) >= 15


@pytest.mark.parametrize("kind", [c.kind for c in CASES])
def test_bad_file_gives_its_error_and_leaves_store_unchanged(kind, corpus, tiny):
    folder, cases = corpus
    case = cases[kind]
    before_sum, before_sha = tiny.checksum(), sha256(tiny.path)
    plan, log_id = import_files(tiny, [folder / f for f in case.files], **(case.options or {}))
    assert log_id is None and not plan.ok
    hits = [p for p in plan.problems if p.code == case.code]
    assert hits, [p.describe() for p in plan.problems]
    assert hits[0].file in case.files
    if case.field:
        assert hits[0].field == case.field
    if case.row:
        assert hits[0].row == case.row
    assert hits[0].message_zh and hits[0].message_en and hits[0].message_zh != hits[0].message_en
    with pytest.raises(ImportRefused):
        apply_import(tiny, plan)
    assert tiny.checksum() == before_sum and sha256(tiny.path) == before_sha


def test_failure_inside_the_transaction_leaves_store_byte_for_byte(tiny, tmp_path, monkeypatch):
    path = tmp_path / "members_new.csv"
    path.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER.replace("M1,", "M7,")]),
                    encoding="utf-8")
    grids = tmp_path / "grids_new.csv"
    grids.write_text("编号,名称,社区编号,街道编号,户数,人口,几何WKT\nG1,改名网格,C1,S1,1,2,"
                     '"POLYGON ((121.25 28.63, 121.265 28.63, 121.265 28.67, 121.25 28.63))"\n',
                     encoding="utf-8")
    plan = plan_import([path, grids], tiny)
    assert plan.ok, [p.describe() for p in plan.problems]
    before_sum, before_sha = tiny.checksum(), sha256(tiny.path)
    from geo.store import gpkg

    original = gpkg._GpkgTransaction.replace
    calls = []

    def failing_replace(self, name, frame):
        calls.append(name)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, name, frame)

    monkeypatch.setattr(gpkg._GpkgTransaction, "replace", failing_replace)
    with pytest.raises(RuntimeError):
        apply_import(tiny, plan)
    assert calls[0] in ("members", "grids")
    assert tiny.checksum() == before_sum and sha256(tiny.path) == before_sha


def test_repair_offer_makes_a_self_intersecting_grid_importable(corpus, tiny):
    folder, cases = corpus
    files = [folder / f for f in cases["self_intersecting"].files]
    plan = plan_import(files, tiny)
    assert plan.repairable() == 1
    plan, log_id = import_files(tiny, files, repair=True)
    assert plan.repaired == 1 and log_id
    grid = tiny.load("grids", where={"id": "G9"}).geometry.iloc[0]
    assert grid.is_valid and grid.geom_type == "MultiPolygon" and len(grid.geoms) == 2


def _members_bytes(encoding: str) -> bytes:
    text = "\n".join(members_csv_rows()) + "\n"
    return text.encode(encoding)


@pytest.mark.parametrize("encoding,label", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-bom"),
                                            ("gbk", "gb18030"), ("gb18030", "gb18030")])
def test_same_csv_in_each_encoding_imports_identically(encoding, label, tmp_path):
    store = build_tiny_store(tmp_path / "s.gpkg")
    path = tmp_path / "members.csv"
    path.write_bytes(_members_bytes(encoding).replace(b"M1,", b"M8,")
                     .replace(b"M2,", b"M9,"))
    plan, log_id = import_files(store, [path])
    assert log_id and plan.tables[0].encoding == label
    rows = store.load("members").set_index("id")
    assert rows.loc["M8", "name"] == "张三明" and rows.loc["M9", "work_unit"] == "区财政局"
    assert rows.loc["M8", "reported_on"] == pd.Timestamp("2021-09-01")
    assert len(rows) == 4


def test_upsert_replaces_existing_ids_and_appends_new_ones(tiny, tmp_path):
    path = tmp_path / "在职党员.csv"
    path.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER.replace("张三明", "张三"),
                               GOOD_MEMBER_2.replace("M2,", "M3,")]), encoding="utf-8")
    plan, log_id = import_files(tiny, [path], account="org1")
    assert plan.tables[0].layer == "members"
    assert plan.counts == {"members": {"rows": 2, "new": 1, "replaced": 1}}
    members = tiny.load("members").set_index("id")
    assert list(members.index) == ["M2", "M1", "M3"]
    assert members.loc["M1", "name"] == "张三" and members.loc["M1", "version"] == 2
    assert members.loc["M3", "version"] == 1
    log = import_log(tiny)
    assert log.loc[0, "id"] == log_id and log.loc[0, "account"] == "org1"
    assert log.loc[0, "status"] == APPLIED and log.loc[0, "checksum"] == sha256(path)
    assert json.loads(log.loc[0, "files"]) == ["在职党员.csv"]
    audit = tiny.load("audit")
    assert audit["action"].tolist() == ["import"] and audit["object_id"].tolist() == [log_id]


def test_rollback_restores_the_touched_layers(tiny, tmp_path):
    before = tiny.checksum()
    members_before = tiny.load("members")
    path = tmp_path / "members.xlsx"
    frame = pd.DataFrame([r.split(",") for r in (GOOD_MEMBER.replace("张三明", "张三"),
                                                 GOOD_MEMBER_2.replace("M2,", "M3,"))],
                         columns=MEMBER_HEADER.split(","))
    frame.to_excel(path, sheet_name="在职党员", index=False)
    plan, log_id = import_files(tiny, [path])
    assert log_id and plan.tables[0].sheet == "在职党员" and len(tiny.load("members")) == 3
    restored = rollback_import(tiny, log_id, account="org1")
    assert restored == {"members": {"removed": 1, "restored": 1}}
    after = tiny.load("members").sort_values("id").reset_index(drop=True)
    cols = ["id", "name", "grid_id", "reported_on"]
    pd.testing.assert_frame_equal(after[cols].sort_values("id").reset_index(drop=True),
                                  members_before[cols].sort_values("id").reset_index(drop=True))
    # M1 went 1 -> 2 (import) -> 3 (restored): versions never go back, so an editor who read
    # the imported row gets a conflict instead of silently editing the restored one
    assert after.set_index("id").loc["M1", "version"] == 3
    assert after.geometry.geom_equals_exact(members_before.geometry, 1e-12).all()
    assert import_log(tiny).loc[0, "status"] == ROLLED_BACK
    assert tiny.load("audit")["action"].tolist() == ["import", "rollback_import"]
    with pytest.raises(ImportRefused):
        rollback_import(tiny, log_id)
    data_layers = ["members", "grids", "compounds"]
    again = build_tiny_store(tmp_path / "again.gpkg")

    def content(store, name):
        return frame_digest(store.load(name).drop(columns="version"))

    assert {n: content(tiny, n) for n in data_layers} == {n: content(again, n)
                                                          for n in data_layers}
    assert before != tiny.checksum()  # the log and the audit rows remain


def _import_members(store, path, rows) -> str:
    frame = pd.DataFrame([r.split(",") for r in rows], columns=MEMBER_HEADER.split(","))
    frame.to_excel(path, sheet_name="在职党员", index=False)
    plan, log_id = import_files(store, [path])
    assert log_id, [p.describe() for p in plan.problems]
    return log_id


def test_rollback_refuses_to_overwrite_later_edits(tiny, tmp_path):
    log_id = _import_members(tiny, tmp_path / "m.xlsx", [
        GOOD_MEMBER.replace("张三明", "张三"), GOOD_MEMBER_2.replace("M2,", "M3,")])
    with tiny.transaction("grid1") as tx:  # a grid leader corrects the imported M1 afterwards
        tx.update("members", "M1", {"duty": "后来改的职责"})
    before = tiny.checksum()
    with pytest.raises(RollbackConflict) as caught:
        rollback_import(tiny, log_id)
    assert caught.value.conflicts == [("members", "M1", "changed")]
    assert "members M1" in str(caught.value) and "changed or deleted" in str(caught.value)
    assert tiny.checksum() == before  # refused: nothing written
    restored = rollback_import(tiny, log_id, keep_later_edits=True)
    assert restored == {"members": {"removed": 1, "restored": 0, "kept": 1}}
    members = tiny.load("members").set_index("id")
    assert "M3" not in members.index  # the added row is gone
    assert members.loc["M1", "duty"] == "后来改的职责" and members.loc["M1", "name"] == "张三"
    assert import_log(tiny).loc[0, "status"] == ROLLED_BACK


def test_rollback_of_an_earlier_import_waits_for_the_later_one(tiny, tmp_path):
    first = _import_members(tiny, tmp_path / "a.xlsx", [GOOD_MEMBER.replace("张三明", "张三")])
    second = _import_members(tiny, tmp_path / "b.xlsx", [GOOD_MEMBER.replace("张三明", "张叁")])
    with pytest.raises(RollbackConflict):
        rollback_import(tiny, first)
    rollback_import(tiny, second)
    assert tiny.load("members").set_index("id").loc["M1", "name"] == "张三"
    rollback_import(tiny, first)
    assert tiny.load("members").set_index("id").loc["M1", "name"] == "张三明"


def test_rollback_does_not_bring_back_a_row_deleted_later(tiny, tmp_path):
    log_id = _import_members(tiny, tmp_path / "m.xlsx", [GOOD_MEMBER.replace("张三明", "张三")])
    with tiny.transaction() as tx:
        tx.delete("members", ["M1"])
    with pytest.raises(RollbackConflict) as caught:
        rollback_import(tiny, log_id)
    assert caught.value.conflicts == [("members", "M1", "deleted")]
    assert rollback_import(tiny, log_id, keep_later_edits=True) == {
        "members": {"removed": 0, "restored": 0, "kept": 1}}
    assert "M1" not in set(tiny.load("members")["id"])


def _shapefile_zip(tmp_path, encoding: str | None, name="grids") -> Path:
    frame = gpd.GeoDataFrame(
        {"id": ["G5"], "name": ["城东网格"], "community_id": ["C1"], "street_id": ["S1"],
         "households": [40], "residents": [100]},
        geometry=[Point(121.26, 28.65).buffer(0.002)], crs=4326)
    folder = tmp_path / f"shp_{encoding}"
    folder.mkdir()
    frame.to_file(folder / f"{name}.shp", encoding=encoding or "gb18030")
    archive = tmp_path / f"{name}_{encoding}.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in folder.iterdir():
            if file.suffix == ".cpg" and encoding is None:
                continue  # a surveyor's file without .cpg, GBK inside
            out.write(file, file.name)
    return archive


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")
@pytest.mark.parametrize("encoding", ["utf-8", None])
def test_zipped_shapefile_with_and_without_cpg(encoding, tiny, tmp_path):
    archive = _shapefile_zip(tmp_path, encoding)
    plan, log_id = import_files(tiny, [archive])
    assert log_id, [p.describe() for p in plan.problems]
    assert plan.tables[0].encoding == (encoding or "gb18030")
    assert tiny.load("grids", where={"id": "G5"})["name"].tolist() == ["城东网格"]


def test_geopackage_with_several_layers(tiny, tmp_path):
    path = tmp_path / "upload.gpkg"
    grids = tiny.load("grids")
    grids.assign(name=grids["name"] + "改").to_file(path, layer="grids", driver="GPKG")
    tiny.load("members").to_file(path, layer="在职党员", driver="GPKG")
    plan, log_id = import_files(tiny, [path])
    assert log_id and sorted(t.layer for t in plan.tables) == ["grids", "members"]
    assert tiny.load("grids")["name"].tolist() == ["桔源一网格改", "桔源二网格改"]


def _positions_csv(positions, path, transform=None):
    table = layer_table("service_positions", positions)
    if transform:
        table["经度"], table["纬度"] = transform(table["经度"].to_numpy(), table["纬度"].to_numpy())
    table.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def _max_metres(a, b) -> float:
    a = gpd.GeoSeries(a, crs=4326).to_crs(4549).reset_index(drop=True)
    b = gpd.GeoSeries(b, crs=4326).to_crs(4549).reset_index(drop=True)
    return float(a.distance(b).max())


def test_gcj02_positions_detected_and_within_one_metre(writable_sample_store, tmp_path):
    store = writable_sample_store
    positions = store.load("service_positions")
    assert len(positions) == 32
    path = _positions_csv(positions, tmp_path / "service_positions.csv", crs.wgs84_to_gcj02)
    plan, log_id = import_files(store, [path])
    assert plan.tables[0].crs == "gcj02" and log_id
    after = store.load("service_positions").set_index("id").loc[positions["id"]]
    assert _max_metres(after.geometry.values, positions.geometry.values) < 1.0


def test_bd09_and_gcj02_declared_into_an_empty_store(sample_store, tmp_path):
    positions = sample_store.load("service_positions")
    for choice, forward in (("gcj02", crs.wgs84_to_gcj02), ("bd09", crs.wgs84_to_bd09)):
        path = _positions_csv(positions, tmp_path / f"阵地_{choice}.csv", forward)
        plan = plan_import([path], None, crs=choice)
        assert plan.tables[0].crs == choice and plan.tables[0].layer == "service_positions"
        got = plan.frames["service_positions"].geometry.values
        assert _max_metres(got, positions.geometry.values) < 1.0


@pytest.mark.parametrize("epsg", ["EPSG:4549", "EPSG:4528"])
def test_projected_gauss_kruger_detected_from_metre_values(epsg, tiny, tmp_path):
    members = tiny.load("members").to_crs(epsg)
    path = tmp_path / "members_projected.csv"
    layer_table("members", members).to_csv(path, index=False)
    plan = plan_import([path], tiny)
    assert plan.tables[0].crs == epsg and plan.ok
    got = plan.frames["members"].geometry.values
    assert _max_metres(got, tiny.load("members").geometry.values) < 0.01


def test_wgs84_file_stays_wgs84_and_cgcs2000_is_noted(tiny, tmp_path):
    frame = tiny.load("members")
    path = tmp_path / "members.geojson"
    frame.set_crs(4490, allow_override=True).to_file(path, driver="GeoJSON")
    plan = plan_import([path], tiny)
    assert plan.tables[0].crs in ("wgs84", "EPSG:4490")
    assert np.allclose(plan.frames["members"].geometry.x, frame.geometry.x, atol=1e-12)


def test_templates_have_chinese_headers_and_import_back(tiny, tmp_path):
    book = load_workbook(io.BytesIO(template_xlsx("members")))
    headers = [c.value for c in book["在职党员"][1]]
    assert headers[:3] == ["编号", "姓名", "电话"] and headers[-2:] == ["经度", "纬度"]
    assert template_headers("grids")[-1] == "几何WKT"
    assert header_map("members", ["手机", "所属网格", "lng", "纬度"]) == {
        "手机": "phone", "所属网格": "grid_id", "lng": "lon", "纬度": "lat"}
    for layer in ("grids", "compounds", "members", "service_positions", "property_firms"):
        heads = template_headers(layer)
        assert len(heads) == len(set(heads)) and set(header_map(layer, heads).values()) >= {"id"}
        assert len(header_map(layer, heads)) == len(heads)
    assert detect_layer("小区名单2024.xlsx") == "compounds"
    assert detect_layer("Sheet1", "service_positions_gcj.csv") == "service_positions"


def test_cli_import_dry_run_writes_nothing_and_reports(tiny, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER_2.replace("M2,", "M5,")]),
                    encoding="gbk")
    before = sha256(tiny.path)
    cmd = [sys.executable, "-m", "geo.cli", "import", str(path), "--dry-run",
           "--store", str(tiny.path)]
    result = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "members rows=1 crs=wgs84" in result.stdout and "gb18030" in result.stdout
    assert sha256(tiny.path) == before
    bad = tmp_path / "members_bad.csv"
    bad.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER.replace(",G1,", ",G404,")]),
                   encoding="utf-8")
    result = subprocess.run(cmd[:4] + [str(bad), "--store", str(tiny.path)],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "G404" in result.stdout and "row 2" in result.stdout
    assert sha256(tiny.path) == before


def test_data_io_page_lists_imports_and_rolls_one_back(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from components.session import ACCOUNT_KEY
    from geo import auth
    from geo.store import ENV_URL

    store = build_tiny_store(tmp_path / "page.gpkg")
    auth.add_user(store, "org1", "org", "secret-123", rounds=4)
    path = tmp_path / "members.csv"
    path.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER_2.replace("M2,", "M6,")]),
                    encoding="utf-8")
    _, log_id = import_files(store, [path], account="org1")
    monkeypatch.setenv(ENV_URL, store.url)
    page = str(Path(__file__).resolve().parents[1] / "views" / "data_io.py")
    at = AppTest.from_file(page, default_timeout=60)
    at.session_state[ACCOUNT_KEY] = "org1"
    at.run()
    assert not at.exception and not at.error
    assert at.title[0].value == "数据导入导出"
    assert [tab.label for tab in at.tabs] == ["导入", "导入记录", "模板下载", "导出"]
    log_table = at.dataframe[0].value
    assert log_table["编号"].tolist() == [log_id] and log_table["状态"].tolist() == ["已导入"]
    at.button(key="io_rollback").click().run()
    assert not at.exception
    assert import_log(store).loc[0, "status"] == ROLLED_BACK
    assert "M6" not in store.load("members")["id"].tolist()


def test_unique_field_clash_with_a_stored_row_is_a_problem(tiny, tmp_path):
    path = tmp_path / "party_branches.csv"
    rows = ["编号,小区编号,名称,书记姓名,支部类型,党员数,党小组数,成立日期",
            "B1,X1,永悦华府党支部,王五,real,12,3,2019-07-01"]
    path.write_text("\n".join(rows), encoding="utf-8")
    plan, log_id = import_files(tiny, [path])
    assert log_id and plan.counts["party_branches"]["new"] == 1
    path.write_text("\n".join([rows[0], rows[1].replace("B1,", "B2,")]), encoding="utf-8")
    before = sha256(tiny.path)
    plan, log_id = import_files(tiny, [path])
    assert log_id is None and sha256(tiny.path) == before
    assert [(p.code, p.feature_id, p.field, p.row) for p in plan.problems] == [
        ("duplicate_value", "B2", "compound_id", 2)]


def test_crs_override_per_file(sample_store, tmp_path):
    positions = sample_store.load("service_positions")
    gcj = _positions_csv(positions, tmp_path / "阵地_高德.csv", crs.wgs84_to_gcj02)
    bd = _positions_csv(positions.assign(id=positions["id"] + "B"), tmp_path / "阵地_百度.csv",
                        crs.wgs84_to_bd09)
    plan = plan_import([gcj, bd], None, crs={"阵地_百度.csv": "bd09"})
    assert [(r.file, r.crs) for r in plan.tables] == [("阵地_高德.csv", "gcj02"),
                                                      ("阵地_百度.csv", "bd09")]
    got = plan.frames["service_positions"].set_index("id")
    for suffix in ("", "B"):
        back = got.loc[positions["id"] + suffix].geometry.values
        assert _max_metres(back, positions.geometry.values) < 1.0
    other = plan_import([gcj, bd], sample_store, crs={"阵地_高德.csv": "bd09"})  # overrides win
    assert [r.crs for r in other.tables] == ["bd09", "bd09"]  # the other file: detected


def test_cli_crs_per_file_imports_and_rollback(tiny, tmp_path):
    members = tiny.load("members").assign(id=lambda f: f["id"] + "P")
    projected = tmp_path / "members_survey.csv"
    layer_table("members", members.to_crs(4549)).to_csv(projected, index=False)
    store = ["--store", str(tiny.path)]
    run = [sys.executable, "-m", "geo.cli"]
    bad = subprocess.run([*run, "import", str(projected), "--crs", "other.csv=4549", *store],
                         check=False, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "other.csv is not one of the files" in bad.stderr
    result = subprocess.run([*run, "import", str(projected), "--crs",
                             "members_survey.csv=EPSG:4549", *store],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "crs=EPSG:4549" in result.stdout
    got = tiny.load("members").set_index("id").loc[members["id"]]
    assert _max_metres(got.geometry.values, members.geometry.values) < 0.01
    listed = subprocess.run([*run, "imports", "--json", *store], check=False,
                            capture_output=True, text=True, timeout=120)
    log = json.loads(listed.stdout)
    assert [r["status"] for r in log] == [APPLIED] and "members_survey.csv" in log[0]["files"]
    back = subprocess.run([*run, "rollback", log[0]["id"], *store], check=False,
                          capture_output=True, text=True, timeout=120)
    assert back.returncode == 0, back.stderr
    assert not set(members["id"]) & set(tiny.load("members")["id"])
    again = subprocess.run([*run, "rollback", log[0]["id"], *store], check=False,
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "already rolled back" in again.stderr


def test_same_file_name_twice_keeps_its_own_crs(sample_store, tmp_path):
    assert distinct_names(["a.csv", "b.csv", "a.csv", "a.csv"]) == [
        "a.csv", "b.csv", "a (2).csv", "a (3).csv"]
    positions = sample_store.load("service_positions")
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    first = _positions_csv(positions, tmp_path / "x" / "service_positions.csv", crs.wgs84_to_gcj02)
    second = _positions_csv(positions.assign(id=positions["id"] + "B"),
                            tmp_path / "y" / "service_positions.csv", crs.wgs84_to_bd09)
    plan = plan_import([first, second], None, crs={"service_positions.csv": "gcj02",
                                                   "service_positions (2).csv": "bd09"})
    assert [(r.file, r.crs) for r in plan.tables] == [("service_positions.csv", "gcj02"),
                                                      ("service_positions (2).csv", "bd09")]
    got = plan.frames["service_positions"].set_index("id")
    assert _max_metres(got.loc[positions["id"] + "B"].geometry.values,
                       positions.geometry.values) < 1.0
