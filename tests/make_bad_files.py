"""A tiny store in the Huangyan urban core and a corpus of bad import files, each with the
problem it must produce. Run as a script to write the corpus into a folder:
``python tests/make_bad_files.py OUT_DIR``."""

from __future__ import annotations

import json
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, box

from geo.sample.geography import load_district
from geo.store import open_store

MEMBER_HEADER = "编号,姓名,电话,性别,网格编号,小区编号,工作单位,岗位,职责,报到日期,入党日期,经度,纬度"
GOOD_MEMBER = "M1,张三明,13812341234,男,G1,X1,区委组织部,网格员,入户走访,2021-09-01,2000-07-01,121.262,28.648"
GOOD_MEMBER_2 = "M2,李四,13900001111,女,G2,X1,区财政局,宣传员,政策宣传,2021-10-01,2005-07-01,121.272,28.652"
GRID_HEADER = "编号,名称,社区编号,街道编号,户数,人口,几何WKT"
GRID_WKT = "POLYGON ((121.255 28.64, 121.265 28.64, 121.265 28.65, 121.255 28.65, 121.255 28.64))"


def build_tiny_store(path) -> object:
    """Street S1 > community C1 > grids G1, G2 > compound X1, and members M1, M2."""
    store = open_store(path)
    district = load_district()[["geometry"]].assign(id="D1", name="黄岩区", adcode="331003")
    core = box(121.25, 28.63, 121.28, 28.67)
    streets = gpd.GeoDataFrame({"id": ["S1"], "name": ["东城街道"], "code": ["331003001"]},
                               geometry=[core], crs=4326)
    communities = gpd.GeoDataFrame(
        {"id": ["C1"], "name": ["桔源社区"], "street_id": ["S1"], "members_reported": [12],
         "volunteers_registered": [30]}, geometry=[core], crs=4326)
    grids = gpd.GeoDataFrame(
        {"id": ["G1", "G2"], "name": ["桔源一网格", "桔源二网格"], "community_id": ["C1", "C1"],
         "street_id": ["S1", "S1"], "households": [320, 280], "residents": [900, 800]},
        geometry=[box(121.25, 28.63, 121.265, 28.67), box(121.265, 28.63, 121.28, 28.67)],
        crs=4326)
    compounds = gpd.GeoDataFrame(
        {"id": ["X1"], "name": ["永悦华府"], "pinyin": ["yongyuehuafu"], "street_id": ["S1"],
         "community_id": ["C1"], "grid_id": ["G1"], "households": [600], "buildings": [12],
         "built_year": [2012], "property_firm_id": ["F1"], "party_instructor_id": ["I1"]},
        geometry=[box(121.255, 28.64, 121.262, 28.66)], crs=4326)
    members = gpd.GeoDataFrame(
        {"id": ["M1", "M2"], "name": ["张三明", "李四"], "phone": ["13812341234", "13900001111"],
         "gender": ["男", "女"], "grid_id": ["G1", "G2"], "compound_id": ["X1", "X1"],
         "work_unit": ["区委组织部", "区财政局"], "post": ["网格员", "宣传员"],
         "duty": ["入户走访", "政策宣传"], "reported_on": ["2021-09-01", "2021-10-01"],
         "joined_party": ["2000-07-01", "2005-07-01"]},
        geometry=[Point(121.26, 28.65), Point(121.27, 28.65)], crs=4326)
    with store.transaction() as tx:
        tx.replace("districts", gpd.GeoDataFrame(district, crs=4326))
        for name, frame in (("streets", streets), ("communities", communities),
                            ("grids", grids), ("compounds", compounds), ("members", members)):
            tx.replace(name, frame)
    return store


@dataclass
class BadCase:
    kind: str
    files: list[str]  # file names inside the corpus folder
    code: str  # expected Problem.code
    field: str | None = None
    row: int | None = None
    options: dict | None = None
    says: tuple[str, ...] = ()  # words the Chinese message must hold: the real cause


