"""Sample regions: Huangyan alone (unchanged), Taizhou's 9 counties, Zhejiang's 90.

Every county runs its own network inside its real outline, sized by its area; ids never
collide across counties and every reference resolves; Huangyan's network is the same in every
region; a region is written county by county and reads back as generated.
"""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import hierarchy, schema
from geo.sample import DEFAULT_SEED, build_store, generate
from geo.sample.build import write_sample
from geo.sample.profile import (
    BASE_COUNTS,
    HUANGYAN_ADCODE,
    RATE_RANGES,
    profile_for,
    size_factor,
)
from geo.sample.regions import (
    COUNTIES_FILE,
    ZHEJIANG_FILE,
    county_network,
    county_rng,
    region_counties,
)
from geo.sample.storage import storage_frame
from geo.store import open_store
from geo.store.base import coerce, to_storage
from geo.validation import validate_dataset, validate_store

UNPREFIXED = {"districts", "counties", "streets", "communities", "grids", "meta"}
# Spatial layers and how a row reaches its street (then its district).
PLACED = ("streets", "communities", "grids", "compounds", "service_positions",
          "joint_duty_stations", "members")


@pytest.fixture(scope="module")
def huangyan():
    return generate()


@pytest.fixture(scope="module")
def taizhou():
    return generate(region="taizhou")


def _county_of(frames: dict, name: str) -> pd.Series:
    """The district (adcode) of every row of a spatial layer, through its references."""
    frame = frames[name]
    street_district = frames["streets"].set_index("id")["district_id"]
    if name == "streets":
        return frame["district_id"]
    if "street_id" in frame.columns:
        return frame["street_id"].map(street_district)
    if name == "members":
        street = frame["grid_id"].map(frames["grids"].set_index("id")["street_id"])
        return street.map(street_district)
    if name == "joint_duty_stations":
        street = frame["service_position_id"].map(
            frames["service_positions"].set_index("id")["street_id"])
        return street.map(street_district)
    raise AssertionError(name)


def _rows_of(frames: dict, name: str, adcode: str) -> pd.DataFrame:
    frame = frames[name]
    if name in PLACED:
        return frame[(_county_of(frames, name) == adcode).to_numpy()].reset_index(drop=True)
    if name == "districts":
        return frame[frame["id"] == adcode].reset_index(drop=True)
    prefix = "" if adcode == HUANGYAN_ADCODE else f"{adcode}-"
    ids = frame["id"].astype(str)
    if prefix:
        return frame[ids.str.startswith(prefix).to_numpy()].reset_index(drop=True)
    return frame[(~ids.str.contains("-", regex=False)).to_numpy()].reset_index(drop=True)


def _assert_same_rows(a: pd.DataFrame, b: pd.DataFrame, label: str) -> None:
    assert len(a) == len(b), label
    assert list(a.columns) == list(b.columns), label
    if "geometry" in a.columns:
        assert shapely.equals_exact(a.geometry.to_numpy(), b.geometry.to_numpy(), 0).all(), label
        a, b = pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True),
                                  check_dtype=False, obj=label)


def _assert_inside_outlines(frames: dict) -> None:
    # 1e-7° (1 cm), as test_sample.py allows: shapes are cut in metres, stored in degrees
    districts = frames["districts"]
    outlines = pd.Series(shapely.buffer(districts.geometry.to_numpy(), 1e-7),
                         index=districts["id"].to_numpy())
    shapely.prepare(outlines.to_numpy())
    for name in PLACED:
        frame = frames[name]
        county = _county_of(frames, name)
        assert county.notna().all(), name
        own = outlines.reindex(county).to_numpy()
        inside = shapely.covered_by(frame.geometry.to_numpy(), own)
        assert inside.all(), (name, frame.loc[~inside, "id"].head().tolist())


