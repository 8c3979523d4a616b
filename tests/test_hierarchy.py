"""geo.hierarchy and geo.unit_figures on a hand-built three-county store (checkable by eye)."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from geo import hierarchy, unit_figures

# Two counties of one city (HY, JJ in 331000) and one of another city (SC in 330100).
DISTRICTS = gpd.GeoDataFrame({
    "id": ["331003", "331002", "330102"], "name": ["黄岩区", "椒江区", "上城区"],
    "adcode": ["331003", "331002", "330102"],
    "city": ["台州市", "台州市", "杭州市"], "city_adcode": ["331000", "331000", "330100"],
    "province": ["浙江省"] * 3, "province_adcode": ["330000"] * 3,
}, geometry=[box(121.0, 28.5, 121.3, 28.8), box(121.3, 28.5, 121.6, 28.8),
             box(120.1, 30.2, 120.3, 30.3)], crs="EPSG:4326")


def frames() -> dict:
    streets = pd.DataFrame({"id": ["S1", "S2", "S3", "S4"], "district_id": ["331003", "331003",
                                                                          "331002", "330102"]})
    grids = pd.DataFrame({"id": ["G1", "G2", "G3", "G4", "G5"],
                          "street_id": ["S1", "S2", "S3", "S4", "S4"],
                          "community_id": ["K1", "K2", "K3", "K4", "K4"]})
    compounds = pd.DataFrame({"id": ["C1", "C2", "C3"], "street_id": ["S1", "S3", "S4"],
                              "grid_id": ["G1", "G3", "G4"], "property_firm_id": ["F1", "F2", "F1"],
                              "party_instructor_id": ["I1", "I2", "I3"]})
    members = pd.DataFrame({"id": ["M1", "M2", "M3", "M4"], "grid_id": ["G1", "G1", "G3", "G5"]})
    orders = pd.DataFrame({"id": ["O1", "O2"], "compound_id": ["C1", "C3"], "grid_id": ["G1", "G4"]})
    cases = pd.DataFrame({
        "id": ["K1", "K2", "K3"], "compound_id": ["C1", "C2", "C2"], "grid_id": ["G1", "G3", "G3"],
        "closed_at": [pd.Timestamp("2022-01-02"), pd.Timestamp("2022-01-03"), None],
        "satisfied": [True, False, None]})
    return {
        "districts": DISTRICTS, "streets": streets, "grids": grids, "compounds": compounds,
        "members": members, "service_orders": orders, "cases": cases,
        "communities": pd.DataFrame({"id": ["K1", "K2", "K3", "K4"],
                                     "street_id": ["S1", "S2", "S3", "S4"]}),
        "property_firms": pd.DataFrame({"id": ["F1", "F2", "F3"]}),
        "party_instructors": pd.DataFrame({"id": ["I1", "I2", "I3"]}),
        "workflow_events": pd.DataFrame({"id": ["W1", "W2", "W3"],
                                         "object_id": ["O1", "O2", "K2"]}),
        "service_positions": pd.DataFrame({"id": ["P1", "P2", "P3"], "street_id": ["S1", "S3", "S4"],
                                           "status": ["existing", "planned", "existing"]}),
        "disclosures": pd.DataFrame({"id": ["D1", "D2", "D3", "D4"],
                                     "compound_id": ["C1", "C1", "C3", "C1"],
                                     "month": ["2022-04", "2022-03", "2022-02", "2021-12"],
                                     "disclosed": [True, False, True, True]}),
        "meta": pd.DataFrame({"key": ["as_of"], "value": ["2022-04-24"]}),
        "counties": DISTRICTS,
    }


def test_units_are_province_cities_and_counties_top_down():
    units = hierarchy.units(DISTRICTS)
    assert [(u.code, u.level) for u in units] == [
        ("330000", "province"), ("330100", "city"), ("330102", "county"),
        ("331000", "city"), ("331002", "county"), ("331003", "county")]
    by_code = {u.code: u for u in units}
    assert by_code["331000"].districts == ("331002", "331003")
    assert by_code["331003"].parent == "331000" and by_code["331000"].parent == "330000"
    assert hierarchy.top(units).code == "330000"
    assert [u.code for u in hierarchy.children(units, by_code["330000"])] == ["330100", "331000"]
    assert [u.code for u in hierarchy.breadcrumb(units, by_code["331003"])] == [
        "330000", "331000", "331003"]


def test_one_district_without_city_is_its_own_top():
    one = DISTRICTS.iloc[[0]].drop(columns=["city", "city_adcode", "province", "province_adcode"])
    units = hierarchy.units(one)
    assert [(u.code, u.level) for u in units] == [("331003", "county")]
    streets = pd.DataFrame({"id": ["S1"], "district_id": [None]})
    assert hierarchy.street_districts(streets, one).to_dict() == {"S1": "331003"}


def test_a_county_keeps_its_own_rows_through_every_reference():
    data = frames()
    keys = hierarchy.unit_keys(data, ["331003"])
    cut = {name: hierarchy.filter_layer(name, frame, keys) for name, frame in data.items()}
    assert list(cut["streets"]["id"]) == ["S1", "S2"]
    assert list(cut["grids"]["id"]) == ["G1", "G2"]
    assert list(cut["members"]["id"]) == ["M1", "M2"]
    assert list(cut["compounds"]["id"]) == ["C1"]
    assert list(cut["service_orders"]["id"]) == ["O1"]
    assert list(cut["cases"]["id"]) == ["K1"]
    assert list(cut["workflow_events"]["id"]) == ["W1"]
    assert list(cut["property_firms"]["id"]) == ["F1"]  # the firm its compound points at
    assert list(cut["party_instructors"]["id"]) == ["I1"]
    assert list(cut["disclosures"]["id"]) == ["D1", "D2", "D4"]
    assert len(cut["counties"]) == 3  # context: the same in every unit


def test_a_city_is_the_union_of_its_counties():
    data = frames()
    city = hierarchy.unit_keys(data, ["331002", "331003"])
    parts = [hierarchy.unit_keys(data, [d]) for d in ("331002", "331003")]
    for layer in ("streets", "grids", "members", "compounds", "service_orders", "cases"):
        assert city[layer] == parts[0][layer] | parts[1][layer], layer
        assert not parts[0][layer] & parts[1][layer], layer


def test_unit_figures_sum_the_districts_and_take_rates_of_sums():
    data = frames()
    counts = unit_figures.district_counts(data)
    assert counts.loc["331003"].to_dict() == {
        "compounds": 1, "grids": 2, "grids_covered": 1, "members": 2, "positions": 1,
        "disclosures": 2, "disclosed": 1, "satisfaction_answers": 1, "satisfied": 1}
    assert counts.loc["331002", "positions"] == 0  # its one position is only planned
    units = hierarchy.units(DISTRICTS)
    table = unit_figures.unit_table(counts, units, ["331000", "330000"]).set_index("code")
    assert table.loc["331000", "grids"] == 3 and table.loc["331000", "grids_covered"] == 2
    assert table.loc["331000", "coverage"] == pytest.approx(66.7)
    assert table.loc["331000", "satisfaction"] == pytest.approx(50.0)
    assert table.loc["330000", "members"] == len(data["members"])
    assert table.loc["330000", "members_per_grid"] == pytest.approx(4 / 5)


def test_rate_classes_rank_values_and_leave_gaps_grey():
    classes = unit_figures.rate_class(pd.Series([10.0, None, 30.0, 20.0]), k=3)
    assert list(classes) == [0, -1, 2, 1]


def test_unit_shapes_merge_the_districts_of_a_city():
    units = hierarchy.units(DISTRICTS)
    shapes = unit_figures.unit_shapes(DISTRICTS, units, ["331000", "330102"])
    assert list(shapes["name"]) == ["台州市", "上城区"]
    assert shapes.geometry.iloc[0].bounds == pytest.approx((121.0, 28.5, 121.6, 28.8), abs=1e-5)


def test_a_store_of_one_city_starts_at_the_city():
    taizhou = DISTRICTS.iloc[:2]
    units = hierarchy.units(taizhou)
    assert [(u.code, u.parent) for u in units] == [
        ("331000", None), ("331002", "331000"), ("331003", "331000")]
    assert hierarchy.top(units).code == "331000"


@pytest.mark.postgis
def test_postgis_keeps_the_hierarchy_columns(postgis_store):
    """Districts' city and province and streets' district (columns the schema gained) round-
    trip through PostGIS, and the units and a unit's cut come out as from a GeoPackage."""
    districts = DISTRICTS.iloc[[0, 2]]
    streets = gpd.GeoDataFrame({"id": ["331003001", "330102001"], "name": ["东城", "湖滨"],
                                "code": ["331003001", "330102001"],
                                "district_id": ["331003", "330102"]},
                               geometry=[box(121.2, 28.6, 121.3, 28.7), box(120.1, 30.2, 120.2,
                                                                          30.3)], crs="EPSG:4326")
    postgis_store.write_layers({"districts": districts, "streets": streets})
    loaded = postgis_store.load("districts")
    units = hierarchy.units(loaded)
    assert [u.code for u in units] == ["330000", "330100", "330102", "331000", "331003"]
    keys = hierarchy.unit_keys({"districts": loaded, "streets": postgis_store.load("streets")},
                               ["331003"])
    assert keys["streets"] == {"331003001"}


def test_breadcrumb_goes_up_one_level_and_names_the_higher_ones(monkeypatch):
    """On a county of a province with two cities: "返回上一级" is the city (one level up); the
    province is a button with its name only; the buttons and the county's label are centred
    on one line (issue #25, point 7)."""
    from streamlit.testing.v1 import AppTest

    import components.units
    from components.i18n import t

    monkeypatch.setattr(components.units, "all_units", lambda: hierarchy.units(DISTRICTS))

    def script():
        from components import units, units_view
        from geo import hierarchy

        units_view.breadcrumb(hierarchy.find(units.all_units(), "331003"))

    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception
    assert {b.key: b.label for b in at.button} == {
        "unit_up_331000": t("unit.up", name="台州市"), "unit_up_330000": "浙江省"}
    assert "黄岩区" in " ".join(m.value for m in at.markdown)
    assert all(c.proto.vertical_alignment == c.proto.VerticalAlignment.CENTER
               for c in at.columns)
    at.button(key="unit_up_331000").click().run()
    assert at.query_params["unit"] in ("331000", ["331000"])
