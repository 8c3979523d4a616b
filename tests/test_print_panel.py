"""The "打印/导出" action on the overview, compound, grids and orders pages: generating a
document offers it for download (AppTest), and the document is audited under the account."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo import audit, auth
from geo.store import ENV_URL

VIEWS = Path(__file__).resolve().parents[1] / "views"
ACCOUNT_KEY = "hongtu_account"  # components.session.ACCOUNT_KEY
PAGES = {  # page script -> the print action's key prefix
    "overview.py": "ov_print", "compound.py": "cp_print", "grids.py": "grids_print",
    "orders.py": "orders_print",
}


@pytest.fixture
def page_store(writable_sample_store, monkeypatch):
    monkeypatch.setenv(ENV_URL, writable_sample_store.url)
    auth.add_user(writable_sample_store, "org1", "org", "secret-pass-1", rounds=4)
    return writable_sample_store


def _downloads(at, key: str) -> list:
    return [d for d in at.get("download_button") if d.key == f"{key}_download"]


@pytest.mark.parametrize("page", PAGES)
def test_print_action_offers_a_download(page_store, page):
    key = PAGES[page]
    at = AppTest.from_file(str(VIEWS / page), default_timeout=180)
    at.session_state[ACCOUNT_KEY] = "org1"
    at.run()
    assert not at.exception
    assert not _downloads(at, key)
    at.selectbox(key=f"{key}_size").set_value("A4")
    at.selectbox(key=f"{key}_format").set_value("png")
    at.button(key=f"{key}_make").click().run()
    assert not at.exception, at.exception
    downloads = _downloads(at, key)
    assert len(downloads) == 1
    assert ".png" in downloads[0].proto.label
    rows = audit.load_audit(page_store, accounts=["org1"], actions=["print_map"])
    assert len(rows) == 1


def test_briefing_from_the_orders_page(page_store):
    at = AppTest.from_file(str(VIEWS / "orders.py"), default_timeout=180)
    at.session_state[ACCOUNT_KEY] = "org1"
    at.run()
    at.radio(key="orders_print_what").set_value("briefing").run()
    assert at.selectbox(key="orders_print_month").value == "2022-04"
    at.button(key="orders_print_make").click().run()
    assert not at.exception, at.exception
    downloads = _downloads(at, "orders_print")
    assert len(downloads) == 1 and ".docx" in downloads[0].proto.label
    assert len(audit.load_audit(page_store, accounts=["org1"], actions=["print_briefing"])) == 1