def _csv(folder: Path, name: str, lines: list[str], encoding="utf-8-sig") -> str:
    (folder / name).write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return name


def _geojson(folder: Path, name: str, geometries: list[dict], props: list[dict]) -> str:
    features = [{"type": "Feature", "geometry": g, "properties": p}
                for g, p in zip(geometries, props)]
    (folder / name).write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                          ensure_ascii=False), encoding="utf-8")
    return name


GRID_PROPS = {"id": "G9", "name": "新网格", "community_id": "C1", "street_id": "S1",
              "households": 10, "residents": 30}
BOWTIE = {"type": "Polygon", "coordinates": [[[121.255, 28.64], [121.265, 28.65],
                                              [121.265, 28.64], [121.255, 28.65],
                                              [121.255, 28.64]]]}


def make_bad_files(folder: str | Path) -> list[BadCase]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    m = MEMBER_HEADER
    cases = [
        BadCase("missing_column", [_csv(folder, "members_nogrid.csv", [
            m.replace(",网格编号", ""), GOOD_MEMBER.replace(",G1", "")])],
            "missing_field", "grid_id"),
        BadCase("missing_value", [_csv(folder, "members_noname.csv", [
            m, GOOD_MEMBER.replace("张三明", "")])], "missing_value", "name", 2),
        BadCase("bad_type", [_csv(folder, "grids_badtype.csv", [
            GRID_HEADER, f'G9,新网格,C1,S1,很多,30,"{GRID_WKT}"'])], "bad_type", "households", 2),
        BadCase("duplicate_id", [_csv(folder, "members_dup.csv", [
            m, GOOD_MEMBER, GOOD_MEMBER_2.replace("M2,", "M1,")])], "duplicate_id", "id", 3),
        BadCase("duplicate_across_files", [
            _csv(folder, "members_a.csv", [m, GOOD_MEMBER]),
            _csv(folder, "members_b.csv", [m, GOOD_MEMBER.replace("张三明", "王五")])],
            "duplicate_id", "id", 2),
        BadCase("missing_grid", [_csv(folder, "members_nogrid_ref.csv", [
            m, GOOD_MEMBER.replace(",G1,", ",G404,")])], "missing_ref", "grid_id", 2),
        BadCase("missing_compound", [_csv(folder, "members_nocompound.csv", [
            m, GOOD_MEMBER.replace(",X1,", ",X404,")])], "missing_ref", "compound_id", 2),
        BadCase("self_intersecting", [_geojson(folder, "grids_bowtie.geojson", [BOWTIE],
                                               [GRID_PROPS])], "invalid_geometry", "geometry", 1),
        BadCase("outside_district", [_csv(folder, "members_outside.csv", [
            m, GOOD_MEMBER.replace("121.262,28.648", "120.500,29.900")])],
            "outside_district", "geometry", 2),
        BadCase("wrong_geometry_type", [_geojson(folder, "grids_point.geojson", [
            {"type": "Point", "coordinates": [121.26, 28.65]}], [GRID_PROPS])],
            "wrong_geometry_type", "geometry", 1),
        BadCase("empty_geometry", [_csv(folder, "grids_nowkt.csv", [
            GRID_HEADER, "G9,新网格,C1,S1,10,30,"])], "empty_geometry", "geometry", 2),
        BadCase("bad_wkt", [_csv(folder, "grids_badwkt.csv", [
            GRID_HEADER, 'G9,新网格,C1,S1,10,30,"POLYGON ((121.2 28.6, 121.3"'])],
            "bad_type", "几何WKT", 2),
        BadCase("bad_coordinate", [_csv(folder, "members_badlon.csv", [
            m, GOOD_MEMBER.replace("121.262", "东经121度")])], "bad_type", "经度", 2),
        BadCase("no_coordinates", [_csv(folder, "members_nolonlat.csv", [
            m.removesuffix(",经度,纬度"), GOOD_MEMBER.removesuffix(",121.262,28.648")])],
            "no_geometry"),
        BadCase("bad_choice", [_csv(folder, "members_gender.csv", [
            m, GOOD_MEMBER.replace(",男,", ",未知,")])], "bad_choice", "gender", 2),
        BadCase("below_minimum", [_csv(folder, "grids_negative.csv", [
            GRID_HEADER, f'G9,新网格,C1,S1,-5,30,"{GRID_WKT}"'])], "below_minimum",
            "households", 2),
        BadCase("empty_file", [_csv(folder, "members_empty.csv", [""])], "empty_file"),
        BadCase("header_only", [_csv(folder, "members_header.csv", [m])], "empty_file"),
        BadCase("too_large", [_csv(folder, "members_big.csv", [m] + [GOOD_MEMBER] * 40)],
                "file_too_large", options={"size_limit": 1024}),
        BadCase("unknown_format", [_bytes(folder, "members.doc", b"\xd0\xcf\x11\xe0 word")],
                "unknown_format"),
        BadCase("corrupt_xlsx", [_bytes(folder, "members.xlsx", b"PK\x03\x04 not a workbook")],
                "unreadable_file"),
        BadCase("zip_without_shapefile", [_zip(folder, "grids_shp.zip", {"readme.md": b"x"})],
                "no_known_file"),
        BadCase("unknown_layer", [_csv(folder, "data.csv", [m, GOOD_MEMBER])], "unknown_layer"),
    ]
    return cases + more_bad_files(folder) + attack_files(folder)


