"""English pages read English (issue #25, point 2): the compound page's grid line, members'
posts and duties, the working practice; order categories on the orders page and the big
screen's ticker. The English words come from components/strings/vocab.py."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.i18n import TEXT, t
from geo import screen
from geo import workflow as wf
from geo.store import ENV_URL

PAGES = Path(__file__).resolve().parents[1] / "views"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def sample_url(sample_store_path, monkeypatch):
    monkeypatch.setenv(ENV_URL, str(sample_store_path))
    return str(sample_store_path)


def test_every_fixed_data_word_has_english():
    from geo.sample.huangyan import NAMED
    from geo.sample.members import DUTIES, POSTS

    practices = {p for _, p, _ in NAMED.values() if p}
    words = {*POSTS, *DUTIES, *wf.ORDER_CATEGORIES, *wf.CASE_CATEGORIES, *practices}
    missing = sorted(w for w in words if f"vocab.{w}" not in TEXT)
    assert not missing
    assert not [w for w in words if CJK.search(t(f"vocab.{w}", "en"))]


def test_compound_page_in_english_has_no_chinese_words_of_its_own(sample_store, sample_url):
    compounds = sample_store.load("compounds")
    row = compounds[compounds["name"] == "永悦华府"].iloc[0]
    at = AppTest.from_file(str(PAGES / "compound.py"), default_timeout=90)
    at.session_state["lang"] = "en"
    at.query_params["id"] = row["id"]
    at.run()
    assert not at.exception
    captions = [html.unescape(c.value) for c in at.caption]  # as the browser shows them
    assert f"✦ {t('vocab.' + row['practice'], 'en')}" in captions
    assert not [c for c in captions if re.search(r"\b1 grids\b", c)]
    tables = [d.value for d in at.dataframe]
    posts = [tb for tb in tables if t("cp.col.post", "en") in tb.columns]
    assert posts, [list(tb.columns) for tb in tables]
    for column in (t("cp.col.post", "en"), t("cp.col.duty", "en")):
        values = posts[0][column].astype(str)
        assert not values.str.contains(CJK).any(), values.tolist()


def test_ticker_and_order_queue_categories_in_english(sample_store):
    layers = {name: sample_store.load(name) for name in
              ("compounds", "service_orders", "cases", "events", "service_positions")}
    items = screen.ticker_items(layers, limit=5, text=lambda key, **v: t(key, "en", **v))
    categories = set(wf.ORDER_CATEGORIES) | set(wf.CASE_CATEGORIES)
    assert items and not [i for i in items if any(c in i for c in categories)]
