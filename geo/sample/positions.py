"""Sample service positions (一核三片四站二十四点) and the joint-duty stations' dispatch areas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point

from geo.sample.geography import _multi
from geo.schema import BRANDS, METRIC_CRS

CORE_NAME = "黄岩区党群服务中心"
ZONE_STREETS = ("331003001", "331003003", "331003004")  # 东城 西城 北城
STATIONS = (  # name, kind, street
    ("迎熏先锋驿站", "pioneer_post", "331003003"),
    ("孔园先锋驿站", "pioneer_post", "331003001"),
    ("江北联勤共治站", "joint_duty_station", "331003004"),
    ("小东门联勤共治站", "joint_duty_station", "331003001"),
)
DEPARTMENTS = (
    "公安", "司法", "市场监管", "综合行政执法", "住建", "消防救援", "生态环境", "卫生健康",
    "应急管理", "民政", "自然资源和规划", "交通运输", "人力社保", "税务",
)
FUNCTIONS = {
    "core": "服务、管理、展示、教育",
    "zone": "公共服务、为民办实事、党群活动、服务品牌",
    "pioneer_post": "党员活动、志愿服务、便民服务、社区卫生、百姓健身",
    "joint_duty_station": "联勤执法、矛盾调解、治安巡防、问题上报处置",
    "point": "党员活动、协商议事、收集民意、综合服务",
}
HOURS = ("周一至周五 8:30-17:30", "每日 8:00-20:00", "周一至周六 9:00-18:00")
TOTAL_FLOOR_AREA = 2436  # m² across the network: the article's "2,400+ m²"


def _inside(point: Point, polygon) -> Point:
    return point if polygon.contains(point) else polygon.representative_point()


def build_positions(rng, streets, communities, grids, compounds, scale: int = 1):
    """Service positions (metric CRS): 1 core, 3 zones, 4 stations, 24×scale points."""
    streets_i = streets.set_index("id")
    rows = []
    core_street = streets_i.geometry["331003001"]
    rows.append({"name": CORE_NAME, "tier": "core", "kind": None, "brand": None,
                 "geometry": _inside(core_street.centroid, core_street), "floor_area_m2": 0.0,
                 "functions": FUNCTIONS["core"], "opening_hours": HOURS[0], "opened": "2021-06-30"})
    for street_id in ZONE_STREETS:
        geom = streets_i.geometry[street_id]
        rows.append({"name": f"{streets_i.loc[street_id, 'name']}党群服务中心", "tier": "zone",
                     "kind": None, "brand": None, "geometry": geom.representative_point(),
                     "floor_area_m2": float(rng.integers(220, 300)), "functions": FUNCTIONS["zone"],
                     "opening_hours": HOURS[0], "opened": "2021-09-01"})
    yingxun = compounds[compounds["party_alliance_id"] == "A01"]
    for name, kind, street_id in STATIONS:
        if name == "迎熏先锋驿站" and len(yingxun):
            pts = yingxun.geometry.representative_point()
            geom = Point(pts.x.mean(), pts.y.mean())
        else:
            pool = grids[grids["street_id"] == street_id]
            geom = pool.geometry.iloc[int(rng.integers(len(pool)))].representative_point()
        rows.append({"name": name, "tier": "station", "kind": kind, "brand": None,
                     "geometry": geom, "floor_area_m2": float(rng.integers(100, 150)),
                     "functions": FUNCTIONS[kind], "opening_hours": HOURS[1],
                     "opened": "2021-10-01"})
    hosts = compounds.iloc[rng.permutation(len(compounds))[: 24 * scale]]
    for k, (_, host) in enumerate(hosts.iterrows()):
        brand = BRANDS[k % len(BRANDS)]
        rep = host.geometry.representative_point()
        rows.append({"name": f"{host['name']}·{brand}", "tier": "point", "kind": None,
                     "brand": brand, "geometry": rep, "compound_id": host["id"],
                     "floor_area_m2": float(rng.integers(18, 42)), "functions": FUNCTIONS["point"],
                     "opening_hours": HOURS[int(rng.integers(len(HOURS)))],
                     "opened": f"2021-{int(rng.integers(9, 13)):02d}-15"})
    positions = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)
    rest = positions["floor_area_m2"].sum()
    positions.loc[0, "floor_area_m2"] = float(max(TOTAL_FLOOR_AREA * scale - rest, 400))
    positions.insert(0, "id", [f"P{i + 1:02d}" for i in range(len(positions))])
    target = communities[["id", "street_id", "geometry"]].rename(columns={"id": "community_id"})
    joined = gpd.sjoin(positions[["id", "geometry"]], target, how="left", predicate="within")
    joined = joined.drop_duplicates("id").set_index("id")
    positions["community_id"] = positions["id"].map(joined["community_id"])
    positions["street_id"] = positions["id"].map(joined["street_id"])
    positions["status"] = "existing"
    return positions


def build_joint_duty_stations(rng, positions, communities) -> gpd.GeoDataFrame:
    """Dispatch areas: every community goes to its nearest joint-duty station."""
    stations = positions[positions["kind"] == "joint_duty_station"].reset_index(drop=True)
    cents = communities.geometry.representative_point()
    dist = np.column_stack([cents.distance(g) for g in stations.geometry])
    nearest = dist.argmin(axis=1)
    rows, geoms = [], []
    for k, station in stations.iterrows():
        area = shapely.union_all(communities.geometry[nearest == k].to_numpy(), grid_size=0.01)
        picks = rng.choice(len(DEPARTMENTS), size=len(DEPARTMENTS), replace=False)
        departments = [DEPARTMENTS[i] for i in sorted(picks)]
        rows.append({
            "id": f"J{k + 1:02d}", "name": station["name"], "service_position_id": station["id"],
            "departments": "、".join(departments), "department_count": len(departments),
            "team_size": int(rng.integers(12, 30)),
        })
        geoms.append(_multi(area))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=METRIC_CRS)
