"""The big screen: runs unattended, rotates its spotlight, fits 1920x1080, masks everyone."""

from __future__ import annotations

import re
import subprocess

import pytest
from fixtures_browser import folium_frame, wait_for_app
from streamlit.testing.v1 import AppTest

from geo import screen

PAGE = "../views/big_screen.py"


def personal_strings(store) -> set[str]:
    """Full names (3+ characters, so no ordinary word collides) and phone numbers."""
    values: set[str] = set()
    for layer, columns in (("members", ("name", "phone")),
                           ("party_branches", ("secretary_name",)),
                           ("owners_committees", ("director_name",)),
                           ("party_instructors", ("name", "phone")),
                           ("service_orders", ("requester_name", "requester_phone"))):
        frame = store.load(layer)
        for column in columns:
            values |= {v for v in frame[column].dropna() if len(v) >= 3}
    return values


def test_spotlight_rotation_and_cards_from_the_store(sample_store):
    layers = {n: sample_store.load(n) for n in sample_store.layer_names()}
    ids = screen.spotlight_ids(layers["compounds"], layers["service_positions"])
    named = layers["compounds"].set_index("id").loc[ids[:5], "name"].tolist()
    assert named == ["永悦华府", "世纪花园", "巨鼎港湾名府", "嘉丽阳光苑", "书香园"]
    assert len(ids) == 5 + 1 + 3 + 4
    assert screen.spotlight_ids(layers["compounds"], layers["service_positions"],
                                "P01, C002,nope") == ["P01", "C002"]
    card = screen.spotlight_card("C001", layers)
    branch = layers["party_branches"].set_index("compound_id").loc["C001"]
    text = " ".join(str(v) for _, v in card.lines)
    assert branch["name"] in text and branch["secretary_name"] not in text
    assert branch["secretary_name"][0] + "*" in text
    firm_id = layers["compounds"].set_index("id").loc["C001", "property_firm_id"]
    assert layers["property_firms"].set_index("id").loc[firm_id, "name"] in text
    ticker = screen.ticker_items(layers, limit=5)
    assert len(ticker) == 5 and ticker == sorted(ticker, reverse=True)


def test_page_runs_and_masks_everything(sample_store_path, sample_store, monkeypatch):
    monkeypatch.setenv("HONGTU_DATABASE_URL", str(sample_store_path))
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    html = " ".join(str(e.proto.body) for e in at.get("html"))
    assert "98.35%" in html and "4,760" in html and "永悦华府" in html
    leaked = [s for s in personal_strings(sample_store) if s in html]
    assert leaked == []


@pytest.mark.browser
def test_big_screen_in_chromium(streamlit_app, page, screenshot, sample_store_path, sample_store):
    base = streamlit_app.start(sample_store_path)
    page.goto(f"{base}/big_screen?interval=4")
    wait_for_app(page)
    folium_frame(page)
    card = page.locator("[data-spotlight]")
    seen = [card.get_attribute("data-spotlight")]
    screenshot("big_screen_start")
    for step in (1, 2):
        page.wait_for_function(
            "prev => document.querySelector('[data-spotlight]')?.dataset.spotlight !== prev",
            arg=seen[-1], timeout=30_000)
        seen.append(card.get_attribute("data-spotlight"))
        page.wait_for_timeout(1500)
        screenshot(f"big_screen_step{step}")
    assert len(set(seen)) == 3, seen
    assert page.locator('[data-testid="stSidebar"]').count() == 0 or \
        not page.locator('[data-testid="stSidebar"]').is_visible()
    layout = page.evaluate("""() => {
        const w = window.innerWidth, h = window.innerHeight;
        const over = [];
        for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect(), s = getComputedStyle(el);
            if (r.width === 0 || r.height === 0 || s.visibility === 'hidden') continue;
            if (el.closest('.hongtu-ticker')) continue;  // the ticker scrolls inside its box
            if (r.right > w + 1 || r.bottom > h + 1 || r.left < -1 || r.top < -1)
                over.push(el.tagName + '.' + el.className + ' ' + JSON.stringify(r));
        }
        const root = document.scrollingElement;
        return {over: over.slice(0, 5), scrollH: root.scrollHeight, scrollW: root.scrollWidth,
                h, w, text: document.body.innerText};
    }""")
    assert layout["over"] == []
    assert layout["scrollH"] <= layout["h"] and layout["scrollW"] <= layout["w"]
    assert "一核三片四站二十四点" in layout["text"]
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    assert fonts.strip(), "no CJK font installed: Chinese would render as boxes"
    html = page.content() + "".join(f.content() for f in page.frames[1:])
    leaked = [s for s in personal_strings(sample_store) if s in html]
    assert leaked == []
    assert not re.search(r"1[3-9]\d{9}", page.locator("body").inner_text())


def test_ticker_and_spotlight_speak_the_page_language(sample_store):
    from components.i18n import LANGS, TEXT

    layers = {n: sample_store.load(n) for n in ("compounds", "service_orders", "cases", "events",
                                                  "service_positions", "joint_meetings",
                                                  "party_branches", "owners_committees",
                                                  "property_firms")}

    def words(lang):
        return lambda key, **values: TEXT[key][LANGS.index(lang)].format(**values)

    statuses = set(layers["service_orders"]["status"]) | set(layers["cases"]["status"])
    for lang in ("zh", "en"):
        ticker = " ".join(screen.ticker_items(layers, limit=40, text=words(lang)))
        own = {TEXT[f"orders.status.{s}"][LANGS.index(lang)] for s in statuses}
        other = {TEXT[f"orders.status.{s}"][1 - LANGS.index(lang)] for s in statuses} - own
        assert any(f"· {w}" in ticker for w in own), ticker
        assert not [w for w in other if f"· {w}" in ticker], ticker
    recent = screen.spotlight_card("C001", layers, words("en")).recent
    assert recent and not [r for r in recent if "已" in r or "联席会议" in r], recent
