"""#14 defect 9 on the pages (AppTest): an unknown compound id, the overload threshold shown
in its box, clearing the street clears the grid, names instead of grid codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_grid_coverage import build_grid_store

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
    assert [w.value for w in at.warning] == ["未找到该小区:C999"]
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
    assert [m.value for m in at.metric][0] == "4"  # every grid again


def test_grid_table_has_no_raw_values(grid_store):
    at = _open("grids")
    table = next(d.value for d in at.dataframe if "网格名称" in d.value.columns)
    text = table.astype(str).to_csv()
    assert "None" not in text and "nan" not in text
    per_member = [v for v in table["户/党员"] if v != "—"]
    assert all(len(v.split(".")[-1]) == 1 for v in per_member)  # one decimal
