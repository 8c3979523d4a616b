"""AppTest on the Taizhou sample (9 counties): the unit in the URL and the picker cut every
figure to the unit; the city's overview lists its counties with figures that equal sums
counted here straight from the store (not through geo.hierarchy)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.data import UNIT_STATE
from geo.store import ENV_URL, open_store

CITY, HUANGYAN = "331000", "331003"
TIMEOUT_S = 180


@pytest.fixture(scope="module")
def taizhou(taizhou_store_path):
    return open_store(taizhou_store_path)


@pytest.fixture
def on_taizhou(taizhou_store_path, monkeypatch, app_first):
    monkeypatch.setenv(ENV_URL, str(taizhou_store_path))


def expected(store, district_ids) -> dict:
    """Counts of the districts ``district_ids``, from the layers' own columns."""
    streets = store.load("streets")
    street_ids = set(streets.loc[streets["district_id"].isin(district_ids), "id"])
    grids = store.load("grids")
    grids = grids[grids["street_id"].isin(street_ids)]
    compounds = store.load("compounds")
    members = store.load("members")
    positions = store.load("service_positions")
    return {
        "compounds": int(compounds["street_id"].isin(street_ids).sum()),
        "grids": len(grids),
        "members": int(members["grid_id"].isin(set(grids["id"])).sum()),
        "positions": int((positions["street_id"].isin(street_ids)
                          & (positions["status"] == "existing")).sum()),
    }


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _number(text: str) -> int:
    return int(str(text).replace(",", "").replace(" ", ""))


def _app(unit: str | None = None) -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT_S)
    if unit:
        at.query_params["unit"] = unit
    return at


def test_the_city_lists_its_counties_with_their_own_figures(taizhou, on_taizhou):
    at = _app().run()  # no unit asked: the top unit (the city)
    assert not at.exception
    assert at.session_state[UNIT_STATE] == CITY
    assert at.query_params["unit"] == CITY
    districts = taizhou.load("districts")
    whole = expected(taizhou, list(districts["id"]))
    metrics = _metrics(at)
    assert _number(metrics["物业小区"]) == whole["compounds"]
    assert _number(metrics["社区网格"]) == whole["grids"]
    assert _number(metrics["在职党员下沉网格"]) == whole["members"]
    table = at.dataframe[0].value
    assert len(table) == len(districts) == 9
    for _, row in districts.iterrows():
        shown = table[table["名称"] == row["name"]].iloc[0]
        own = expected(taizhou, [row["id"]])
        assert _number(shown["小区"]) == own["compounds"], row["name"]
        assert _number(shown["网格"]) == own["grids"], row["name"]
        assert _number(shown["党员"]) == own["members"], row["name"]
        assert _number(shown["阵地"]) == own["positions"], row["name"]


def test_a_county_from_the_url_behaves_like_the_district_alone(taizhou, on_taizhou):
    at = _app(HUANGYAN).run()
    assert not at.exception
    own = expected(taizhou, [HUANGYAN])
    metrics = _metrics(at)
    assert _number(metrics["物业小区"]) == own["compounds"] == 68
    assert _number(metrics["社区网格"]) == own["grids"] == 381
    assert _number(metrics["在职党员下沉网格"]) == own["members"] == 4760
    streets = at.multiselect(key="ov_streets").options
    assert len(streets) == 8  # Huangyan's own streets only
    assert any("返回上一级" in b.label for b in at.button)


def test_drill_down_and_back_up_with_the_picker_and_the_breadcrumb(taizhou, on_taizhou):
    at = _app().run()
    names = dict(zip(taizhou.load("districts")["id"], taizhou.load("districts")["name"]))
    at.selectbox(key="unit_child_pick").select(HUANGYAN).run()
    at.button(key="unit_open").click().run()
    assert not at.exception
    assert at.session_state[UNIT_STATE] == HUANGYAN
    assert at.query_params["unit"] == HUANGYAN
    assert at.selectbox(key="hongtu_unit_pick").value == HUANGYAN
    at.button(key=f"unit_up_{CITY}").click().run()
    assert at.session_state[UNIT_STATE] == CITY
    assert len(at.dataframe[0].value) == len(names)
    at.selectbox(key="hongtu_unit_pick").select("331002").run()  # the picker: 椒江区
    assert at.session_state[UNIT_STATE] == "331002"
    assert _number(_metrics(at)["物业小区"]) == expected(taizhou, ["331002"])["compounds"]


def test_pages_cut_to_a_county_show_only_its_rows(taizhou, on_taizhou):
    at = _app("331002").run()
    at.switch_page("views/grids.py").run()
    assert not at.exception
    streets = taizhou.load("streets")
    own = set(streets.loc[streets["district_id"] == "331002", "id"])
    offered = [s for s in at.selectbox(key="grids_street").options if s != "全部"]
    assert len(offered) == len(own) > 0


def test_the_big_screen_steps_through_the_counties_of_its_unit(taizhou, on_taizhou):
    from components import screen_units

    districts = taizhou.load("districts").sort_values("id")
    at = _app(CITY)
    at.query_params["rotate"] = "counties"
    at.query_params["county_interval"] = "30"
    at.switch_page("views/big_screen.py").run()
    assert not at.exception
    first, second = districts["name"].iloc[0], districts["name"].iloc[1]
    titles = " ".join(h.value for h in at.html)
    assert f"{first}城市小区党建" in titles
    at.session_state[screen_units.SINCE_STATE] = -1e9  # the interval has passed
    at.run()
    assert at.session_state[UNIT_STATE] == districts["id"].iloc[1]
    assert f"{second}城市小区党建" in " ".join(h.value for h in at.html)


@pytest.mark.parametrize("page", ["views/compound.py", "views/planner.py", "views/grids.py",
                                  "views/orders.py", "views/big_screen.py"])
def test_every_page_runs_for_the_whole_city(taizhou, on_taizhou, page):
    at = _app(CITY)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]
    assert at.session_state[UNIT_STATE] == CITY


def test_orders_of_a_city_are_broken_down_by_county(taizhou, on_taizhou):
    from geo import kpis

    frames = {n: taizhou.load(n) for n in (*kpis.KPI_LAYERS, "districts")}
    table = kpis.by_area(frames, "district").set_index("district")
    streets = frames["streets"].set_index("id")["district_id"]
    compound_county = frames["compounds"].set_index("id")["street_id"].map(streets)
    counted = frames["service_orders"]["compound_id"].map(compound_county).value_counts()
    assert table["orders"].to_dict() == counted.to_dict()
    assert set(table["name"]) == set(frames["districts"]["name"])
    at = _app(CITY)
    at.switch_page("views/orders.py").run()
    assert not at.exception
    assert "各区县工单与事件" in [c.value for c in at.caption]


def test_a_unit_in_the_url_that_is_not_a_unit_is_said_not_silently_replaced(on_taizhou):
    at = _app("[x](http://evil.example)").run()
    assert not at.exception
    warnings = [w.value for w in at.warning if "unit=" in w.value]
    assert len(warnings) == 1 and "不是本系统的行政单元" in warnings[0]
    assert "`[x](http://evil.example)`" in warnings[0]  # a code span: never a link
    assert at.query_params["unit"] == CITY
