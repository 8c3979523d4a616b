"""Sample compounds with their three-party structure: Party branch, owners' and supervisory
committees, property firm, Party-building instructor, and the Party alliances."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pypinyin import Style, lazy_pinyin
from shapely import affinity
from shapely.geometry import box

from geo.sample.geography import _multi
from geo.sample.people import chinese_names, phones
from geo.schema import METRIC_CRS

NAME_HEADS = (
    "金桥", "锦绣", "阳光", "翠苑", "天和", "东方", "江景", "橘香", "永宁", "九峰", "望江",
    "银泰", "绿城", "香樟", "丽景", "紫荆", "桂花", "枫林", "凤凰", "新城", "滨江", "春晖",
    "君悦", "怡和", "盛世", "荣安", "华庭", "鼎泰", "半山", "翠屏", "官河", "柏树", "和美",
)
NAME_TAILS = ("花园", "苑", "府", "家园", "公寓", "新村", "名邸", "雅苑", "嘉园", "小区")
FIRM_WORDS = (
    "永安", "恒信", "佳和", "瑞丰", "金盾", "德润", "宏达", "安居", "博众", "信达", "众安",
    "华庭", "绿城", "天成", "祥和", "明珠", "锦程", "开元", "广厦", "新宇", "万家", "东升",
)


def pinyin_key(name: str) -> str:
    """Pinyin initials and full pinyin, for search: 永悦华府 -> 'yyhf yongyuehuafu'."""
    initials = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER))
    return f"{initials} {''.join(lazy_pinyin(name))}".lower()


def _compound_names(rng, n: int, taken: set[str]) -> list[str]:
    names = []
    while len(names) < n:
        name = str(rng.choice(NAME_HEADS)) + str(rng.choice(NAME_TAILS))
        if name not in taken:
            taken.add(name)
            names.append(name)
        elif taken.issuperset(h + t for h in NAME_HEADS for t in NAME_TAILS):
            name = f"{name}{len(taken)}"  # every combination used (scale > 4): number the rest
            taken.add(name)
            names.append(name)
    return names


def _footprint(center, households: int, grid_geom, rng):
    area = households * rng.uniform(45, 75)
    aspect = rng.uniform(0.6, 1.6)
    w, h = np.sqrt(area * aspect), np.sqrt(area / aspect)
    rect = box(center.x - w / 2, center.y - h / 2, center.x + w / 2, center.y + h / 2)
    rect = affinity.rotate(rect, rng.uniform(0, 90), origin=center)
    inner = grid_geom.buffer(-5)
    shape = rect.intersection(inner)
    if shape.is_empty or shape.area < 2000:
        shape = center.buffer(40).intersection(inner)
    return _multi(shapely.make_valid(shape))


def build_compounds(rng, streets, communities, grids, profile, scale: int = 1):
    """Compounds (metric CRS) placed in distinct grids, named ones included."""
    named = profile.named_compounds
    cluster_street, cluster = profile.cluster or (None, ())
    geoms_by_grid = dict(zip(grids["id"].tolist(), grids.geometry.to_numpy()))
    grid_ids, grid_communities = grids["id"].to_numpy(), grids["community_id"].to_numpy()
    grid_streets = grids["street_id"].to_numpy()
    taken: set[str] = set(named) | set(cluster)
    rows, geoms = [], []
    for street_id, per_street in profile.compounds_per_street.items():
        n = per_street * scale
        pool = grids[grid_streets == street_id]
        reps = pool.geometry.representative_point()
        if street_id == cluster_street:  # the named alliance: neighbouring compounds first
            anchor = reps.iloc[int(rng.integers(len(pool)))]
            near = reps.distance(anchor).sort_values().index[: len(cluster)]
            rest = rng.permutation(pool.index.difference(near).to_numpy())[: n - len(cluster)]
            chosen = list(near) + list(rest)
        else:
            chosen = list(rng.permutation(pool.index.to_numpy())[:n])
        names = [k for k, v in named.items() if v[0] == street_id and k not in cluster]
        if street_id == cluster_street:
            names = list(cluster) + names
        names += _compound_names(rng, n - len(names), taken)
        for idx, name in zip(chosen, names):
            households = int(np.clip(rng.lognormal(6.3, 0.5), 120, 2400))
            rows.append({
                "name": name, "pinyin": pinyin_key(name), "street_id": street_id,
                "community_id": grid_communities[idx], "grid_id": grid_ids[idx],
                "households": households,
                "buildings": max(2, households // int(rng.integers(40, 90))),
                "built_year": int(rng.integers(1995, 2020)),
                "practice": named.get(name, (None, None))[1],
            })
            geoms.append(_footprint(reps.loc[idx], households, geoms_by_grid[grid_ids[idx]], rng))
    compounds = gpd.GeoDataFrame(rows, geometry=geoms, crs=METRIC_CRS)
    compounds.insert(0, "id", [f"C{i + 1:03d}" for i in range(len(compounds))])
    return compounds


def build_firms(rng, profile, scale: int = 1) -> pd.DataFrame:
    n = profile.n("firms") * scale
    words = [FIRM_WORDS[i % len(FIRM_WORDS)] + ("" if i < len(FIRM_WORDS) else str(i)) for i in range(n)]
    score = np.round(rng.uniform(72, 97, n), 1)
    red = np.zeros(n, bool)
    red[np.argsort(-score)[: profile.n("red_firms") * scale]] = True
    score[red] = np.maximum(score[red], 93.0)
    return pd.DataFrame({
        "id": [f"F{i + 1:02d}" for i in range(n)],
        "name": [f"{profile.firm_prefix}{w}物业服务有限公司" for w in words],
        "red_property": red,
        "rating": np.where(score >= 90, "AAA", np.where(score >= 80, "AA", "A")),
        "score": score,
        "party_members": rng.integers(2, 30, n),
        "association_member": True,
    })


def build_instructors(rng, compounds, communities, streets, profile) -> pd.DataFrame:
    n = max(1, round(len(compounds) / 1.5))
    kinds = np.where(rng.random(n) < 0.6, "community_worker", "law_enforcement")
    street_names = streets.set_index("id")["name"]
    com_names = communities.set_index("id")["name"]
    owners = compounds.iloc[rng.permutation(len(compounds))[:n]]
    orgs = [
        f"{com_names[c]}居委会" if k == "community_worker"
        else f"{profile.level}综合行政执法局{street_names[s]}中队"
        for k, c, s in zip(kinds, owners["community_id"], owners["street_id"])
    ]
    return pd.DataFrame({
        "id": [f"I{i + 1:02d}" for i in range(n)],
        "name": chinese_names(rng, n), "phone": phones(rng, n), "kind": kinds,
        "organisation": orgs, "street_id": owners["street_id"].to_numpy(),
    })


def assign_firms_and_instructors(rng, compounds, firms, instructors, communities) -> None:
    """Firms at random; each compound's instructor from its own community's residents'
    committee (居委会) or its street's law-enforcement squad, never another community's
    office (the street's, then any squad when neither exists)."""
    compounds["property_firm_id"] = rng.choice(firms["id"], size=len(compounds))
    office_of = {f"{name}居委会": cid for cid, name in zip(communities["id"], communities["name"])}
    home = instructors["organisation"].map(office_of)  # the community of a committee's worker
    squads = instructors[home.isna()]
    every_squad = squads["id"].to_numpy(dtype=object)
    by_community = {c: g.to_numpy(dtype=object) for c, g in instructors.groupby(home)["id"]}
    by_street = {s: g.to_numpy(dtype=object) for s, g in squads.groupby("street_id")["id"]}
    every = instructors["id"].to_numpy(dtype=object)
    picks = []
    for community_id, street_id in zip(compounds["community_id"], compounds["street_id"]):
        own = np.concatenate([by_community.get(community_id, []), by_street.get(street_id, [])])
        pool = own if len(own) else (every_squad if len(every_squad) else every)
        picks.append(rng.choice(pool))
    compounds["party_instructor_id"] = picks


def build_alliances(rng, compounds, streets, profile) -> pd.DataFrame:
    """Party alliances: the named one (Huangyan's 迎熏) with its compounds, and one for each
    of the profile's alliance streets, which some of the street's compounds join."""
    rows = [dict(profile.named_alliance)] if profile.named_alliance else []
    street_names = streets.set_index("id")["name"]
    for k, street_id in enumerate(profile.alliance_streets, start=len(rows) + 1):
        rows.append({
            "id": f"A{k:02d}", "name": f"{street_names[street_id][:2]}党建联盟",
            "street_id": street_id, "founded": f"2021-{int(rng.integers(7, 12)):02d}-01",
            "business_districts": int(rng.integers(1, 4)), "commercial_streets": int(rng.integers(1, 5)),
            "mass_organisations": int(rng.integers(2, 7)), "platforms": "党群服务中心、先锋驿站",
        })
    alliances = pd.DataFrame(rows)
    cluster = set(profile.cluster[1]) if profile.cluster else set()
    named_id = profile.named_alliance["id"] if profile.named_alliance else None
    generated = {street: f"A{k:02d}" for k, street in enumerate(
        profile.alliance_streets, start=2 if named_id else 1)}
    ids = []
    for name, street_id in zip(compounds["name"], compounds["street_id"]):
        if name in cluster:
            ids.append(named_id)
        elif street_id in generated and rng.random() < 0.4:
            ids.append(generated[street_id])
        else:
            ids.append(None)
    compounds["party_alliance_id"] = ids
    return alliances


def build_branches_and_committees(rng, compounds, profile):
    """Party branches, owners' and supervisory committees (one each per compound).

    Owners' committees: 8 (times f) elected since 2021-07 with over half Party members, and 6
    (times f) of them led by the branch secretary ("一肩挑"), as the article reports.
    """
    n = len(compounds)
    secretaries = chinese_names(rng, n)
    named = profile.named_compounds
    branch_type = [named.get(name, (None, None, "joint"))[2] for name in compounds["name"]]
    party_members = rng.integers(6, 60, n)
    branches = pd.DataFrame({
        "id": [f"B{c[1:]}" for c in compounds["id"]], "compound_id": compounds["id"],
        "name": [f"{name}小区党支部" for name in compounds["name"]],
        "secretary_name": secretaries, "branch_type": branch_type,
        "party_members": party_members,
        "party_groups": np.minimum(compounds["buildings"].to_numpy(), party_members // 3 + 1),
        "founded": [f"20{int(y)}-{int(m):02d}-01" for y, m in
                    zip(rng.integers(19, 22, n), rng.integers(1, 13, n))],
    })
    order = rng.permutation(n)
    new, shoulder = order[: profile.n("new_committees")], order[: profile.n("one_shoulder")]
    seats = rng.choice([5, 7, 9], n)
    old_start = pd.to_datetime("2017-01-01") + pd.to_timedelta(rng.integers(0, 1600, n), "D")
    new_start = pd.to_datetime("2021-07-01") + pd.to_timedelta(rng.integers(0, 270, n), "D")
    is_new = np.isin(np.arange(n), new)
    start = np.where(is_new, new_start, old_start)
    party = np.where(is_new, seats // 2 + 1 + rng.integers(0, 2, n),
                     np.round(seats * rng.uniform(0.1, 0.5, n)).astype(int))
    directors = chinese_names(rng, n)
    one_shoulder = np.isin(np.arange(n), shoulder)
    directors = [s if o else d for s, d, o in zip(secretaries, directors, one_shoulder)]
    owners = pd.DataFrame({
        "id": [f"O{c[1:]}" for c in compounds["id"]], "compound_id": compounds["id"],
        "director_name": directors, "term_start": start,
        "term_end": pd.DatetimeIndex(start) + pd.DateOffset(years=5),
        "seats": seats, "party_seats": np.minimum(party, seats), "one_shoulder": one_shoulder,
    })
    sup_seats = rng.choice([3, 5], n)
    supervisory = pd.DataFrame({
        "id": [f"S{c[1:]}" for c in compounds["id"]], "compound_id": compounds["id"],
        "director_name": chinese_names(rng, n), "term_start": start,
        "seats": sup_seats, "party_seats": rng.integers(1, 3, n),
    })
    return branches, owners, supervisory
