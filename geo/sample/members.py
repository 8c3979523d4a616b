"""Sample households, in-service Party members (一编三定), volunteer teams and pairings."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.sample.geography import _apportion, sample_points
from geo.sample.people import chinese_names, phones
from geo.schema import METRIC_CRS

MEMBERS = 4760
MEMBERS_REPORTED = 7826  # "7,800+" reported to communities and compounds
VOLUNTEERS_REGISTERED = 13052  # "1.3万" registered on the volunteer platform
TEAMS = 630
TEAM_ACTIVITIES = 2952
PAIRINGS = 226
GAP_GRIDS = 9
HOME_RADIUS_M = 1200  # members of grids this close to a managed compound live in one
FAR_HOME_SHARE = 0.01  # a few members serve a grid far from their home compound  # grids left without a member, for grid leaders to find
POSTS = ("楼道长", "宣传员", "调解员", "巡防员", "志愿服务员", "网格信息员")
DUTIES = ("入户走访", "政策宣讲", "矛盾调解", "治安巡防", "环境整治", "守小门")
TEAM_KINDS = ("爱心帮扶", "邻里调解", "法律援助", "文明创建", "政策宣讲")
OFFICES = (
    "区委办", "区政府办", "区委组织部", "区委宣传部", "区委政法委", "区发改局", "区教育局",
    "区科技局", "区经信局", "区公安分局", "区民政局", "区司法局", "区财政局", "区人力社保局",
    "区自然资源和规划分局", "区住建局", "区交通运输局", "区水利局", "区农业农村局", "区商务局",
    "区文广旅体局", "区卫生健康局", "区应急管理局", "区审计局", "区市场监管分局", "区统计局",
    "区医保分局", "区综合行政执法局", "区信访局", "区税务局", "区人民法院", "区人民检察院",
    "区总工会", "团区委", "区妇联", "区科协", "区残联", "区工商联", "区第一人民医院", "区中医院",
)
WORK_UNITS = OFFICES + ("黄岩中学", "黄岩第二高级中学", "城关中学", "国网黄岩供电公司",
                        "黄岩农商银行", "中国移动黄岩分公司", "东城中心小学", "北城中学")


def grid_households(rng, grids, compounds) -> None:
    """Households and residents per grid: its compounds plus scattered other housing."""
    in_compounds = compounds.groupby("grid_id")["households"].sum()
    density = grids["street_id"].isin(["331003001", "331003003", "331003004"]).map(
        {True: 420.0, False: 260.0})
    other = np.round(rng.gamma(3.0, density / 3.0)).astype(int) + 20
    grids["households"] = grids["id"].map(in_compounds).fillna(0).astype(int) + other
    grids["residents"] = np.round(grids["households"] * rng.uniform(2.4, 2.9, len(grids))).astype(int)


def build_members(rng, grids, compounds, teams, scale: int = 1) -> gpd.GeoDataFrame:
    """4,760×scale members, each placed in a grid (a point inside it), with post and duty."""
    total = MEMBERS * scale
    weights = grids["households"].to_numpy() * rng.gamma(4.0, 0.25, len(grids))
    outer = np.flatnonzero(~grids["id"].isin(compounds["grid_id"]).to_numpy())
    gaps = rng.choice(outer, size=min(GAP_GRIDS * scale, len(outer)), replace=False)
    weights[gaps] = 0
    counts = _apportion(total, weights)
    comp_pts = compounds.geometry.representative_point()
    comp_xy = np.column_stack([comp_pts.x, comp_pts.y])
    xs, ys, grid_ids, homes = [], [], [], []
    for (_, grid), n in zip(grids.iterrows(), counts):
        if n == 0:
            continue
        pts = sample_points(grid.geometry, int(n), rng)
        xs.append(pts[:, 0])
        ys.append(pts[:, 1])
        grid_ids += [grid["id"]] * int(n)
        rep = grid.geometry.representative_point()
        dist = np.hypot(comp_xy[:, 0] - rep.x, comp_xy[:, 1] - rep.y)
        near = np.argsort(dist)[:2]
        if dist[near[0]] > HOME_RADIUS_M:  # no managed compound nearby: unmanaged housing
            homes += [None] * int(n)
            continue
        far = rng.random(n) < FAR_HOME_SHARE
        homes += [int(rng.integers(len(compounds))) if f else int(rng.choice(near)) for f in far]
    n = len(grid_ids)
    team_by_community = teams.groupby("community_id")["id"].apply(list)
    grid_community = grids.set_index("id")["community_id"]
    team_ids = []
    for gid in grid_ids:
        local = team_by_community.get(grid_community[gid], [])
        team_ids.append(str(rng.choice(local)) if local and rng.random() < 0.6 else None)
    reported = pd.to_datetime("2020-03-01") + pd.to_timedelta(rng.integers(0, 750, n), "D")
    joined = pd.to_datetime("1978-01-01") + pd.to_timedelta(rng.integers(0, 15700, n), "D")
    members = gpd.GeoDataFrame({
        "id": [f"M{i + 1:05d}" for i in range(n)],
        "name": chinese_names(rng, n), "phone": phones(rng, n),
        "gender": np.where(rng.random(n) < 0.55, "男", "女"),
        "grid_id": grid_ids,
        "compound_id": [None if h is None else compounds["id"].iloc[h] for h in homes],
        "work_unit": rng.choice(WORK_UNITS, n), "post": rng.choice(POSTS, n),
        "duty": rng.choice(DUTIES, n), "volunteer_team_id": team_ids,
        "reported_on": reported, "joined_party": joined,
    }, geometry=shapely.points(np.concatenate(xs), np.concatenate(ys)), crs=METRIC_CRS)
    return members


def build_teams(rng, communities, grids, scale: int = 1) -> pd.DataFrame:
    weights = communities["id"].map(grids.groupby("community_id").size()).to_numpy(float)
    per_community = _apportion(TEAMS * scale, weights, minimum=1)
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
        "activities": _apportion(TEAM_ACTIVITIES * scale, rng.gamma(2.0, 1.0, n)),
    })


def community_reports(rng, communities, grids, members, scale: int = 1) -> None:
    """Members reported (报到) per community: those placed plus those reported but not placed."""
    placed = members["grid_id"].map(grids.set_index("id")["community_id"]).value_counts()
    placed = communities["id"].map(placed).fillna(0).astype(int).to_numpy()
    extra = _apportion(MEMBERS_REPORTED * scale - placed.sum(), rng.gamma(2.0, 1.0, len(placed)))
    communities["members_reported"] = placed + extra
    communities["volunteers_registered"] = _apportion(
        VOLUNTEERS_REGISTERED * scale, rng.gamma(3.0, 1.0, len(placed)))


def build_pairings(rng, compounds, scale: int = 1) -> pd.DataFrame:
    n = PAIRINGS * scale
    offices = rng.choice(OFFICES, n)
    ordinal = rng.choice(["第一", "第二", "第三"], n)
    since = pd.to_datetime("2021-03-01") + pd.to_timedelta(rng.integers(0, 400, n), "D")
    return pd.DataFrame({
        "id": [f"R{i + 1:04d}" for i in range(n)],
        "office_branch": [f"{o}机关{k}党支部" for o, k in zip(offices, ordinal)],
        "compound_id": rng.choice(compounds["id"], n), "since": since,
    })
