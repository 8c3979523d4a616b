"""Every URL the README lists opens its page, or says in Chinese why not, in every mode: the
local demo, anonymous with accounts, and signed in as each role. Never Streamlit's English
"Page not found" dialog. Real server, real Chromium; a role signs in once and then reaches
every URL through its session cookie."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fixtures_browser import VIEWPORT, sign_in
from fixtures_browser import wait_for_app as wait_briefly

from components.session import DEMO_PAGES, PAGE_KEYS, ROLE_PAGES
from components.web.session_cookie import COOKIE_NAME
from geo import auth
from geo.store import open_store

pytestmark = pytest.mark.browser

SLOW_MS = 240_000  # two shared cores: a signed-in page can take minutes under load

README = Path(__file__).resolve().parents[1] / "README.md"
PASSWORD = "a-long-password-1"
ACCOUNTS = {"zuzhi": "org", "guihua": "planner", "wangge": "grid_leader", "kan": "viewer",
            "dapin": "big_screen"}
NOT_FOUND = "Page not found"
SIGN_IN_TITLE = "登录红图"
REFUSED = {"demo": "本地演示模式下不能打开", "role": "无权打开"}
SCREEN_TITLE = ".hongtu-title"


def readme_urls() -> list[str]:
    """The page URLs of the README's table (``/overview``, ``/compound?id=C001`` ...)."""
    rows = [line for line in README.read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and "`/" in line]
    return [m for line in rows for m in re.findall(r"`(/[a-z_]+(?:\?[^`]*)?)`", line)]


def page_key(url: str) -> str:
    path = url.lstrip("/").split("?")[0]
    return PAGE_KEYS[path]


@pytest.fixture(scope="module")
def accounts_store_path(sample_store_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("urls") / "accounts.gpkg"
    shutil.copyfile(sample_store_path, path)
    store = open_store(path)
    grid = store.load("grids")["id"].iloc[0]
    for name, role in ACCOUNTS.items():
        auth.add_user(store, name, role, PASSWORD, grids=[grid] if role == "grid_leader" else (),
                      rounds=4)
    return path


def visit(page, base: str, url: str) -> str:
    page.goto(base + url)
    wait_for_app(page)
    if page_key(url) == "big_screen":
        page.locator(SCREEN_TITLE).wait_for()
    return page.locator("body").inner_text()


def check_every_url(page, base: str, allowed: tuple[str, ...] | None, refusal: str) -> None:
    """``allowed``: the page keys this session may open (None: nobody signed in)."""
    page.set_default_timeout(SLOW_MS)
    problems = []
    for url in readme_urls():
        key = page_key(url)
        body = visit(page, base, url)
        if NOT_FOUND in body:
            problems.append((url, "Page not found"))
        elif key == "big_screen":
            if page.locator(SCREEN_TITLE).count() != 1:
                problems.append((url, "no big screen"))
        elif allowed is None:
            if SIGN_IN_TITLE not in body:
                problems.append((url, "no sign-in form"))
        elif key in allowed:
            if refusal in body or SIGN_IN_TITLE in body:
                problems.append((url, "refused though allowed"))
        elif refusal not in body:
            problems.append((url, "no reason given"))
    assert not problems, problems


def test_readme_lists_every_page():
    urls = readme_urls()
    assert {page_key(u) for u in urls} == set(ROLE_PAGES[auth.Role.ORG]), urls
    assert "/overview" in urls


def test_an_unknown_url_shows_the_dialog_the_walkthrough_looks_for(streamlit_app, page,
                                                                    sample_store_path):
    """The check below can fail: Streamlit's dialog for a URL that is no page at all."""
    page.goto(streamlit_app.start(sample_store_path) + "/no_such_page")
    page.get_by_text(NOT_FOUND).first.wait_for()


def test_every_url_in_demo_mode(streamlit_app, page, sample_store_path):
    base = streamlit_app.start(sample_store_path)
    check_every_url(page, base, DEMO_PAGES, REFUSED["demo"])


def test_every_url_before_sign_in(streamlit_app, page, accounts_store_path):
    check_every_url(page, streamlit_app.start(accounts_store_path), None, REFUSED["role"])


@pytest.mark.parametrize("account", list(ACCOUNTS))
def test_every_url_signed_in(streamlit_app, browser, accounts_store_path, account):
    base = streamlit_app.start(accounts_store_path)
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    try:
        page.goto(base + "/")
        wait_for_app(page)
        sign_in(page, account, PASSWORD)
        page.get_by_role("heading", name=SIGN_IN_TITLE).wait_for(state="detached")
        wait_for_app(page)
        for _ in range(300):  # the cookie arrives with the page after sign-in
            if any(c["name"] == COOKIE_NAME for c in context.cookies()):
                break
            page.wait_for_timeout(100)
        else:
            pytest.fail("no session cookie after sign-in")
        check_every_url(page, base, ROLE_PAGES[ACCOUNTS[account]], REFUSED["role"])
    finally:
        context.close()


def wait_for_app(page) -> None:
    wait_briefly(page, timeout_ms=SLOW_MS)
