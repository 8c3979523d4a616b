"""Grid coverage figures on a small hand-built store (exact figures) and on the sample district.

The small district (metres in EPSG:4549, origin X0, Y0): four 2 km × 2 km grids in a row,
A [0, 2000], B [2000, 4000], C [4000, 6000], D [6000, 8000] (x), all 0..2000 (y).

grid  households  members           households/member
A     100         m1, m2            50
B     300         m3, m5            150   > 2 × median(50, 150, 60) = 120 -> overloaded
C     80          -                 -     -> no_member
D     60          m4                60

Home compounds (100 m squares): k1 centred in A (1000, 1000), k2 in B at (2500, 1000), k3 in D
at (7000, 1000). m2 lives in k3, 5,000 m outside A -> far_home; m5 lives in k1, exactly
1,000 m outside B -> not beyond the 1,000 m limit.
Communities: c1 (grids A, B; street s1, 6 reported) and c2 (C, D; street s2, 3 reported).
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo import grid_coverage as gc
from geo.cli import main as cli_main
from geo.schema import METRIC_CRS
from geo.store import open_store

X0, Y0 = 620_000.0, 3_170_000.0
GRID_X = {"A": 0, "B": 2000, "C": 4000, "D": 6000}
HOUSEHOLDS = {"A": 100, "B": 300, "C": 80, "D": 60}


def _metric(frame: dict, shapes: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame, geometry=shapes, crs=METRIC_CRS).to_crs("EPSG:4326")


def _square(cx: float, cy: float, half: float):
    return box(X0 + cx - half, Y0 + cy - half, X0 + cx + half, Y0 + cy + half)


def build_grid_store(path):
    """The small district described in the module docstring, as a GeoPackage store."""
    store = open_store(path)
    streets = _metric(
        {"id": ["s1", "s2"], "name": ["东城街道", "西城街道"], "code": ["331003001", "331003002"]},
        [box(X0, Y0, X0 + 4000, Y0 + 2000), box(X0 + 4000, Y0, X0 + 8000, Y0 + 2000)],
    )
    communities = _metric(
        {"id": ["c1", "c2"], "name": ["桔源社区", "城西社区"], "street_id": ["s1", "s2"],
         "members_reported": [6, 3], "volunteers_registered": [40, 20]},
        [box(X0, Y0, X0 + 4000, Y0 + 2000), box(X0 + 4000, Y0, X0 + 8000, Y0 + 2000)],
    )
    names = list(GRID_X)
    grids = _metric(
        {"id": names, "name": [f"网格{n}" for n in names],
         "community_id": ["c1", "c1", "c2", "c2"], "street_id": ["s1", "s1", "s2", "s2"],
         "households": [HOUSEHOLDS[n] for n in names],
         "residents": [HOUSEHOLDS[n] * 3 for n in names]},
        [box(X0 + GRID_X[n], Y0, X0 + GRID_X[n] + 2000, Y0 + 2000) for n in names],
    )
    compounds = _metric(
        {"id": ["k1", "k2", "k3"], "name": ["永悦华府", "书香园", "世纪花园"],
         "pinyin": ["yyhf", "sxy", "sjhy"], "street_id": ["s1", "s1", "s2"],
         "community_id": ["c1", "c1", "c2"], "grid_id": ["A", "B", "D"],
         "households": [50, 40, 30], "buildings": [5, 4, 3], "built_year": [2005, 2008, 2001],
         "property_firm_id": ["f1"] * 3, "party_instructor_id": ["i1"] * 3},
        [_square(1000, 1000, 50), _square(2500, 1000, 50), _square(7000, 1000, 50)],
    )
    member_rows = [  # id, name, grid, home, post, team, x offset in grid
        ("m1", "张明", "A", "k1", "楼道长", "t1", 500),
        ("m2", "李华", "A", "k3", "宣传员", None, 1500),
        ("m3", "王芳", "B", "k2", "楼道长", "t1", 500),
        ("m4", "赵强", "D", "k3", "调解员", None, 500),
        ("m5", "陈静", "B", "k1", "巡防员", None, 1500),
    ]
    members = _metric(
        {"id": [r[0] for r in member_rows], "name": [r[1] for r in member_rows],
         "phone": [f"1380000{i:04d}" for i in range(len(member_rows))],
         "gender": ["男"] * len(member_rows), "grid_id": [r[2] for r in member_rows],
         "compound_id": [r[3] for r in member_rows], "work_unit": ["区委组织部"] * 5,
         "post": [r[4] for r in member_rows], "duty": ["入户走访"] * 5,
         "volunteer_team_id": [r[5] for r in member_rows],
         "reported_on": ["2021-09-01"] * 5, "joined_party": ["2001-07-01"] * 5},
        [Point(X0 + GRID_X[r[2]] + r[6], Y0 + 1000) for r in member_rows],
    )
    teams = {"id": ["t1"], "name": ["爱心帮扶队"], "kind": ["爱心帮扶"], "community_id": ["c1"],
             "volunteers": [12], "activities": [5]}
    with store.transaction() as tx:
        for name, frame in (("streets", streets), ("communities", communities),
                            ("grids", grids), ("compounds", compounds), ("members", members),
                            ("volunteer_teams", pd.DataFrame(teams))):
            tx.replace(name, frame)
    return store


@pytest.fixture
def grid_store(tmp_path):
    return build_grid_store(tmp_path / "grids.gpkg")


def _coverage(store, **kw):
    return gc.grid_coverage(store.load("grids"), store.load("members"), store.load("compounds"), **kw)


def test_per_grid_figures_and_flags(grid_store):
    cov = _coverage(grid_store).set_index(gc.GRID_ID)
    assert cov.attrs["threshold"] == 120.0
    assert cov[gc.MEMBERS].to_dict() == {"A": 2, "B": 2, "C": 0, "D": 1}
    assert cov[gc.HOUSEHOLDS].to_dict() == HOUSEHOLDS
    assert cov.loc["A", gc.PER_MEMBER] == 50.0
    assert cov.loc["B", gc.PER_MEMBER] == 150.0
    assert math.isnan(cov.loc["C", gc.PER_MEMBER])
    assert cov.loc["D", gc.PER_MEMBER] == 60.0
    assert cov[gc.FLAGS].to_dict() == {
        "A": ["far_home"], "B": ["overloaded"], "C": ["no_member"], "D": [],
    }
    assert cov.loc["A", gc.BY_POST] == {"楼道长": 1, "宣传员": 1}
    assert cov.loc["B", gc.BY_TEAM] == {"t1": 1}
    assert cov.loc["C", gc.BY_POST] == {}


def test_threshold_is_configurable_and_far_limit_too(grid_store):
    cov = _coverage(grid_store, threshold=40, far_limit_m=6000).set_index(gc.GRID_ID)
    assert cov[gc.FLAGS].to_dict() == {
        "A": ["overloaded"], "B": ["overloaded"], "C": ["no_member"], "D": ["overloaded"],
    }
    assert gc.default_threshold(cov[gc.PER_MEMBER]) == 120.0


def test_far_home_distances(grid_store):
    far = gc.far_home_members(
        grid_store.load("members"), grid_store.load("grids"), grid_store.load("compounds"), 999
    )
    assert sorted(zip(far["id"], far[gc.DISTANCE_M])) == [("m2", 5000.0), ("m5", 1000.0)]


def test_reported_versus_placed(grid_store):
    args = (grid_store.load("communities"), grid_store.load("grids"), grid_store.load("members"))
    by_community = gc.reported_vs_placed(*args).set_index("id")
    assert by_community[gc.REPORTED].to_dict() == {"c1": 6, "c2": 3}
    assert by_community[gc.PLACED].to_dict() == {"c1": 4, "c2": 1}
    assert by_community.loc["c1", gc.RATIO] == pytest.approx(4 / 6)
    by_street = gc.reported_vs_placed(*args, level="street", streets=grid_store.load("streets"))
    assert by_street[["id", "name", gc.REPORTED, gc.PLACED]].values.tolist() == [
        ["s1", "东城街道", 6, 4], ["s2", "西城街道", 3, 1],
    ]


def test_summary_and_street_resolution(grid_store):
    cov = _coverage(grid_store)
    summary = gc.coverage_summary(cov)
    assert (summary["grids"], summary["members"], summary["households"]) == (4, 5, 540)
    assert (summary["no_member"], summary["overloaded"], summary["far_home"]) == (1, 1, 1)
    streets = grid_store.load("streets")
    assert [gc.resolve_street(streets, s) for s in ("s2", "331003002", "西城街道")] == ["s2"] * 3
    with pytest.raises(KeyError):
        gc.resolve_street(streets, "南城街道")


def test_cli_grid_coverage_json(grid_store, capsys):
    assert cli_main(["grid-coverage", "--store", grid_store.url, "--street", "西城街道",
                     "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["grid_id"], r["members"], r["households"], r["households_per_member"], r["flags"])
            for r in records] == [("C", 0, 80, None, ["no_member"]), ("D", 1, 60, 60.0, [])]


def test_cli_threshold_option(grid_store, capsys):
    cli_main(["grid-coverage", "--store", grid_store.url, "--threshold", "55", "--json"])
    records = {r["grid_id"]: r["flags"] for r in json.loads(capsys.readouterr().out)}
    assert records == {"A": ["far_home"], "B": ["overloaded"], "C": ["no_member"],
                       "D": ["overloaded"]}


def test_sample_district_member_counts(sample_store):
    grids, members = sample_store.load("grids"), sample_store.load("members")
    cov = gc.grid_coverage(grids, members, sample_store.load("compounds"))
    assert cov[gc.MEMBERS].sum() == 4760 == len(members)
    assert cov.set_index(gc.GRID_ID)[gc.MEMBERS].to_dict() == {
        g: int((members["grid_id"] == g).sum()) for g in grids["id"]
    }
    no_member = cov[cov[gc.FLAGS].map(lambda f: "no_member" in f)]
    assert (no_member[gc.MEMBERS] == 0).all() and len(no_member) == (cov[gc.MEMBERS] == 0).sum()