def _assert_references_resolve(frames: dict) -> None:
    for name, frame in frames.items():
        assert frame["id"].is_unique, name
        for f in schema.layer(name).fields:
            if f.ref and f.name in frame.columns:
                values = frame[f.name].dropna()
                missing = ~values.isin(frames[f.ref]["id"])
                assert not missing.any(), (name, f.name, values[missing].head().tolist())
    events = frames["workflow_events"]
    for layer in ("service_orders", "cases"):
        objects = events.loc[events["object_layer"] == layer, "object_id"]
        assert objects.isin(frames[layer]["id"]).all(), layer


# ---------------------------------------------------------------- huangyan
def test_huangyan_keeps_the_article_figures_and_gains_its_city(huangyan):
    tiers = huangyan["service_positions"]["tier"].value_counts().to_dict()
    assert tiers == {"core": 1, "zone": 3, "station": 4, "point": 24}
    assert (len(huangyan["grids"]), len(huangyan["compounds"]), len(huangyan["members"])) == (
        381, 68, 4760)
    district = huangyan["districts"].iloc[0]
    assert (district["id"], district["city"], district["city_adcode"], district["province"],
            district["province_adcode"]) == ("331003", "台州市", "331000", "浙江省", "330000")
    assert (huangyan["streets"]["district_id"] == "331003").all()
    meta = dict(zip(huangyan["meta"]["key"], huangyan["meta"]["value"]))
    assert meta["region"] == "huangyan"
    assert len(huangyan["counties"]) == len(gpd.read_file(COUNTIES_FILE))
    assert not any(huangyan[n]["id"].astype(str).str.contains("-").any() for n in huangyan)


# ---------------------------------------------------------------- taizhou
def test_taizhou_has_its_nine_counties_with_city_and_province(taizhou):
    expected = sorted(gpd.read_file(COUNTIES_FILE)["adcode"].astype(str))
    districts = taizhou["districts"]
    assert sorted(districts["id"]) == expected == sorted(districts["adcode"])
    assert set(districts["city"]) == {"台州市"} and set(districts["city_adcode"]) == {"331000"}
    assert set(districts["province"]) == {"浙江省"}
    assert set(districts["province_adcode"]) == {"330000"}
    assert sorted(taizhou["counties"]["adcode"]) == expected
    assert set(taizhou["streets"]["district_id"]) == set(expected)
    units = hierarchy.units(districts)
    city = hierarchy.find(units, "331000")
    # the city holds every county: it is the top (no province above that holds nothing else)
    assert city.level == hierarchy.CITY and city.parent is None
    assert hierarchy.top(units) == city and hierarchy.find(units, "330000") is None
    assert sorted(city.districts) == expected
    assert len(hierarchy.children(units, city)) == len(expected)


def test_every_county_row_lies_inside_its_own_outline(taizhou):
    _assert_inside_outlines(taizhou)


def test_ids_unique_across_counties_and_every_reference_resolves(taizhou):
    _assert_references_resolve(taizhou)
    assert taizhou["streets"]["code"].is_unique
    assert taizhou["property_firms"]["name"].is_unique
    for name in PLACED:
        county = _county_of(taizhou, name)
        ids = taizhou[name]["id"].astype(str)
        if name in UNPREFIXED:
            assert (ids.str[:6] == county).all(), name
            continue
        other = (county != HUANGYAN_ADCODE).to_numpy()
        assert (ids[other].str.split("-").str[0] == county[other]).all(), name
        assert not ids[~other].str.contains("-").any(), name


def test_huangyan_rows_in_taizhou_are_the_huangyan_sample(taizhou, huangyan):
    for name, frame in huangyan.items():
        if name in ("counties", "meta"):
            continue
        _assert_same_rows(_rows_of(taizhou, name, HUANGYAN_ADCODE), frame, name)


