"""Promoting a scenario (采纳为规划阵地): idempotent, never counted in the existing network's
figures (headline, big screen tiles, coverage), drawn with their own symbol and "规划" tooltip,
legend showing them apart."""

from __future__ import annotations

import json

import pytest

from components import legend
from components.map_payloads import positions_payload
from geo import coverage as cov
from geo import network
from geo import scenarios as sc

CANDIDATES = [
    {"id": "X1", "name": "规划点一", "tier": "point", "lon": 121.262, "lat": 28.642},
    {"id": "X2", "name": "规划点二", "tier": "point", "lon": 121.281, "lat": 28.655},
    {"id": "X3", "name": "规划站", "tier": "station", "lon": 121.240, "lat": 28.630},
]


@pytest.fixture
def promoted(writable_sample_store):
    store = writable_sample_store
    before = network.headline_figures({n: store.load(n) for n in _HEAD})
    scenario = sc.Scenario("东片补点", 500.0, [dict(c) for c in CANDIDATES])
    sc.save_scenario(store, scenario)
    first = sc.promote(store, scenario)
    return store, scenario, before, first


_HEAD = ("compounds", "party_branches", "grids", "members", "service_positions", "events",
         "disclosures")


def test_promoting_twice_writes_nothing_new(promoted):
    store, scenario, _before, first = promoted
    assert len(first) == 3
    audit_rows = len(store.load("audit"))
    assert sc.promote(store, scenario) == []  # the same scenario again
    again = sc.Scenario("同样的点,另一个方案", 800.0, [dict(c) for c in CANDIDATES[:2]])
    assert sc.promote(store, again) == []  # the same spots from another scenario
    positions = store.load("service_positions")
    assert (positions["status"] == "planned").sum() == 3
    assert len(store.load("audit")) == audit_rows  # nothing written, nothing audited
    assert sc.promoted_already(scenario, positions) == 3


def test_planned_positions_never_count_in_the_network_figures(promoted):
    store, _scenario, before, _first = promoted
    after = network.headline_figures({n: store.load(n) for n in _HEAD})
    assert after["positions"] == before["positions"] == 32
    assert after["positions_by_tier"] == before["positions_by_tier"]
    assert after["floor_area_m2"] == before["floor_area_m2"]
    assert after["planned_positions"] == 3 and before["planned_positions"] == 0
    tiers = after["positions_by_tier"]  # what the big screen tile prints
    assert f"{tiers['core']}·{tiers['zone']}·{tiers['station']}·{tiers['point']}" == "1·3·4·24"
    # coverage of the existing network leaves them out unless the planner asks for them
    positions = store.load("service_positions")
    assert (cov.supply_points(positions)[cov.STATUS] == "existing").all()
    with_planned = cov.supply_points(positions, include_planned=True)
    assert (with_planned[cov.STATUS] == "planned").sum() == 3
    # a compound's nearest positions are built ones
    compound = store.load("compounds").iloc[0]
    nearest = network.nearest_positions(compound.geometry, positions, n=40)
    assert not set(nearest["id"]) & set(positions.loc[positions["status"] == "planned", "id"])


def test_planned_positions_look_different_on_the_map_and_in_the_legend(promoted):
    store, _scenario, _before, first = promoted
    positions = store.load("service_positions")
    positions["street_name"] = positions["street_id"]
    features = {f["properties"]["id"]: f["properties"]
                for f in positions_payload(positions)["features"]}
    for pid in first:
        props = features[pid]
        assert props["symbol"].endswith(".planned") and props["status"] == "planned"
        assert "规划" in props["tip"]
    built = next(p for p in features.values() if p["status"] == "existing")
    assert built["symbol"] == built["tier"] and "规划" not in built["tip"]
    symbols = legend.tier_symbol_options()
    assert symbols["point.planned"]["svg"] != symbols["point"]["svg"]
    assert "stroke-dasharray" in symbols["point.planned"]["svg"]
    json.dumps(symbols)  # handed to the map's script as JSON


def test_legend_lists_planned_positions_apart(promoted):
    class Classes:
        def ranges(self, lowest):
            return [(0.0, 1.0)]

        def counts(self):
            return [381]

    html = legend.legend_html(Classes(), 0.0, "disclosure", {legend.PLANNED: 3})
    assert "规划阵地" in html and "(3)" in html
    assert "规划阵地" not in legend.legend_html(Classes(), 0.0, "disclosure", {})


def test_a_position_without_floor_area_still_draws(sample_store):
    """A missing floor area (or household count) shows the missing mark; the map's layer file
    is still written (a NaN used to raise in the overview and stop the page)."""
    positions = sample_store.load("service_positions").copy()
    positions["street_name"] = positions["street_id"]
    positions.loc[positions.index[0], "floor_area_m2"] = float("nan")
    features = positions_payload(positions)["features"]
    first = features[0]["properties"]
    assert "面积" in first["popup"] and "— m²" not in first["popup"] and "nan" not in first["popup"]
    assert all("m²" in f["properties"]["popup"] for f in features[1:])

