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
