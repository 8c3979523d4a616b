"""Data a signed-in page shows needs the same sign-in when fetched directly: map layer files,
downloads (/media/) and /_stcore/metrics, asked with plain HTTP (no browser) with and without
the session cookie of a real browser sign-in. What the public big screen draws stays public;
the local demo stays open."""

from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request

import pytest
from fixtures_browser import VIEWPORT, folium_frame, sign_in
from fixtures_browser import wait_for_app as wait_briefly
from playwright.sync_api import Error as PlaywrightError

from components.layer_files import revision_dir_name
from components.map_payloads import (
    GRID_TILE_PREFIX,
    MEMBER_TILE_DEG,
    MEMBER_TILE_PREFIX,
    grid_tiles,
    member_tiles,
)
from components.web.session_cookie import COOKIE_NAME
from geo import auth
from geo.store import open_store

pytestmark = pytest.mark.browser

SLOW_MS = 240_000
PASSWORD = "a-long-password-1"
ACCOUNTS = {"zuzhi": "org", "kan": "viewer", "dapin": "big_screen"}
PUBLIC = ("combined", "grid_totals", "compounds", "positions", "streets")


@pytest.fixture(scope="module")
def accounts_store_path(sample_store_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("gated") / "accounts.gpkg"
    shutil.copyfile(sample_store_path, path)
    store = open_store(path)
    for name, role in ACCOUNTS.items():
        auth.add_user(store, name, role, PASSWORD, rounds=4)
    return path


def status(url: str, cookie: str | None = None) -> int:
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", f"{COOKIE_NAME}={cookie}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_warm(base: str) -> None:
    deadline = time.monotonic() + SLOW_MS / 1000
    while status(f"{base}/hongtu/warm") != 200:
        assert time.monotonic() < deadline, "the server never warmed its caches"
        time.sleep(0.5)


def layer_url(base: str, store_path, name: str, frame: str = "wgs84-zh") -> str:
    folder = revision_dir_name(open_store(store_path).revision(), frame)
    return f"{base}/hongtu/layers/{folder}/{name}.json"


def signed_in_cookie(browser, base: str, account: str, path: str = "/grids"):
    """(context, page, cookie value) of a browser signed in as ``account``."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(SLOW_MS)
    page.goto(base + path)
    wait_briefly(page, timeout_ms=SLOW_MS)
    sign_in(page, account, PASSWORD)
    deadline = time.monotonic() + SLOW_MS / 1000
    while time.monotonic() < deadline:
        cookie = next((c["value"] for c in context.cookies() if c["name"] == COOKIE_NAME), None)
        if cookie:
            return context, page, cookie
        page.wait_for_timeout(200)
    raise AssertionError("no session cookie after sign-in")


def member_tile(store_path) -> str:
    """The name of one member tile file of the store."""
    return MEMBER_TILE_PREFIX + min(member_tiles(open_store(store_path).load("members")))


def grid_tile(store_path) -> str:
    """The name of one grid tile file of the store."""
    return GRID_TILE_PREFIX + min(grid_tiles(open_store(store_path).load("grids")))


def zoomed_in_to_members(page):
    """Zoom the overview's map in until it has drawn member points; return its frame. The map
    may be re-created after it first drew (a rerun replaces its iframe; the zoom went to the old
    one), so the iframe is looked up and zoomed again until the points are there."""
    deadline = time.monotonic() + SLOW_MS / 1000
    while True:
        frame = folium_frame(page, timeout_ms=SLOW_MS)
        try:
            frame.wait_for_function("() => window.hongtuDrawn && window.hongtuDrawn.grids > 0",
                                    timeout=SLOW_MS)
            frame.evaluate("() => { window.map.setZoom(16, {animate: false}); }")
            frame.wait_for_function("() => window.hongtuDrawn.members > 0", timeout=15_000)
            return frame
        except PlaywrightError:
            if time.monotonic() > deadline:
                raise
            print("members not drawn yet: looking the map up again")


def test_layers_media_and_metrics_need_the_sign_in(streamlit_app, browser, accounts_store_path):
    base = streamlit_app.start(accounts_store_path)
    wait_warm(base)  # the start-up warm-up wrote the layer files
    members = layer_url(base, accounts_store_path, member_tile(accounts_store_path))
    public = (*PUBLIC, grid_tile(accounts_store_path))
    anonymous = {name: status(layer_url(base, accounts_store_path, name)) for name in public}
    assert anonymous == dict.fromkeys(public, 200)  # what the big screen draws
    assert status(members) == 401
    assert status(f"{base}/_stcore/metrics") == 401
    assert status(f"{base}/media/0123456789abcdef.xlsx") == 401
    assert status(f"{base}/app/static/layers/x/members.json") == 404  # the old public place
    other_revision = members.replace(members.split("/")[-2], revision_dir_name("old", "wgs84-zh"))
    assert status(other_revision) == 404
    assert status(f"{base}/hongtu/layers/..%2F..%2Fvar/secret_key.json") in (400, 404)

    context, page, org = signed_in_cookie(browser, base, "zuzhi")
    try:
        assert status(members, org) == 200
        assert status(layer_url(base, accounts_store_path, "members"), org) == 404  # tiles only
        assert status(f"{base}/_stcore/metrics", org) == 200
        signed, signature = org.rsplit(".", 1)  # altered: the signature's first character
        forged = f"{signed}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
        assert status(members, forged) == 401
        page.get_by_role("heading", name="网格党员覆盖").wait_for()
        page.get_by_role("button", name="生成名册 Excel").click()  # made when asked (#23)
        with page.expect_download() as download:
            page.get_by_role("button", name="下载名册 Excel").click()
        media = download.value.url
        assert "/media/" in media
        assert status(media) == 401
        assert status(media, org) == 200
        # the map in the signed-in browser fetches its member points with the cookie
        page.goto(base + "/overview")
        wait_briefly(page, timeout_ms=SLOW_MS)
        frame = zoomed_in_to_members(page)
        frame.wait_for_function("() => window.hongtuDrawn.member_tiles_loaded"
                                " === window.hongtuDrawn.member_tiles.length", timeout=SLOW_MS)
        keys, drawn, bounds = frame.evaluate(
            "() => [window.hongtuDrawn.member_tiles, window.hongtuDrawn.members,"
            " window.map.getBounds().toBBoxString()]")
        everyone = open_store(accounts_store_path).load("members")
        tiles = member_tiles(everyone)
        assert drawn == sum(len(tiles[k]) for k in keys) < len(everyone)  # only tiles in view
        west, south, east, north = (float(v) for v in bounds.split(","))
        for key in keys:  # each fetched tile touches the view (with the 0.01 degree margin)
            x, y = (int(v) for v in key.split("_"))
            assert x * MEMBER_TILE_DEG - 180 <= east + 0.01
            assert (x + 1) * MEMBER_TILE_DEG - 180 >= west - 0.01
            assert y * MEMBER_TILE_DEG - 90 <= north + 0.01
            assert (y + 1) * MEMBER_TILE_DEG - 90 >= south - 0.01
    finally:
        context.close()

    context, _page, viewer = signed_in_cookie(browser, base, "kan")
    try:  # a sign-in may write the store: the layer files of its new revision
        members = layer_url(base, accounts_store_path, member_tile(accounts_store_path))
        assert status(members, viewer) == 200
        assert status(f"{base}/_stcore/metrics", viewer) == 403
    finally:
        context.close()
    context, page, screen = signed_in_cookie(browser, base, "dapin", path="/")
    try:  # its sign-in may write the store (a stronger password hash): wait for its map
        folium_frame(page, timeout_ms=SLOW_MS).wait_for_function(
            "() => window.hongtuDrawn && window.hongtuDrawn.grids > 0", timeout=SLOW_MS)
        members = layer_url(base, accounts_store_path, member_tile(accounts_store_path))
        assert status(members, screen) == 403  # the big-screen account draws no member points
        assert status(layer_url(base, accounts_store_path, "combined"), screen) == 200
    finally:
        context.close()


def test_demo_mode_stays_open(streamlit_app, sample_store_path):
    base = streamlit_app.start(sample_store_path)
    wait_warm(base)
    assert status(layer_url(base, sample_store_path, member_tile(sample_store_path))) == 200
    assert status(f"{base}/_stcore/metrics") == 200


def test_a_current_layer_file_no_page_drew_yet_is_written_on_request(streamlit_app,
                                                                     accounts_store_path):
    """The store changes after the start-up warm-up (a sign-in, an import on another server):
    its new revision's files are written when first asked for, in the frame and language
    asked; a revision that is not the current one, or a language the app lacks, stays 404.
    (The module's server and store: this test runs last, and only adds an account.)"""
    path = accounts_store_path
    base = streamlit_app.start(path)
    wait_warm(base)
    old = layer_url(base, path, "combined")
    assert status(old) == 200
    auth.add_user(open_store(path), "xin", "viewer", PASSWORD, rounds=4)  # a new revision
    for frame in ("wgs84-zh", "gcj02-en"):
        new = layer_url(base, path, "combined", frame)
        assert new != old and status(new) == 200, frame
    assert status(layer_url(base, path, grid_tile(path), "gcj02-en")) == 200
    assert status(layer_url(base, path, "combined", "wgs84-xx")) == 404
    assert status(layer_url(base, path, "combined", "wgs84-zh-u999999")) == 404  # no such unit
    folder = old.rsplit("/", 2)[1]
    assert status(old.replace(folder, "0123456789abcdef-wgs84-zh")) == 404
