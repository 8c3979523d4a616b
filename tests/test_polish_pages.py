"""#14 defect 9 on the pages (AppTest): an unknown compound id, the overload threshold shown
in its box, clearing the street clears the grid, names instead of grid codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import folium
import pytest
from streamlit.testing.v1 import AppTest
from test_grid_coverage import build_grid_store

from components import network_map
from components.i18n import t
from geo import grid_coverage as gc
from geo.store import ENV_URL

VIEWS = Path(__file__).resolve().parents[1] / "views"


@pytest.fixture
def grid_store(tmp_path, monkeypatch):
    store = build_grid_store(tmp_path / "grids.gpkg")
    monkeypatch.setenv(ENV_URL, store.url)
    return store


def _open(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(VIEWS / f"{page}.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_unknown_compound_shows_no_other_compound_and_keeps_the_url(grid_store):
    at = _open("compound", id="C999")
    assert not at.exception
    assert [w.value for w in at.warning] == ["未找到该小区:`C999`"]  # the id shown inert (code span)
    first = grid_store.load("compounds")["name"].iloc[0]
    assert first not in [s.value for s in at.subheader]  # no compound shown in its place
    assert at.selectbox(key="cp_choice").value is None
    assert at.query_params["id"] == "C999"
    at.selectbox(key="cp_choice").set_value("k2").run()
    assert "书香园" in [s.value for s in at.subheader]
    assert at.query_params["id"] == "k2"


def test_compound_members_show_grid_names(grid_store):
    at = _open("compound", id="k1")
    assert not at.exception
    members = [d.value for d in at.dataframe if "网格" in d.value.columns][-1]
    grid_names = set(grid_store.load("grids")["name"])
    assert set(members["网格"]) <= grid_names


def test_threshold_box_shows_the_threshold_in_use(grid_store):
    at = _open("grids")
    assert not at.exception
    used = gc.grid_coverage(grid_store.load("grids"), grid_store.load("members"),
                            grid_store.load("compounds")).attrs["threshold"]
    assert at.number_input(key="grids_threshold").value == pytest.approx(used)
    assert f"{used:.0f}" in " ".join(c.value for c in at.caption)


def test_clearing_the_street_clears_community_and_grid(grid_store):
    at = _open("grids", grid="C")
    assert at.selectbox(key="grids_grid").value == "C"
    at.selectbox(key="grids_street").set_value(None).run()
    assert not at.exception
    assert at.selectbox(key="grids_community").value is None
    assert at.selectbox(key="grids_grid").value is None
    assert next(m.value for m in at.metric) == "4"  # every grid again


def test_grid_table_has_no_raw_values(grid_store):
    at = _open("grids")
    at.selectbox(key="grids_community").set_value("c2").run()  # a community: its grids' table
    table = next(d.value for d in at.dataframe if "网格名称" in d.value.columns)
    assert table["网格名称"].tolist() == ["网格C", "网格D"]
    text = table.astype(str).to_csv()
    assert "None" not in text and "nan" not in text
    per_member = [v for v in table["户/党员"] if v != "—"]
    # to the hundredth, as the threshold it is compared with (83.55 in the sample district)
    assert per_member == ["60.00"]


def test_legend_counts_only_the_chosen_streets(grid_store):
    at = _open("overview", street="s2", indicator="disclosure")
    assert not at.exception
    legend = next(m.value for m in at.markdown if "全部公开" in m.value or "未公开" in m.value)
    counts = [int(n) for n in re.findall(r"\((\d+)\)", legend.split("小区着色")[-1])]
    in_street = (grid_store.load("compounds")["street_id"] == "s2").sum()
    assert sum(counts) == in_street < len(grid_store.load("compounds"))


def test_a_street_filter_moves_the_map_to_the_street_and_dims_the_others(grid_store):
    data = network_cache_free_map_data(grid_store)
    whole = network_map.fit_zoom(data.bounds)
    view = network_map.street_view(data, network_map.MapView(streets=("s1",)))
    minx, miny, maxx, maxy = data.streets[data.streets["id"] == "s1"].total_bounds
    assert miny <= view.center[0] <= maxy and minx <= view.center[1] <= maxx
    assert view.zoom >= whole
    groups = network_map.dynamic_groups(view, {k: f"{k}.json" for k in
                                               ("streets", "compounds", "positions")},
                                        list(data.streets["id"]))
    holder = folium.Map(tiles=None)
    for group in groups:
        group.add_to(holder)
    html = holder.get_root().render()
    assert len(groups) == 3 and "street_dim" in html
    assert '"filters":{"id":["s2"]}' in html.replace(" ", "")  # only the other street dimmed
    plain = network_map.dynamic_groups(network_map.MapView(), {k: f"{k}.json" for k in
                                                              ("streets", "compounds",
                                                               "positions")}, ["s1", "s2"])
    assert len(plain) == 2


def network_cache_free_map_data(store):
    from components.map_payloads import prepare

    names = ("counties", "districts", "streets", "communities", "grids", "members", "compounds",
             "party_branches", "property_firms", "disclosures", "service_positions",
             "joint_duty_stations")
    return prepare("test", {n: store.load(n) for n in names})


def test_maps_have_a_metric_scale_and_tiled_basemaps_say_when_tiles_fail():
    from components import basemaps
    from components.map_controls import add_metric_scale

    html = add_metric_scale(folium.Map(tiles=None)).get_root().render()
    assert "imperial: false" in html
    offline, osm = folium.Map(tiles=None), folium.Map(tiles=None)
    basemaps.add_tiles(offline, basemaps.basemap(basemaps.OFFLINE))
    basemaps.add_tiles(osm, basemaps.basemap(basemaps.OSM))
    assert "tileerror" not in offline.get_root().render()
    osm_html = osm.get_root().render()
    message = json.dumps(t("polish.map.tiles_failed"))  # as the page's script carries it
    assert "tileerror" in osm_html and message in osm_html


def test_compound_mini_map_is_centred_on_the_compound_with_context(grid_store, monkeypatch):
    from components import network_cache

    drawn = {}
    monkeypatch.setattr(network_map, "draw_map", lambda m, **_: drawn.setdefault("map", m))
    data = network_cache.map_data()
    detail, summary, _ = network_cache.compound("k1")
    network_map.render_compound_map(detail, summary["nearest"], data.positions, context=data)
    fmap = drawn["map"]
    html = fmap.get_root().render()
    (south, west), (north, east) = next(
        child.bounds for child in fmap._children.values() if type(child).__name__ == "FitBounds")
    centre = detail.geometry.centroid
    assert (south + north) / 2 == pytest.approx(centre.y) and (west + east) / 2 == pytest.approx(
        centre.x)
    grid = str(grid_store.load("grids").set_index("id").loc["A", "name"])
    assert grid in html or json.dumps(grid)[1:-1] in html  # context: the compound's grid