def test_each_county_sized_by_its_area(taizhou):
    counties = region_counties("taizhou")
    positions = taizhou["service_positions"]
    county_of_position = _county_of(taizhou, "service_positions")
    records = counties.to_dict("records")
    for record, row in zip(records, counties.itertuples()):
        f = size_factor(row.area_km2)
        expect = {k: max(1, round(v * f)) for k, v in BASE_COUNTS.items()}
        rates = profile_for(record, county_rng(row.adcode, DEFAULT_SEED)).rates
        if row.adcode != HUANGYAN_ADCODE:  # members per grid: the county's own rate
            expect["members"] = max(1, round(expect["members"] * rates["members"]))
        assert len(_rows_of(taizhou, "streets", row.adcode)) == max(4, expect["streets"])
        for name, key in (("communities", "communities"), ("grids", "grids"),
                          ("compounds", "compounds"), ("members", "members"),
                          ("volunteer_teams", "teams"), ("pairings", "pairings"),
                          ("property_firms", "firms")):
            assert len(_rows_of(taizhou, name, row.adcode)) == expect[key], (row.adcode, name)
        own = positions[(county_of_position == row.adcode).to_numpy()]
        tiers = own["tier"].value_counts().to_dict()
        assert tiers == {"core": 1, "zone": 3, "station": 4, "point": expect["points"]}
        kinds = own.loc[own["tier"] == "station", "kind"].value_counts().to_dict()
        assert kinds == {"pioneer_post": 2, "joint_duty_station": 2}
        if row.adcode != HUANGYAN_ADCODE:
            assert own.loc[own["tier"] == "core", "name"].tolist() == [f"{row.name}党群服务中心"]
            streets = _rows_of(taizhou, "streets", row.adcode)
            zones = set(own.loc[own["tier"] == "zone", "name"])
            assert zones == {f"{s}党群服务中心" for s in streets["name"][:3]}
            assert streets["name"].is_unique and streets["name"].str.endswith("街道").all()


def test_a_county_network_is_the_same_in_any_region_or_company(taizhou):
    alone = generate(region="zhejiang", counties=["331004"])
    for name in alone:
        if name in ("counties", "meta"):
            continue
        _assert_same_rows(alone[name], _rows_of(taizhou, name, "331004"), name)


# ---------------------------------------------------------------- zhejiang (a few counties)
def _zhejiang_picks() -> list[str]:
    """The smallest, the largest and the most fragmented (islands) county outside Taizhou."""
    frame = gpd.read_file(ZHEJIANG_FILE)
    frame = frame[frame["city_adcode"].astype(str) != "331000"]
    parts = frame.geometry.map(lambda g: len(getattr(g, "geoms", [g])))
    picks = [frame.loc[frame["area_km2_utm51n"].idxmin(), "adcode"],
             frame.loc[frame["area_km2_utm51n"].idxmax(), "adcode"],
             frame.loc[parts.idxmax(), "adcode"]]
    return sorted({str(p) for p in picks})


def test_zhejiang_counties_build_inside_their_outlines_and_validate():
    picks = _zhejiang_picks()
    frames = generate(region="zhejiang", counties=picks)
    reference = gpd.read_file(ZHEJIANG_FILE).set_index(
        gpd.read_file(ZHEJIANG_FILE)["adcode"].astype(str))
    districts = frames["districts"].set_index("id")
    assert sorted(districts.index) == picks
    for adcode in picks:
        assert districts.loc[adcode, "city"] == reference.loc[adcode, "city"]
        assert districts.loc[adcode, "province"] == "浙江省"
    assert len(frames["counties"]) == len(reference)
    _assert_inside_outlines(frames)
    _assert_references_resolve(frames)
    stored = {name: coerce(name, frame) for name, frame in frames.items()}
    assert validate_dataset(stored) == []


# ---------------------------------------------------------------- writing
def test_region_store_written_in_batches_reads_back_as_generated(tmp_path, monkeypatch):
    counties = ["331002", "331003", "331004"]
    monkeypatch.setattr("geo.sample.build.BATCH_ROWS", 20_000)  # several appended batches
    store = build_store(tmp_path / "tz.gpkg", region="taizhou", counties=counties, workers=2)
    frames = generate(region="taizhou", counties=counties)
    for name, frame in frames.items():
        expected = coerce(name, to_storage(name, frame)).sort_values("id", ignore_index=True)
        loaded = store.load(name).sort_values("id", ignore_index=True)
        if "geometry" in expected.columns:
            assert shapely.equals_exact(expected.geometry.to_numpy(),
                                        loaded.geometry.to_numpy(), 0).all(), name
            expected, loaded = (pd.DataFrame(f.drop(columns="geometry"))
                                for f in (expected, loaded))
        pd.testing.assert_frame_equal(loaded, expected, obj=name)
    assert store.meta()["region"] == "taizhou" and store.is_sample
    assert validate_store(store) == []


