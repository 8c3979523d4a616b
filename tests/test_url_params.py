"""Text and numbers from the URL: shown inert (no link, no image) and checked, with a message
instead of a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_network import build_tiny_store

from components.url_text import int_param, literal
from geo.store import ENV_URL

PAGES = Path(__file__).resolve().parents[1] / "views"
PHISHING = "[重新登录](http://evil.example/login) ![x](http://evil.example/pixel.png)"


def outside_code_spans(markdown: str) -> str:
    return re.sub(r"`[^`]*`", "", markdown)


def test_literal_is_one_inert_code_span():
    shown = literal(PHISHING + "`\n<script>", limit=200)
    assert shown.startswith("`") and shown.endswith("`") and shown.count("`") == 2
    assert "http" not in outside_code_spans(shown) and "\n" not in shown
    assert literal("x" * 100) == "`" + "x" * 40 + "…`"
    assert literal("") == "`-`"


@pytest.mark.parametrize(("raw", "expected"), [
    ("20", (20, True)), ("abc", (20, False)), ("", (20, False)), (None, (20, False)),
    ("1", (3, False)), ("99999", (3600, False)), ("nan", (20, False)), ("4.5", (20, False)),
    ("7.0", (7, True)),
])
def test_int_param(raw, expected):
    assert int_param(raw, 20, 3, 3600) == expected


def test_compound_id_from_the_url_is_shown_inert(tmp_path, monkeypatch):
    path = tmp_path / "tiny.gpkg"
    build_tiny_store(path)
    monkeypatch.setenv(ENV_URL, str(path))
    at = AppTest.from_file(str(PAGES / "compound.py"), default_timeout=60)
    at.query_params["id"] = PHISHING
    at.run()
    assert not at.exception
    warnings = [w.proto.body for w in at.warning]
    assert len(warnings) == 1 and "未找到该小区" in warnings[0]
    assert "evil.example" in warnings[0]  # named, so the user sees what was asked for
    assert "](" not in outside_code_spans(warnings[0])
    assert "http" not in outside_code_spans(warnings[0])


def test_big_screen_with_a_bad_interval_explains_instead_of_failing(sample_store_path,
                                                                    monkeypatch):
    monkeypatch.setenv(ENV_URL, str(sample_store_path))
    at = AppTest.from_file(str(PAGES / "big_screen.py"), default_timeout=120)
    at.query_params["interval"] = "abc"
    at.run()
    assert not at.exception
    messages = [w.proto.body for w in at.warning]
    assert len(messages) == 1
    assert "链接参数 interval=`abc`" in messages[0] and "已使用 20" in messages[0]
    assert "ValueError" not in messages[0] and ".py" not in messages[0]


@pytest.mark.browser
def test_url_text_stays_inert_in_chromium(streamlit_app, page, sample_store_path, tmp_path):
    """In the real front end: no link or image from the URL, the bad interval explained."""
    import shutil
    from urllib.parse import quote, urlparse

    from fixtures_browser import wait_for_app

    demo = tmp_path / "demo.gpkg"  # no accounts: the demo opens every map page
    shutil.copyfile(sample_store_path, demo)
    base = streamlit_app.start(demo)
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{base}/compound?id={quote(PHISHING)}")
    wait_for_app(page, timeout_ms=240_000)
    warning = page.locator('[data-testid="stAlertContentWarning"]').filter(
        has_text="未找到该小区")
    warning.wait_for(timeout=60_000)
    assert "evil.example" in warning.inner_text()
    assert page.locator('a[href*="evil.example"], img[src*="evil.example"]').count() == 0
    assert not [url for url in fetched if urlparse(url).hostname == "evil.example"]
    page.goto(f"{base}/big_screen?interval=abc")
    wait_for_app(page, timeout_ms=240_000)
    notice = page.get_by_text("链接参数 interval=")
    notice.wait_for(timeout=60_000)
    assert "已使用 20" in notice.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
