"""Sample households, in-service Party members (一编三定), volunteer teams and pairings."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.sample.geography import _apportion, sample_points
from geo.sample.people import chinese_names, phones
from geo.schema import METRIC_CRS

# The counts (members 4,760, reported 7,826 = the article's "7,800+", 13,052 volunteers = its
# "1.3万", 630 teams, 2,952 team activities, 226 pairings, 9 grids left without a member for grid
# leaders to find) are Huangyan's; other counties take them times f (geo.sample.profile).
HOME_RADIUS_M = 1200  # members of grids this close to a managed compound live in one
FAR_HOME_SHARE = 0.01  # a few members serve a grid far from their home compound
POSTS = ("楼道长", "宣传员", "调解员", "巡防员", "志愿服务员", "网格信息员")
DUTIES = ("入户走访", "政策宣讲", "矛盾调解", "治安巡防", "环境整治", "守小门")
MIN_PARTY_DAYS_BEFORE_REPORT = 30
TEAM_KINDS = ("爱心帮扶", "邻里调解", "法律援助", "文明创建", "政策宣讲")


def grid_households(rng, grids, compounds, profile) -> None:
    """Households and residents per grid: its compounds plus scattered other housing."""
    in_compounds = compounds.groupby("grid_id")["households"].sum()
    density = grids["street_id"].isin(list(profile.zone_streets)).map(
        {True: 420.0, False: 260.0})
    other = np.round(rng.gamma(3.0, density / 3.0)).astype(int) + 20
    grids["households"] = grids["id"].map(in_compounds).fillna(0).astype(int) + other
    grids["residents"] = np.round(grids["households"] * rng.uniform(2.4, 2.9, len(grids))).astype(int)


def build_members(rng, grids, compounds, teams, profile, scale: int = 1) -> gpd.GeoDataFrame:
    """4,760·f×scale members, each placed in a grid (a point inside it), with post and duty."""
    total = profile.n("members") * scale
    weights = grids["households"].to_numpy() * rng.gamma(4.0, 0.25, len(grids))
    outer = np.flatnonzero(~grids["id"].isin(compounds["grid_id"]).to_numpy())
    gaps = rng.choice(outer, size=min(profile.n("gap_grids") * scale, len(outer)), replace=False)
    weights[gaps] = 0
    counts = _apportion(total, weights)
    comp_pts = compounds.geometry.representative_point()
    comp_xy = np.column_stack([comp_pts.x, comp_pts.y])
    xs, ys, grid_ids, homes = [], [], [], []
    for gid, geom, n in zip(grids["id"].tolist(), grids.geometry.to_numpy(), counts):
        if n == 0:
            continue
        pts = sample_points(geom, int(n), rng)
        xs.append(pts[:, 0])
        ys.append(pts[:, 1])
        grid_ids += [gid] * int(n)
        rep = geom.representative_point()
        dist = np.hypot(comp_xy[:, 0] - rep.x, comp_xy[:, 1] - rep.y)
        near = np.argsort(dist)[:2]
        if dist[near[0]] > HOME_RADIUS_M:  # no managed compound nearby: unmanaged housing
            homes += [None] * int(n)
            continue
        far = rng.random(n) < FAR_HOME_SHARE
        homes += [int(rng.integers(len(compounds))) if f else int(rng.choice(near)) for f in far]
    n = len(grid_ids)
    team_by_community = {c: np.asarray(g, dtype=object) for c, g in
                         teams.groupby("community_id")["id"].apply(list).items()}
    grid_community = dict(zip(grids["id"].tolist(), grids["community_id"].tolist()))
    local_teams = {gid: team_by_community.get(grid_community[gid]) for gid in grid_community}
    team_ids = []
    for gid in grid_ids:
        local = local_teams[gid]
        has = local is not None and len(local) > 0
        team_ids.append(str(rng.choice(local)) if has and rng.random() < 0.6 else None)
    compound_ids = compounds["id"].tolist()
    reported = pd.to_datetime("2020-03-01") + pd.to_timedelta(rng.integers(0, 750, n), "D")
    # joined the Party before reporting (报到) to the community: at least 30 days before
    first = pd.to_datetime("1978-01-01")
    span = (reported - first).days.to_numpy() - MIN_PARTY_DAYS_BEFORE_REPORT
    joined = first + pd.to_timedelta(rng.integers(0, 15700, n) * span // 15700, "D")
    members = gpd.GeoDataFrame({
        "id": [f"M{i + 1:05d}" for i in range(n)],
        "name": chinese_names(rng, n), "phone": phones(rng, n),
        "gender": np.where(rng.random(n) < 0.55, "男", "女"),
        "grid_id": grid_ids,
        "compound_id": [None if h is None else compound_ids[h] for h in homes],
        "work_unit": rng.choice(profile.work_units, n), "post": rng.choice(POSTS, n),
        "duty": rng.choice(DUTIES, n), "volunteer_team_id": team_ids,
        "reported_on": reported, "joined_party": joined,
    }, geometry=shapely.points(np.concatenate(xs), np.concatenate(ys)), crs=METRIC_CRS)
    return members


def build_teams(rng, communities, grids, profile, scale: int = 1) -> pd.DataFrame:
    weights = communities["id"].map(grids.groupby("community_id").size()).to_numpy(float)
    per_community = _apportion(profile.n("teams") * scale, weights, minimum=1)
    community_ids = np.repeat(communities["id"].to_numpy(), per_community)
    names = np.repeat(communities["name"].to_numpy(), per_community)
    n = len(community_ids)
    kinds = rng.choice(TEAM_KINDS, n)
    serial = pd.Series(community_ids).groupby(community_ids).cumcount().to_numpy() + 1
    return pd.DataFrame({
        "id": [f"V{i + 1:04d}" for i in range(n)],
        "name": [f"{c}{k}党员志愿服务队{s}" for c, k, s in zip(names, kinds, serial)],
        "kind": kinds, "community_id": community_ids,
        "volunteers": rng.integers(6, 40, n),
        "activities": _apportion(profile.n("team_activities") * scale, rng.gamma(2.0, 1.0, n)),
    })


def community_reports(rng, communities, grids, members, profile, scale: int = 1) -> None:
    """Members reported (报到) per community: those placed plus those reported but not placed."""
    placed = members["grid_id"].map(grids.set_index("id")["community_id"]).value_counts()
    placed = communities["id"].map(placed).fillna(0).astype(int).to_numpy()
    extra = _apportion(profile.n("members_reported") * scale - placed.sum(),
                       rng.gamma(2.0, 1.0, len(placed)))
    communities["members_reported"] = placed + extra
    communities["volunteers_registered"] = _apportion(
        profile.n("volunteers") * scale, rng.gamma(3.0, 1.0, len(placed)))


def build_pairings(rng, compounds, profile, scale: int = 1) -> pd.DataFrame:
    n = profile.n("pairings") * scale
    offices = rng.choice(profile.offices, n)
    ordinal = rng.choice(["第一", "第二", "第三"], n)
    since = pd.to_datetime("2021-03-01") + pd.to_timedelta(rng.integers(0, 400, n), "D")
    return pd.DataFrame({
        "id": [f"R{i + 1:04d}" for i in range(n)],
        "office_branch": [f"{o}机关{k}党支部" for o, k in zip(offices, ordinal)],
        "compound_id": rng.choice(compounds["id"], n), "since": since,
    })