def test_write_sample_counts_what_it_wrote(tmp_path):
    store = open_store(tmp_path / "hy.gpkg")
    counts = write_sample(store, 7, 1, "huangyan")
    assert counts == {name: len(store.load(name)) for name in store.layer_names()
                      if len(store.load(name))}


def test_storage_frame_converts_as_the_store_does():
    row = region_counties("taizhou", ["331083"]).iloc[0].to_dict()
    frames = county_network(row, 5, 1)
    for name, frame in frames.items():
        ours, theirs = storage_frame(name, frame), to_storage(name, frame)
        assert list(ours.columns) == list(theirs.columns), name
        for column in theirs.columns:
            if column == "geometry":
                assert shapely.equals_exact(ours.geometry.to_numpy(),
                                            theirs.geometry.to_numpy(), 0).all()
                continue
            a, b = (s.astype(object).where(s.notna(), None).tolist()
                    for s in (ours[column], theirs[column]))
            assert a == b, (name, column)
            assert str(ours[column].dtype) in (str(theirs[column].dtype), "str"), (name, column)


def test_unknown_region_or_county_is_refused():
    with pytest.raises(ValueError):
        region_counties("jiangsu")
    with pytest.raises(ValueError):
        region_counties("taizhou", ["330102"])  # Hangzhou's, not Taizhou's
    result = subprocess.run([sys.executable, "-m", "geo.cli", "sample", "--region", "jiangsu"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2 and "--region" in result.stderr


@pytest.mark.slow
def test_the_province_builds_and_validates(tmp_path):
    out = tmp_path / "zj.gpkg"
    result = subprocess.run([sys.executable, "-m", "geo.cli", "sample", "--region", "zhejiang",
                             "--out", str(out)], capture_output=True, text=True, timeout=900,
                            check=False)
    assert result.returncode == 0, result.stderr
    store = open_store(out)
    districts = store.load("districts")
    assert len(districts) == len(gpd.read_file(ZHEJIANG_FILE))
    assert set(districts["province"]) == {"浙江省"}
    assert validate_store(store) == []
    members = store.load("members")
    assert np.isclose(len(members), sum(
        max(1, round(BASE_COUNTS["members"] * size_factor(a)))
        for a in region_counties("zhejiang")["area_km2"]))


def test_counties_have_their_own_rates_within_the_ranges(taizhou):
    """Issue #25: members per grid, the four-disclosure rate and satisfaction differ between
    counties (seeded), each near RATE_RANGES; Huangyan keeps the article's figures."""
    from geo.unit_figures import district_counts

    counts = district_counts(taizhou)
    rates = pd.DataFrame({
        "members": counts["members"] / counts["grids"],
        "disclosure_now": counts["disclosed"] / counts["disclosures"],
        "satisfaction": counts["satisfied"] / counts["satisfaction_answers"]})
    others = rates.drop(index=HUANGYAN_ADCODE)
    assert len(others) == len(region_counties("taizhou")) - 1
    base = {"members": BASE_COUNTS["members"] / BASE_COUNTS["grids"], "disclosure_now": 1.0,
            "satisfaction": 1.0}
    for column in others.columns:
        shown = others[column].round(3 if column != "members" else 1)
        assert shown.nunique() >= len(others) // 2, (column, shown.to_dict())
        low, high = RATE_RANGES[column]
        slack = 0.02  # whole rows and answers round the drawn rate
        assert others[column].between(base[column] * low - slack,
                                      base[column] * high + slack).all(), others[column]
    assert round(rates.loc[HUANGYAN_ADCODE, "members"], 1) == round(base["members"], 1)