def _bytes(folder: Path, name: str, data: bytes) -> str:
    (folder / name).write_bytes(data)
    return name


def _zip(folder: Path, name: str, members: dict[str, bytes]) -> str:
    with zipfile.ZipFile(folder / name, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return name


def _xlsx(folder: Path, name: str, sheets: dict[str, list[list]]) -> str:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(folder / name)
    return name


def _zip_bomb(folder: Path, name: str, inflated_mb: int) -> str:
    with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("members.csv", "w", force_zip64=True) as handle:
        handle.write((MEMBER_HEADER + "\nM1,").encode())
        for _ in range(inflated_mb):
            handle.write(b"0" * 1048576)
    return name


def _shapefile_zip(folder: Path, name: str, leave_out: str) -> str:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        grids = gpd.GeoDataFrame([GRID_PROPS], geometry=[box(121.255, 28.64, 121.265, 28.65)],
                                 crs=4326)
        grids.to_file(Path(tmp) / "grids.shp", encoding="utf-8")
        with zipfile.ZipFile(folder / name, "w") as archive:
            for file in sorted(Path(tmp).iterdir()):
                if file.suffix != leave_out:
                    archive.write(file, file.name)
    return name


def _gpkg_system_only(folder: Path, name: str) -> str:
    import pandas as pd
    import pyogrio

    table = gpd.GeoDataFrame(pd.DataFrame({"id": ["a1"], "account": ["x"]}))
    pyogrio.write_dataframe(table, folder / name, layer="audit", driver="GPKG",
                            geometry_type=None, layer_options={"ASPATIAL_VARIANT": "GPKG_ATTRIBUTES"})
    return name


def _member(**changes) -> str:
    fields = dict(zip(MEMBER_HEADER.split(","), GOOD_MEMBER.split(",")))
    fields.update(changes)
    return ",".join(str(v) for v in fields.values())


def _ten_members(bad_row: int, **changes) -> list[str]:
    """Ten good members in grid G1 (M11..M20), the ``bad_row``-th (1-based) changed."""
    rows = [MEMBER_HEADER]
    for k in range(10):
        row = {"编号": f"M{11 + k}", "经度": f"{121.256 + 0.0005 * k:.4f}", "纬度": "28.645"}
        if k + 1 == bad_row:
            row |= changes
        rows.append(_member(**row))
    return rows


def more_bad_files(folder: Path) -> list[BadCase]:
    """Issue #15.7/#15.8 and #14.9 causes, and the same causes in every format."""
    m = MEMBER_HEADER
    head = m.split(",")
    good = GOOD_MEMBER.split(",")
    xlsx_good = [good[:-2] + [121.262, 28.648]]
    grid_row = ["G9", "新网格", "C1", "S1", 10, 30, GRID_WKT]
    return [
        BadCase("zip_bomb", [_zip_bomb(folder, "members_bomb.zip", 64)], "zip_ratio",
                says=("压缩炸弹", "members.csv")),
        BadCase("shapefile_without_dbf", [_shapefile_zip(folder, "grids_nodbf.zip", ".dbf")],
                "shapefile_part_missing", says=(".dbf",)),
        BadCase("shapefile_without_shx", [_shapefile_zip(folder, "grids_noshx.zip", ".shx")],
                "shapefile_part_missing", says=(".shx",)),
        BadCase("zip_with_only_dbf", [_zip(folder, "grids_dbfonly.zip", {"grids.dbf": b"x"})],
                "shapefile_part_missing", says=(".shp",)),
        BadCase("masked_name_and_phone", [_csv(folder, "members_masked.csv", [
            m, _member(姓名="张*明", 电话="138****1234")])], "masked_value", "name", 2,
            says=("脱敏", "张*明")),
        BadCase("masked_export_xlsx", [_xlsx(folder, "members_masked.xlsx", {
            "在职党员": [head, *xlsx_good], "导出说明": [["项目 key", "值 value"],
                                                  ["脱敏 masked", "是 yes"]]})],
            "masked_export", says=("脱敏导出",)),
        BadCase("name_of_a_million_characters", [_csv(folder, "members_longname.csv", [
            m, _member(姓名="张" * 1_000_000)])], "too_long", "name", 2,
            says=("1000000", "50")),
        BadCase("phone_too_long", [_csv(folder, "members_longphone.csv", [
            m, _member(电话="1" * 40)])], "too_long", "phone", 2, says=("40",)),
        BadCase("point_in_another_grid", [_csv(folder, "members_wronggrid.csv", [
            m, _member(经度="121.278", 纬度="28.652")])], "point_outside_grid", "geometry", 2,
            says=("G1", "G2")),
        BadCase("one_bad_longitude_in_ten", [_csv(folder, "members_lon200.csv",
                                                  _ten_members(4, 经度="200.5"))],
                "coordinate_out_of_range", "geometry", 5, says=("200.5",)),
        BadCase("one_swapped_row_in_ten", [_csv(folder, "members_swapped.csv",
                                                _ten_members(7, 经度="28.645", 纬度="121.259"))],
                "coordinate_out_of_range", "geometry", 8, says=("填反", "121.259")),
        BadCase("formula_without_value", [_xlsx(folder, "members_formula.xlsx", {
            "在职党员": [head, good[:-2] + ["=121+0.262", 28.648]]})], "formula_no_value",
            "经度", 2, says=("公式", "L2")),
        BadCase("gpkg_without_importable_table", [_gpkg_system_only(folder, "store_audit.gpkg")],
                "no_importable_table", says=("audit",)),
        BadCase("not_any_chinese_encoding", [_bytes(folder, "members_binary.csv",
                                                    b"\x80\x80\xff\xfe\x00" * 3)],
                "bad_encoding", says=("编码",)),
        BadCase("utf16_missing_grid", [_csv(folder, "members_utf16.csv", [
            m, _member(网格编号="G404")], encoding="utf-16")], "missing_ref", "grid_id", 2,
            says=("网格", "G404")),
        BadCase("gbk_missing_name", [_csv(folder, "members_gbk.csv", [m, _member(姓名="")],
                                          encoding="gbk")], "missing_value", "name", 2,
                says=("姓名",)),
        BadCase("title_row_then_bad_gender", [_csv(folder, "members_title.csv", [
            "2024年在职党员名单,,,", m, _member(性别="未知")])], "bad_choice", "gender", 3,
            says=("未知", "性别")),
        BadCase("instructions_sheet_then_bad_date", [_xlsx(folder, "members_instr.xlsx", {
            "填表说明": [["列", "说明"], ["姓名", "必填"]],
            "在职党员": [head, good[:9] + ["2021-13-45", good[10], 121.262, 28.648]]})],
            "bad_type", "reported_on", 2, says=("日期", "2021-13-45")),
        BadCase("bad_date", [_csv(folder, "members_baddate.csv", [
            m, _member(入党日期="去年")])], "bad_type", "joined_party", 2, says=("去年", "日期")),
        BadCase("grid_missing_community", [_csv(folder, "grids_nocommunity.csv", [
            GRID_HEADER, f'G9,新网格,C404,S1,10,30,"{GRID_WKT}"'])], "missing_ref",
            "community_id", 2, says=("社区", "C404")),
        BadCase("duplicate_street_code", [_csv(folder, "streets_dupcode.csv", [
            "编号,名称,代码,几何WKT", f'S8,新街道,331003001,"{GRID_WKT}"'])],
            "duplicate_value", "code", 2, says=("331003001",)),
        BadCase("bad_bool", [_csv(folder, "property_firms_bool.csv", [
            "编号,名称,省级红色物业,评价,评分,党员数,协会会员", "F9,某物业,也许,A,90,3,是"])],
            "bad_type", "red_property", 2, says=("也许", "是/否")),
        BadCase("member_as_line", [_geojson(folder, "members_line.geojson", [
            {"type": "LineString", "coordinates": [[121.26, 28.65], [121.261, 28.651]]}],
            [dict(zip(["id", "name", "phone", "gender", "grid_id", "work_unit", "post", "duty",
                       "reported_on", "joined_party"],
                      ["M9", "王五", "13800000000", "男", "G1", "单位", "岗位", "职责",
                       "2021-09-01", "2000-07-01"]))])], "wrong_geometry_type", "geometry", 1,
            says=("LineString",)),
        BadCase("geojson_not_json", [_bytes(folder, "grids_broken.geojson", b"{\"type\": ")],
                "unreadable_file"),
        BadCase("geojson_id_like_time_missing_grid", [_geojson(
            folder, "members_t0006.geojson", [{"type": "Point", "coordinates": [121.26, 28.65]}],
            [{"id": "T0006", "name": "王五", "phone": "13800000000", "gender": "男",
              "grid_id": "G0006", "work_unit": "单位", "post": "岗位", "duty": "职责",
              "reported_on": "2021-09-01", "joined_party": "2000-07-01"}])],
            "missing_ref", "grid_id", 1, says=("G0006",)),
        BadCase("empty_workbook", [_xlsx(folder, "members_blank.xlsx", {"在职党员": []})],
                "empty_file"),
        BadCase("workbook_header_only", [_xlsx(folder, "members_head.xlsx", {"在职党员": [head]})],
                "empty_file"),
        BadCase("no_known_columns", [_csv(folder, "members_cols.csv", ["甲,乙,丙", "1,2,3"])],
                "missing_field", says=("缺少必填字段",)),
        BadCase("corrupt_gpkg", [_bytes(folder, "grids.gpkg", b"SQLite format 3\x00broken")],
                "unreadable_file"),
        BadCase("negative_residents_xlsx", [_xlsx(folder, "grids_neg.xlsx", {
            "网格": [GRID_HEADER.split(","), grid_row[:5] + [-1, GRID_WKT]]})],
            "below_minimum", "residents", 2, says=("-1",)),
        BadCase("duplicate_id_xlsx", [_xlsx(folder, "members_dup.xlsx", {
            "在职党员": [head, *xlsx_good, *xlsx_good]})], "duplicate_id", "id", 3,
            says=("M1",)),
        BadCase("bowtie_in_csv", [_csv(folder, "grids_bowtie.csv", [
            GRID_HEADER, ('G9,新网格,C1,S1,10,30,"POLYGON ((121.255 28.64, 121.265 28.65, '
            '121.265 28.64, 121.255 28.65, 121.255 28.64))"')])], "invalid_geometry", "geometry",
            2, says=("Self-intersection",)),
        BadCase("grid_outside_district", [_csv(folder, "grids_far.csv", [
            GRID_HEADER, ('G9,新网格,C1,S1,10,30,"POLYGON ((120.1 30.2, 120.2 30.2, 120.2 30.3, '
            '120.1 30.2))"')])], "outside_district", "geometry", 2, says=("辖区",)),
        BadCase("missing_grid_value", [_csv(folder, "members_blankgrid.csv", [
            m, _member(网格编号="")])], "missing_value", "grid_id", 2, says=("网格编号",)),
        BadCase("gender_in_xlsx", [_xlsx(folder, "members_gender.xlsx", {
            "在职党员": [head, good[:3] + ["其他"] + good[4:-2] + [121.262, 28.648]]})],
            "bad_choice", "gender", 2, says=("其他",)),
        BadCase("masked_gpkg_export", [_masked_gpkg(folder, "members_masked.gpkg")],
                "masked_export", says=("脱敏导出",)),
        BadCase("text_in_number_xlsx", [_xlsx(folder, "grids_text.xlsx", {
            "网格": [GRID_HEADER.split(","), grid_row[:4] + ["三百", 30, GRID_WKT]]})],
            "bad_type", "households", 2, says=("三百", "整数")),
    ]


def _masked_gpkg(folder: Path, name: str) -> str:
    import pandas as pd
    import pyogrio

    members = gpd.GeoDataFrame({"id": ["M1"], "name": ["张*明"]},
                               geometry=[Point(121.26, 28.65)], crs=4326)
    members.to_file(folder / name, layer="members", driver="GPKG")
    info = gpd.GeoDataFrame(pd.DataFrame({"key": ["脱敏 masked"], "value": ["是 yes"]}))
    pyogrio.write_dataframe(info, folder / name, layer="export_info", driver="GPKG",
                            append=True, geometry_type=None,
                            layer_options={"ASPATIAL_VARIANT": "GPKG_ATTRIBUTES"})
    return name


def _zip_bytes(members: dict[str, str]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return buffer.getvalue()


BROKEN_XML_XLSX = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/><Override PartName='
        '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/></Types>'),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": '<workbook><sheets><sheet name="a"',
}
THREE_POINT_RING = {"type": "Polygon", "coordinates": [[[121.255, 28.64], [121.265, 28.65],
                                                        [121.255, 28.64]]]}


