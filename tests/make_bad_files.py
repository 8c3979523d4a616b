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


def _csv(folder: Path, name: str, lines: list[str], encoding="utf-8-sig") -> str:
    (folder / name).write_bytes("\n".join(lines).encode(encoding) + b"\n")
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
                "unreadable_file"),
        BadCase("unknown_layer", [_csv(folder, "data.csv", [m, GOOD_MEMBER])], "unknown_layer"),
    ]
    return cases


def _bytes(folder: Path, name: str, data: bytes) -> str:
    (folder / name).write_bytes(data)
    return name


def _zip(folder: Path, name: str, members: dict[str, bytes]) -> str:
    with zipfile.ZipFile(folder / name, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return name


def members_csv_rows() -> list[str]:
    return [MEMBER_HEADER, GOOD_MEMBER, GOOD_MEMBER_2]


if __name__ == "__main__":
    for case in make_bad_files(sys.argv[1] if len(sys.argv) > 1 else "bad_files"):
        print(case.kind, case.files, case.code)
