"""Import: the bad-file corpus, encodings, formats, one transaction, templates, the CLI."""

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
import pandas as pd
import pytest
from make_bad_files import (
    GOOD_MEMBER,
    GOOD_MEMBER_2,
    LIBRARY_TEXTS,
    MEMBER_HEADER,
    build_tiny_store,
    make_bad_files,
    members_csv_rows,
)
from openpyxl import load_workbook
from shapely.geometry import Point

from geo.importer import (
    APPLIED,
    ImportRefused,
    apply_import,
    import_files,
    import_log,
    plan_import,
    template_xlsx,
)
from geo.importer.mapping import detect_layer, header_map
from geo.importer.templates import template_headers

CASES = make_bad_files(tempfile.mkdtemp(prefix="hongtu-bad-"))  # kinds, for parametrize


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    return folder, {c.kind: c for c in make_bad_files(folder)}


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory):
    """One tiny store for the whole corpus: a refusal writes nothing, which each case checks
    byte for byte (a case that wrote would fail, and the next compares with the new bytes)."""
    return build_tiny_store(tmp_path_factory.mktemp("corpus") / "small.gpkg")


def test_corpus_has_at_least_60_files():
    assert len({f for c in CASES for f in c.files}) >= 60
    assert len({c.kind for c in CASES}) >= 60
    assert len({c.code for c in CASES}) >= 25


@pytest.mark.parametrize("kind", [c.kind for c in CASES])
def test_bad_file_gives_its_error_and_leaves_store_unchanged(kind, corpus, corpus_store):
    folder, cases = corpus
    case = cases[kind]
    small_store = corpus_store
    before_sum, before_sha = small_store.checksum(), sha256(small_store.path)
    plan, log_id = import_files(small_store, [folder / f for f in case.files], **(case.options or {}))
    assert log_id is None and not plan.ok
    hits = [p for p in plan.problems if p.code == case.code]
    assert hits, [p.describe() for p in plan.problems]
    assert hits[0].file in case.files
    if case.field:
        assert hits[0].field == case.field
    if case.row:
        assert hits[0].row == case.row
    assert hits[0].message_zh and hits[0].message_en and hits[0].message_zh != hits[0].message_en
    for word in case.says:  # the message names the real cause
        assert word in hits[0].message_zh, (word, hits[0].describe())
    for problem in plan.problems:  # one clear line naming the file, never a library's text
        line = problem.describe()
        assert problem.file in case.files and "\n" not in line, line
        assert not [t for t in LIBRARY_TEXTS if t.lower() in line.lower()], line
    with pytest.raises(ImportRefused):
        apply_import(small_store, plan)
    assert small_store.checksum() == before_sum and sha256(small_store.path) == before_sha


def test_failure_inside_the_transaction_leaves_store_byte_for_byte(small_store, tmp_path, monkeypatch):
    path = tmp_path / "members_new.csv"
    path.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER.replace("M1,", "M7,")]),
                    encoding="utf-8")
    grids = tmp_path / "grids_new.csv"
    grids.write_text("编号,名称,社区编号,街道编号,户数,人口,几何WKT\nG1,改名网格,C1,S1,1,2,"
                     '"POLYGON ((121.25 28.63, 121.265 28.63, 121.265 28.67, 121.25 28.63))"\n',
                     encoding="utf-8")
    plan = plan_import([path, grids], small_store)
    assert plan.ok, [p.describe() for p in plan.problems]
    before_sum, before_sha = small_store.checksum(), sha256(small_store.path)
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
        apply_import(small_store, plan)
    assert calls[0] in ("members", "grids")
    assert small_store.checksum() == before_sum and sha256(small_store.path) == before_sha


def test_repair_offer_makes_a_self_intersecting_grid_importable(corpus, small_store):
    folder, cases = corpus
    files = [folder / f for f in cases["self_intersecting"].files]
    plan = plan_import(files, small_store)
    assert plan.repairable() == 1
    plan, log_id = import_files(small_store, files, repair=True)
    assert plan.repaired == 1 and log_id
    grid = small_store.load("grids", where={"id": "G9"}).geometry.iloc[0]
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


