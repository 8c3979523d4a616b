"""Sample service positions (一核三片四站二十四点) and the joint-duty stations' dispatch areas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import Point

from geo.sample.geography import _multi
from geo.schema import BRANDS, METRIC_CRS

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
# The network's floor area is the profile's "floor_area" (Huangyan: 2,436 m², the article's
# "2,400+ m²"): the core takes what the other positions leave.


def _inside(point: Point, polygon) -> Point:
    return point if polygon.contains(point) else polygon.representative_point()


def build_positions(rng, streets, communities, grids, compounds, profile, scale: int = 1):
    """Service positions (metric CRS): 1 core, 3 zones, 4 stations, 24·f×scale points."""
    streets_i = streets.set_index("id")
    rows = []
    core_street = streets_i.geometry[profile.core_street]
    rows.append({"name": profile.core_name, "tier": "core", "kind": None, "brand": None,
                 "geometry": _inside(core_street.centroid, core_street), "floor_area_m2": 0.0,
                 "functions": FUNCTIONS["core"], "opening_hours": HOURS[0], "opened": "2021-06-30"})
    for street_id in profile.zone_streets:
        geom = streets_i.geometry[street_id]
        rows.append({"name": f"{streets_i.loc[street_id, 'name']}党群服务中心", "tier": "zone",
                     "kind": None, "brand": None, "geometry": geom.representative_point(),
                     "floor_area_m2": float(rng.integers(220, 300)), "functions": FUNCTIONS["zone"],
                     "opening_hours": HOURS[0], "opened": "2021-09-01"})
    named_id = (profile.named_alliance or {}).get("id")
    cluster = compounds[compounds["party_alliance_id"] == named_id] if named_id else compounds[:0]
    grid_streets = grids["street_id"].to_numpy()
    for name, kind, street_id in profile.stations:
        if name == profile.cluster_station and len(cluster):
            pts = cluster.geometry.representative_point()
            geom = Point(pts.x.mean(), pts.y.mean())
        else:
            pool = grids[grid_streets == street_id]
            geom = pool.geometry.iloc[int(rng.integers(len(pool)))].representative_point()
        rows.append({"name": name, "tier": "station", "kind": kind, "brand": None,
                     "geometry": geom, "floor_area_m2": float(rng.integers(100, 150)),
                     "functions": FUNCTIONS[kind], "opening_hours": HOURS[1],
                     "opened": "2021-10-01"})
    hosts = compounds.iloc[rng.permutation(len(compounds))[: profile.n("points") * scale]]
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
    positions.loc[0, "floor_area_m2"] = float(max(profile.n("floor_area") * scale - rest, 400))
    positions.insert(0, "id", [f"P{i + 1:02d}" for i in range(len(positions))])
    target = communities[["id", "street_id", "geometry"]].rename(columns={"id": "community_id"})
    joined = gpd.sjoin(positions[["id", "geometry"]], target, how="left", predicate="within")
    joined = joined.drop_duplicates("id").set_index("id")
    positions["community_id"] = positions["id"].map(joined["community_id"])
    positions["street_id"] = positions["id"].map(joined["street_id"])
    positions["status"] = "existing"
    return positions


def build_joint_duty_stations(rng, positions, communities) -> gpd.GeoDataFrame:
    """Dispatch areas: every community goes to its nearest joint-duty station (a station
    nearest to none takes the community nearest to it, so that no area is empty)."""
    stations = positions[positions["kind"] == "joint_duty_station"].reset_index(drop=True)
    cents = communities.geometry.representative_point()
    dist = np.column_stack([cents.distance(g) for g in stations.geometry])
    nearest = dist.argmin(axis=1)
    for k in range(len(stations)):
        if not (nearest == k).any():
            nearest[int(dist[:, k].argmin())] = k
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
