"""Sign-in gate in a real server: once an account exists, nothing but the sign-in form and the
big screen is shown before sign-in, from the very first request the server answers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixtures_browser import wait_for_app

from geo import auth
from geo.store import open_store

ROOT = Path(__file__).resolve().parents[1]


def test_no_automatic_pages_folder_beside_app():
    assert not (ROOT / "pages").exists(), "Streamlit would serve pages/ without app.py's gate"


@pytest.mark.browser
@pytest.mark.parametrize("path", ["", "grids", "audit"])
def test_first_request_to_a_page_shows_only_sign_in(path, sample_store_path, tmp_path,
                                                    streamlit_app, page, sample_store):
    store_path = tmp_path / "with-account.gpkg"
    shutil.copyfile(sample_store_path, store_path)
    auth.add_user(open_store(store_path), "zuzhi", "org", "a-long-password-1")
    base = streamlit_app.start(store_path)  # a fresh server: this is its first page request
    page.goto(f"{base}/{path}")
    wait_for_app(page)
    body = page.locator("body").inner_text()
    assert "登录红图" in body
    secretary = sample_store.load("party_branches")["secretary_name"].iloc[0]
    assert secretary not in page.content()
    assert page.locator('iframe[title="streamlit_folium.st_folium"]').count() == 0
    assert page.locator('[data-testid="stMetric"]').count() == 0
