"""The generated sample district: counts, geometry, references and the article's figures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.sample import generate
from geo.schema import METRIC_CRS, SPATIAL_LAYERS
from geo.store.base import frame_digest


@pytest.fixture(scope="module")
def layers(sample_store):
    return {name: sample_store.load(name) for name in sample_store.layer_names()}


def test_counts_match_the_article(layers):
    assert len(layers["streets"]) == 8
    assert len(layers["grids"]) == 381
    assert len(layers["compounds"]) == 68
    assert len(layers["members"]) == 4760
    assert len(layers["volunteer_teams"]) == 630
    assert layers["volunteer_teams"]["activities"].sum() == 2952
    assert len(layers["pairings"]) == 226
    firms = layers["property_firms"]
    assert len(firms) == 22 and firms["red_property"].sum() == 3
    tiers = layers["service_positions"]["tier"].value_counts().to_dict()
    assert tiers == {"core": 1, "zone": 3, "station": 4, "point": 24}
    assert layers["communities"]["members_reported"].sum() >= 7800


def test_named_places_are_present(layers):
    streets = set(layers["streets"]["name"])
    assert streets == {"东城街道", "南城街道", "西城街道", "北城街道", "新前街道", "澄江街道",
                       "江口街道", "高桥街道"}
    positions = layers["service_positions"]
    zones = set(positions.loc[positions["tier"] == "zone", "name"])
    assert zones == {"东城街道党群服务中心", "西城街道党群服务中心", "北城街道党群服务中心"}
    stations = positions[positions["tier"] == "station"].set_index("name")["kind"].to_dict()
    assert stations == {"迎熏先锋驿站": "pioneer_post", "孔园先锋驿站": "pioneer_post",
                        "江北联勤共治站": "joint_duty_station",
                        "小东门联勤共治站": "joint_duty_station"}
    brands = positions.loc[positions["tier"] == "point", "brand"].value_counts().to_dict()
    assert brands == {"小桔e站": 6, "民心小筑": 6, "先锋驿站": 6, "邻里之家": 6}
    names = set(layers["compounds"]["name"])
    assert {"永悦华府", "世纪花园", "巨鼎港湾名府", "嘉丽阳光苑", "书香园"} <= names
    assert "桔源社区" in set(layers["communities"]["name"])
    jds = layers["joint_duty_stations"]
    assert sorted(jds["name"]) == ["小东门联勤共治站", "江北联勤共治站"]
    assert (jds["department_count"] == 14).all()
    branches = layers["party_branches"].merge(
        layers["compounds"][["id", "name"]], left_on="compound_id", right_on="id")
    assert set(branches.loc[branches["branch_type"] == "real", "name_y"]) == {"永悦华府", "书香园"}


def test_every_geometry_valid_and_inside_the_district(layers):
    district = layers["districts"].geometry.iloc[0].buffer(1e-7)
    for name in SPATIAL_LAYERS:
        if name in ("districts", "counties") or name not in layers or layers[name].empty:
            continue
        geoms = layers[name].geometry
        assert geoms.is_valid.all(), name
        assert (~geoms.is_empty).all(), name
        assert geoms.within(district).all(), name


def test_grids_tile_their_communities_without_gaps_or_overlaps(layers):
    grids = layers["grids"].to_crs(METRIC_CRS)
    communities = layers["communities"].to_crs(METRIC_CRS).set_index("id")
    for community_id, group in grids.groupby("community_id"):
        union = group.union_all()
        target = communities.geometry[community_id]
        assert abs(union.area - target.area) < 1.0, community_id  # m²: no gap
        assert group.area.sum() - union.area < 1.0, community_id  # no overlap
    assert set(grids["community_id"]) == set(communities.index)


def test_streets_partition_and_communities_nest(layers):
    streets = layers["streets"].to_crs(METRIC_CRS)
    assert streets.area.sum() - streets.union_all().area < 1.0
    communities = layers["communities"].to_crs(METRIC_CRS)
    by_street = communities.dissolve("street_id").geometry
    for street_id, geom in streets.set_index("id").geometry.items():
        assert abs(by_street[street_id].area - geom.area) < 1.0


def test_members_lie_in_their_grid(layers):
    members, grids = layers["members"], layers["grids"].set_index("id")
    assert members["grid_id"].isin(grids.index).all()
    homes = members["compound_id"].dropna()
    assert homes.isin(layers["compounds"]["id"]).all()
    assert len(homes) > len(members) / 2
    own = grids.geometry.reindex(members["grid_id"]).to_numpy()
    assert shapely.covers(own, members.geometry.to_numpy()).all()


def test_compounds_inside_one_grid_and_community(layers):
    compounds = layers["compounds"]
    grids = layers["grids"].set_index("id")
    inside = grids.geometry.reindex(compounds["grid_id"]).to_numpy()
    assert shapely.covers(inside, compounds.geometry.to_numpy()).all()
    community_of_grid = grids["community_id"].reindex(compounds["grid_id"]).to_numpy()
    assert (community_of_grid == compounds["community_id"].to_numpy()).all()


def test_every_compound_has_its_five_attached_records(layers):
    compounds = layers["compounds"]
    for name in ("party_branches", "owners_committees", "supervisory_committees"):
        assert sorted(layers[name]["compound_id"]) == sorted(compounds["id"]), name
    assert compounds["property_firm_id"].isin(layers["property_firms"]["id"]).all()
    assert compounds["party_instructor_id"].isin(layers["party_instructors"]["id"]).all()
    assert set(layers["party_instructors"]["kind"]) == {"community_worker", "law_enforcement"}


def test_owners_committees_since_2021_07(layers):
    owners = layers["owners_committees"]
    new = owners[owners["term_start"] >= pd.Timestamp("2021-07-01")]
    assert len(new) == 8
    assert ((new["party_seats"] / new["seats"]) > 0.5).all()
    assert int(owners["one_shoulder"].sum()) == 6
    secretaries = layers["party_branches"].set_index("compound_id")["secretary_name"]
    same = owners["director_name"].to_numpy() == secretaries.reindex(owners["compound_id"]).to_numpy()
    assert (same == owners["one_shoulder"].to_numpy()).all()


def test_floor_area_and_every_row_marked_sample(layers, sample_store):
    area = layers["service_positions"]["floor_area_m2"].sum()
    assert 2400 <= area < 2500
    for name, frame in layers.items():
        if len(frame) and name not in ("audit", "accounts", "scenarios", "import_log"):
            assert frame["is_sample"].all(), name
    assert sample_store.is_sample


def test_same_seed_same_contents_other_seed_same_counts():
    first, second, other = generate(seed=7), generate(seed=7), generate(seed=8)
    for name in first:
        assert frame_digest(first[name]) == frame_digest(second[name]), name
        if name not in ("workflow_events", "meta"):  # steps per order vary with the draw
            assert len(first[name]) == len(other[name]), name
    assert frame_digest(first["members"]) != frame_digest(other["members"])
    assert frame_digest(first["grids"]) != frame_digest(other["grids"])


def test_scale_multiplies_counts():
    big = generate(seed=3, scale=2)
    assert len(big["grids"]) == 762
    assert len(big["compounds"]) == 136
    assert len(big["members"]) == 9520
    assert np.isclose(big["service_positions"]["tier"].eq("point").sum(), 48)


def test_members_report_only_after_joining_the_party(layers):
    """Issue #25: nobody reports (报到) to a community before joining the Party."""
    members = layers["members"]
    joined = pd.to_datetime(members["joined_party"])
    reported = pd.to_datetime(members["reported_on"])
    early = members[reported <= joined]
    assert early.empty, early[["id", "joined_party", "reported_on"]].head().to_dict("records")


def test_community_names_are_unique_words_without_numbers(layers):
    names = layers["communities"]["name"]
    assert names.is_unique
    assert not names[names.str.contains(r"\d")].tolist()


def test_each_instructor_comes_from_the_compounds_own_community_or_street(layers):
    """A residents' committee (居委会) worker instructs compounds of that community only; a
    law-enforcement squad, compounds of its street."""
    compounds, instructors = layers["compounds"], layers["party_instructors"]
    community_name = dict(zip(layers["communities"]["id"], layers["communities"]["name"]))
    street_name = dict(zip(layers["streets"]["id"], layers["streets"]["name"]))
    office_of = dict(zip(instructors["id"], instructors["organisation"].astype(str)))
    wrong = []
    for row in compounds.itertuples():
        office = office_of[row.party_instructor_id]
        own = (f"{community_name[row.community_id]}居委会" if office.endswith("居委会")
               else f"{street_name[row.street_id]}中队")
        if not office.endswith(own):
            wrong.append((row.name, office))
    assert not wrong