def attack_files(folder: Path) -> list[BadCase]:
    """Issue #28: look-alike masks, a duplicated header, invisible and full-width ids, and the
    files whose refusal used to be a library's own text (GDAL, BadZipFile, XML, GEOS, NUL)."""
    m = MEMBER_HEADER
    return [
        BadCase("masked_fullwidth_asterisk", [_csv(folder, "members_fullwidth_mask.csv", [
            m, _member(姓名="张＊明", 电话="138＊＊＊＊1234")])], "masked_value", "name", 2,
            says=("脱敏", "张＊明")),
        BadCase("masked_mou", [_csv(folder, "members_mou.csv", [m, _member(姓名="张某某")])],
                "masked_value", "name", 2, says=("张某某",)),
        BadCase("masked_x_phone", [_csv(folder, "members_xphone.csv", [
            m, _member(电话="138xxxx1234")])], "masked_value", "phone", 2, says=("138xxxx1234",)),
        BadCase("duplicated_header", [_csv(folder, "members_twoids.csv", [
            m.replace("编号,", "编号,编号 ,", 1), _member().replace("M1,", "M1,M1,", 1)])],
            "duplicate_column", "id", 1, says=("表头重复", "编号")),
        BadCase("zero_width_id", [_csv(folder, "members_zwsp.csv", [
            m, _member(编号="M1\u200b")])], "not_normal", "id", 2, says=("\\u200b", "M1")),
        BadCase("fullwidth_id", [_csv(folder, "members_fullwidth_id.csv", [
            m, _member(编号="Ｍ１")])], "not_normal", "id", 2, says=("Ｍ１", "M1")),
        BadCase("zero_width_grid_ref", [_csv(folder, "members_zwsp_grid.csv", [
            m, _member(编号="M5", 网格编号="G1\u2060")])], "not_normal", "grid_id", 2),
        BadCase("gdal_not_recognized_geojson", [_bytes(folder, "grids_garbage.geojson",
                                                       b"\x00\x01 not json at all")],
                "unreadable_file", says=("GeoJSON",)),
        BadCase("gdal_not_recognized_shapefile", [_bytes(folder, "grids_garbage_shp.zip",
                                                         _zip_bytes({"grids.shp": "x" * 50,
                                                                     "grids.shx": "x",
                                                                     "grids.dbf": "x"}))],
                "unreadable_file", says=("Shapefile",)),
        BadCase("gdal_geojson_syntax", [_bytes(folder, "grids_syntax.geojson",
                                               b'{"type": "FeatureCollection", "features": [{oo')],
                "unreadable_file", says=("第 1 行",)),
        BadCase("gdal_not_a_database", [_bytes(folder, "members_fake.gpkg",
                                               b"SQLite format 3\x00" + b"\x00" * 200)],
                "unreadable_file", says=("GeoPackage",)),
        BadCase("bad_zip_xlsx", [_bytes(folder, "members_cut.xlsx",
                                        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 30)],
                "unreadable_file", says=("Excel",)),
        BadCase("bad_zip_archive", [_bytes(folder, "members_cut.zip",
                                           _zip_bytes({"members.csv": m})[:40])],
                "unreadable_file"),
        BadCase("xml_parse_error_xlsx", [_bytes(folder, "members_badxml.xlsx",
                                                _zip_bytes(BROKEN_XML_XLSX))],
                "unreadable_file", says=("内部内容损坏",)),
        BadCase("ring_of_three_points", [_geojson(folder, "grids_ring3.geojson",
                                                  [THREE_POINT_RING], [GRID_PROPS])],
                "invalid_geometry", "geometry", 1),
        BadCase("nul_bytes_csv", [_bytes(folder, "members_nul.csv",
                                         (m + "\n").encode() + b"M1\x00,\x00\x00\n")],
                "unreadable_file", row=2, says=("空字符",)),
        BadCase("only_nul_bytes_csv", [_bytes(folder, "members_zeros.csv", b"\x00" * 500)],
                "unreadable_file", says=("空字符",)),
    ]


LIBRARY_TEXTS = ("not recognized as being in a supported file format", "prefixing the file path",
                 "BadZipFile", "File is not a zip file", "ParseError", "XMLSyntaxError",
                 "not well-formed", "GEOSException", "IllegalArgumentException",
                 "DataSourceError", "sqlite3_", "file is not a database", "Traceback",
                 "Errno", "/tmp/", "KeyError", "IndexError", "no such table", "pyogrio",
                 "openpyxl", "(<string>", "NoneType")


def members_csv_rows() -> list[str]:
    return [MEMBER_HEADER, GOOD_MEMBER, GOOD_MEMBER_2]


if __name__ == "__main__":
    for case in make_bad_files(sys.argv[1] if len(sys.argv) > 1 else "bad_files"):
        print(case.kind, case.files, case.code)
