"""AppTest: the overview and compound pages run on a tiny store and show its figures."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_network import build_tiny_store

from geo.store import ENV_URL

TIMEOUT_S = 60
PAGES = Path(__file__).resolve().parents[1] / "views"
OVERVIEW, COMPOUND = str(PAGES / "overview.py"), str(PAGES / "compound.py")


@pytest.fixture
def tiny_url(tmp_path, monkeypatch):
    path = tmp_path / "tiny.gpkg"
    build_tiny_store(path)
    monkeypatch.setenv(ENV_URL, str(path))
    return str(path)


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_overview_headline_equals_the_store(tiny_url):
    at = AppTest.from_file(OVERVIEW, default_timeout=TIMEOUT_S).run()
    assert not at.exception
    metrics = _metrics(at)
    assert metrics["物业小区"] == "3"
    assert metrics["社区网格"] == "3"
    assert metrics["在职党员下沉网格"] == "4"
    assert metrics["党群服务阵地"] == "4"
    assert metrics["阵地面积(m²)"] == "830"  # 500 + 200 + 100 + 30.5, rounded
    assert metrics["阵地活动"] == "2"
    coverage = next(m for m in at.metric if m.label == "物业小区")
    assert "66.7%" in coverage.proto.delta


def test_overview_search_opens_the_compound_panel(tiny_url):
    at = AppTest.from_file(OVERVIEW, default_timeout=TIMEOUT_S).run()
    at.text_input(key="ov_query").input("yyhf").run()
    assert not at.exception
    assert at.query_params["compound"] == "C1"
    texts = " ".join(m.value for m in at.markdown)
    assert "台州市黄岩永安物业服务有限公司" in texts
    assert "永悦华府" in [h.value for h in at.subheader]


def test_overview_filters_go_into_the_url(tiny_url):
    at = AppTest.from_file(OVERVIEW, default_timeout=TIMEOUT_S)
    at.query_params["street"] = "S2"
    at.query_params["indicator"] = "red_property"
    at.run()
    assert not at.exception
    assert at.multiselect(key="ov_streets").value == ["S2"]
    assert at.selectbox(key="ov_indicator").value == "red_property"
    at.multiselect(key="ov_tiers").select("core").run()
    assert at.query_params["tier"] == "core"
    assert at.query_params["street"] == "S2"


def test_compound_page_by_id_masks_names(tiny_url):
    at = AppTest.from_file(COMPOUND, default_timeout=TIMEOUT_S)
    at.query_params["id"] = "C1"
    at.run()
    assert not at.exception
    assert at.subheader[0].value == "永悦华府"
    captions = html.unescape(" ".join(c.value for c in at.caption))  # as the browser shows it
    assert "乔*梅" in captions and "乔红梅" not in captions  # branch secretary, masked
    texts = " ".join(m.value for m in at.markdown)
    assert "台州市黄岩永安物业服务有限公司" in texts
    assert len(at.dataframe) >= 3  # grids, members, nearest positions, disclosures


def test_compound_page_unknown_id_warns(tiny_url):
    at = AppTest.from_file(COMPOUND, default_timeout=TIMEOUT_S)
    at.query_params["id"] = "C404"
    at.run()
    assert not at.exception
    assert "C404" in at.warning[0].value


@pytest.mark.parametrize("floor, maps", [("1", 0), ("map", 1)])
def test_benchmark_reference_pages(tiny_url, monkeypatch, floor, maps):
    """benchmarks/bench_map.py's floor (title only) and its empty-map reference run in app.py."""
    monkeypatch.setenv("HONGTU_BENCHMARK_FLOOR", floor)
    at = AppTest.from_file(str(PAGES.parent / "app.py"), default_timeout=TIMEOUT_S).run()
    assert not at.exception
    assert [title.value for title in at.title] == ["红图 · 黄岩小区党建网络"]
    assert not at.metric  # no overview body
    frames = [e for e in at.main if getattr(e, "type", "") == "component_instance"]
    assert len(frames) == maps
    if maps:
        assert "window.hongtuBare = Date.now();" in frames[0].proto.json_args