def test_upsert_replaces_existing_ids_and_appends_new_ones(small_store, tmp_path):
    path = tmp_path / "在职党员.csv"
    path.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER.replace("张三明", "张三"),
                               GOOD_MEMBER_2.replace("M2,", "M3,")]), encoding="utf-8")
    plan, log_id = import_files(small_store, [path], account="org1")
    assert plan.tables[0].layer == "members"
    assert plan.counts == {"members": {"rows": 2, "new": 1, "changed": 1, "unchanged": 0}}
    members = small_store.load("members").set_index("id")
    assert list(members.index) == ["M2", "M1", "M3"]
    assert members.loc["M1", "name"] == "张三" and members.loc["M1", "version"] == 2
    assert members.loc["M3", "version"] == 1
    log = import_log(small_store)
    assert log.loc[0, "id"] == log_id and log.loc[0, "account"] == "org1"
    assert log.loc[0, "status"] == APPLIED and log.loc[0, "checksum"] == sha256(path)
    assert json.loads(log.loc[0, "files"]) == ["在职党员.csv"]
    audit = small_store.load("audit")
    assert audit["action"].tolist() == ["import"] and audit["object_id"].tolist() == [log_id]


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
def test_zipped_shapefile_with_and_without_cpg(encoding, small_store, tmp_path):
    archive = _shapefile_zip(tmp_path, encoding)
    plan, log_id = import_files(small_store, [archive])
    assert log_id, [p.describe() for p in plan.problems]
    assert plan.tables[0].encoding == (encoding or "gb18030")
    assert small_store.load("grids", where={"id": "G5"})["name"].tolist() == ["城东网格"]


def test_geopackage_with_several_layers(small_store, tmp_path):
    path = tmp_path / "upload.gpkg"
    grids = small_store.load("grids")
    grids.assign(name=grids["name"] + "改").to_file(path, layer="grids", driver="GPKG")
    small_store.load("members").to_file(path, layer="在职党员", driver="GPKG")
    plan, log_id = import_files(small_store, [path])
    assert log_id and sorted(t.layer for t in plan.tables) == ["grids", "members"]
    assert small_store.load("grids")["name"].tolist() == ["桔源一网格改", "桔源二网格改"]


def test_templates_have_chinese_headers_and_import_back(small_store, tmp_path):
    book = load_workbook(io.BytesIO(template_xlsx("members")))
    headers = [c.value for c in book["在职党员"][1]]
    assert headers[:3] == ["编号*", "姓名*", "电话*"] and headers[-2:] == ["经度*", "纬度*"]
    assert "小区编号" in headers  # optional: not marked
    assert template_headers("grids")[-1] == "几何WKT*"
    assert header_map("members", ["手机", "所属网格", "lng", "纬度"]) == {
        "手机": "phone", "所属网格": "grid_id", "lng": "lon", "纬度": "lat"}
    for layer in ("grids", "compounds", "members", "service_positions", "property_firms"):
        heads = template_headers(layer)
        assert len(heads) == len(set(heads)) and set(header_map(layer, heads).values()) >= {"id"}
        assert len(header_map(layer, heads)) == len(heads)
    assert detect_layer("小区名单2024.xlsx") == "compounds"
    assert detect_layer("Sheet1", "service_positions_gcj.csv") == "service_positions"


def test_cli_import_dry_run_writes_nothing_and_reports(small_store, tmp_path):
    path = tmp_path / "members.csv"
    path.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER_2.replace("M2,", "M5,")]),
                    encoding="gbk")
    before = sha256(small_store.path)
    cmd = [sys.executable, "-m", "geo.cli", "import", str(path), "--dry-run",
           "--store", str(small_store.path)]
    result = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "members rows=1 crs=wgs84" in result.stdout and "gb18030" in result.stdout
    assert sha256(small_store.path) == before
    bad = tmp_path / "members_bad.csv"
    bad.write_text("\n".join([MEMBER_HEADER, GOOD_MEMBER.replace(",G1,", ",G404,")]),
                   encoding="utf-8")
    result = subprocess.run(cmd[:4] + [str(bad), "--store", str(small_store.path)],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "G404" in result.stdout and "row 2" in result.stdout
    assert sha256(small_store.path) == before


def test_unique_field_clash_with_a_stored_row_is_a_problem(small_store, tmp_path):
    path = tmp_path / "party_branches.csv"
    rows = ["编号,小区编号,名称,书记姓名,支部类型,党员数,党小组数,成立日期",
            "B1,X1,永悦华府党支部,王五,real,12,3,2019-07-01"]
    path.write_text("\n".join(rows), encoding="utf-8")
    plan, log_id = import_files(small_store, [path])
    assert log_id and plan.counts["party_branches"]["new"] == 1
    path.write_text("\n".join([rows[0], rows[1].replace("B1,", "B2,")]), encoding="utf-8")
    before = sha256(small_store.path)
    plan, log_id = import_files(small_store, [path])
    assert log_id is None and sha256(small_store.path) == before
    assert [(p.code, p.feature_id, p.field, p.row) for p in plan.problems] == [
        ("duplicate_value", "B2", "compound_id", 2)]


