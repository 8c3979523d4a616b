"""The map works with no Internet: every script, style sheet and icon font is served locally."""

from __future__ import annotations

import json
import re

import branca.colormap
import folium
import geopandas as gpd
import pytest
import streamlit_folium
from fixtures_browser import PROJECT_ROOT, folium_frame, is_loopback_url, wait_for_app
from folium.plugins import Fullscreen, HeatMap, MarkerCluster
from shapely.geometry import box

from components import offline
from geo.store import open_store

EXTERNAL_URL = re.compile(r"https?://[^\s\"'<>)]+")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
OFFLINE_APP = "tests/apps/offline_map_app.py"
GRID_COUNT = 3


def _sample_map() -> folium.Map:
    fmap = folium.Map(tiles=None, location=[28.65, 121.25], zoom_start=13)
    cluster = MarkerCluster().add_to(fmap)
    folium.Marker([28.65, 121.25], icon=folium.Icon(icon="info-sign")).add_to(cluster)
    folium.Marker([28.66, 121.26], icon=folium.Icon(icon="house", prefix="fa")).add_to(cluster)
    branca.colormap.LinearColormap(["white", "red"], vmin=0, vmax=10).add_to(fmap)
    Fullscreen().add_to(fmap)
    HeatMap([[28.65, 121.25, 1.0]]).add_to(fmap)
    return fmap


def _vendor_path(url: str) -> str:
    prefix = f"/{offline.STATIC_ROUTE}/"
    assert url.startswith(prefix), url
    return url.removeprefix(prefix)


def test_known_cdn_urls_map_to_the_static_route_and_others_stay():
    leaflet = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
    assert offline.local_url(leaflet) == "/hongtu/assets/leaflet@1.9.4/dist/leaflet.js"
    tiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert offline.local_url(tiles) == tiles


def test_rendered_map_html_names_no_external_address():
    offline.use_local_assets()
    offline.use_local_assets()  # idempotent: a second call changes nothing
    html = _sample_map().get_root().render()
    assert EXTERNAL_URL.findall(html) == []
    links = re.findall(r'(?:src|href)="(/hongtu/assets/[^"]+)"', html)
    # folium.Map: 4 scripts (+ the icon path setter) and 6 style sheets; MarkerCluster 1 + 2;
    # Fullscreen 1 + 1; HeatMap 1; the colour scale's d3 1.
    assert len(set(links)) == 18
    assert all((offline.VENDOR_DIR / _vendor_path(link)).is_file() for link in links)


def test_streamlit_folium_hands_only_local_links_to_its_iframe(monkeypatch):
    calls = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: calls.append(kw))
    offline.use_local_assets()
    streamlit_folium.st_folium(_sample_map(), returned_objects=[])
    links = calls[0]["js_links"] + calls[0]["css_links"]
    # The colour scale makes streamlit-folium add d3 v4 and d3 3.5.5 itself.
    assert "/hongtu/assets/d3@4.13.0/build/d3.min.js" in links
    assert "/hongtu/assets/d3@3.5.5/d3.min.js" in links
    assert [url for url in links if not url.startswith("/hongtu/assets/")] == []
    assert EXTERNAL_URL.findall(calls[0]["header"] + calls[0]["html"]) == []


def test_every_referenced_vendored_file_exists():
    assert offline.missing_files() == [], "run `make test` or scripts/vendor_assets.py"
    assert (offline.VENDOR_DIR / offline.STAMP_FILE).is_file()


def test_style_sheets_reference_only_vendored_files():
    """Icon fonts and images named by url(...) in the vendored CSS resolve locally."""
    unresolved = []
    for css in offline.VENDOR_DIR.rglob("*.css"):
        for ref in CSS_URL.findall(css.read_text(errors="replace")):
            if ref.startswith(("data:", "#")):
                continue
            target = (css.parent / ref.split("?")[0].split("#")[0]).resolve()
            if not target.is_file():
                unresolved.append(f"{css.relative_to(offline.VENDOR_DIR)}: {ref}")
    assert unresolved == []


def test_glyphicons_sheet_holds_the_icon_font_and_no_bootstrap3_layout():
    css = (offline.VENDOR_DIR / offline.GLYPHICONS_CSS).read_text()
    assert 'font-family: "Glyphicons Halflings"' in css
    assert '.glyphicon-info-sign:before {\n  content: "\\e086";\n}' in css
    assert ".container" not in css and "body {" not in css


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8501/hongtu/assets/leaflet@1.9.4/dist/leaflet.js", True),
        ("http://127.8.9.10/", True),
        ("http://[::1]:8501/_stcore/health", True),
        ("http://localhost:8501/", True),
        ("data:image/png;base64,AAAA", True),
        ("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js", False),
        ("http://10.0.0.1/", False),
        ("https://t0.tianditu.gov.cn/vec_w/wmts", False),
    ],
)
def test_loopback_addresses_are_told_apart(url, loopback):
    assert is_loopback_url(url) is loopback


@pytest.mark.browser
def test_page_fixture_blocks_and_records_outside_requests(page, blocked_requests):
    """An address by name, one by number (no name lookup to fail) and a WebSocket, each
    recorded; a data: URL is not."""
    with page.expect_event("requestfailed", lambda r: "10.9.8.7" in r.url):
        page.set_content('<img src="https://example.com/logo.png"><img src="data:,x">'
                         '<img src="http://10.9.8.7/a.png">'
                         '<script>new WebSocket("ws://10.9.8.6/feed")</script>')
    page.wait_for_function("[...document.images].every(img => img.complete)")
    for _ in range(50):  # the other failure's event may come a moment later
        if len(blocked_requests) == 3:
            break
        page.wait_for_timeout(100)
    assert sorted(blocked_requests) == ["http://10.9.8.7/a.png", "https://example.com/logo.png",
                                        "ws://10.9.8.6/feed"]
    blocked_requests.clear()  # expected here: keep the fixture's teardown check from failing


@pytest.fixture
def tiny_store_path(tmp_path):
    """Three grids near Huangyan's centre, ~3 km apart (their members do not cluster together
    at zoom 13)."""
    grids = gpd.GeoDataFrame(
        {
            "id": [f"G{i}" for i in range(1, GRID_COUNT + 1)],
            "name": ["一号网格", "二号网格", "三号网格"],
            "households": [120, 340, 560],
        },
        geometry=[box(121.21 + 0.03 * i, 28.63, 121.23 + 0.03 * i, 28.65) for i in range(3)],
        crs="EPSG:4326",
    )
    path = tmp_path / "tiny.gpkg"
    with open_store(path).transaction() as tx:
        tx.replace("grids", grids)
    return path


@pytest.mark.browser
def test_map_draws_in_chromium_with_the_network_cut(
    streamlit_app, page, blocked_requests, screenshot, tiny_store_path
):
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    page.goto(streamlit_app.start(tiny_store_path, script=OFFLINE_APP))
    wait_for_app(page)
    frame = folium_frame(page)
    frame.wait_for_selector(".marker-cluster", state="attached")
    assert frame.locator(".marker-cluster").all_inner_texts() == ["5"] * GRID_COUNT
    assert frame.evaluate("typeof window.L") == "object"
    assert frame.evaluate("typeof window.L.markerClusterGroup") == "function"
    assert frame.locator(".leaflet-overlay-pane path.leaflet-interactive").count() == GRID_COUNT
    assert frame.locator(".awesome-marker i.glyphicon-info-sign").count() == 1
    assert frame.locator(".awesome-marker i.fa-house").count() == 1
    # A font loads when the browser first lays out text in it, so "no font loading" can be
    # true before the icons' fonts even started: wait for the icon fonts themselves (a font
    # that fails offline never loads, and the wait times out with the families loaded).
    wanted = ["Glyphicons Halflings", "Font Awesome 6 Free"]
    loaded = """wanted => { const loaded = [...document.fonts].filter(f => f.status === 'loaded')
        .map(f => f.family.replace(/"/g, '')); return wanted.every(w => loaded.includes(w)); }"""
    try:
        frame.wait_for_function(loaded, arg=wanted, timeout=60_000)
    finally:
        families = frame.evaluate("[...document.fonts].map(f => f.family + ': ' + f.status)")
    assert frame.evaluate(loaded, wanted), families
    screenshot("offline_map")
    assert failed == []
    assert blocked_requests == []


def test_asset_route_honours_the_base_url_path():
    assert offline.route_path("") == "/hongtu/assets"
    assert offline.route_path("/red/map/") == "/red/map/hongtu/assets"


def _get(app, path: str) -> tuple[int, dict, bytes]:
    """One GET through an ASGI app, in process: (status, headers, body)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "headers": [], "scheme": "http",
             "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "http_version": "1.1"}
    sent, requested = [], []

    async def receive():
        if not requested:
            requested.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected

    async def send(message):
        sent.append(message)

    # a thread of its own: the browser tests' sync Playwright keeps an event loop running in
    # this thread, where asyncio.run() refuses to start another
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def test_asset_route_serves_the_vendored_files_and_404s_the_rest():
    from starlette.applications import Starlette

    from components.web import assets

    app = Starlette(routes=assets.routes())
    status, headers, body = _get(app, "/hongtu/assets/leaflet@1.9.4/dist/leaflet.js")
    assert status == 200 and "javascript" in headers["content-type"]
    assert body == (offline.VENDOR_DIR / "leaflet@1.9.4/dist/leaflet.js").read_bytes()
    assert _get(app, "/hongtu/assets/nothing.js")[0] == 404
    assert _get(app, "/hongtu/assets/../../offline.py")[0] == 404


def test_licences_are_listed_for_every_vendored_package():
    listed = (offline.VENDOR_DIR / offline.LICENSES_FILE).read_text()
    for spec in offline.NPM_PACKAGES:
        assert f"| {spec} |" in listed


def test_missing_assets_are_named_above_the_map(tmp_path, monkeypatch, tiny_store_path):
    """#14.10: with no vendored files the map area says what is missing and how to get them."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setattr(offline, "VENDOR_DIR", tmp_path / "no-assets")
    monkeypatch.setenv("HONGTU_DATABASE_URL", str(tiny_store_path))
    app = AppTest.from_file(str(PROJECT_ROOT / OFFLINE_APP), default_timeout=60).run()
    errors = [e.value for e in app.error]
    assert len(errors) == 1, errors
    missing = offline.missing_files()
    assert len(missing) > 10 and missing[0] in errors[0] and f"(+{len(missing) - 4})" in errors[0]
    assert "scripts/vendor_assets.py" in errors[0] and "make bundle" in errors[0]
    assert str(tmp_path / "no-assets") in errors[0]
    monkeypatch.undo()
    app = AppTest.from_file(str(PROJECT_ROOT / OFFLINE_APP), default_timeout=60).run()
    assert [e.value for e in app.error] == []


def test_health_route_reads_the_store_and_reports_a_broken_one(tiny_store_path, tmp_path,
                                                               monkeypatch):
    from starlette.applications import Starlette

    from components.web import health

    app = Starlette(routes=health.routes())
    monkeypatch.setenv("HONGTU_DATABASE_URL", str(tiny_store_path))
    status, _, body = _get(app, "/hongtu/health")
    assert status == 200 and json.loads(body)["store"] == "gpkg"
    (tmp_path / "broken.gpkg").write_bytes(b"not a database")
    monkeypatch.setenv("HONGTU_DATABASE_URL", str(tmp_path / "broken.gpkg"))
    status, _, body = _get(app, "/hongtu/health")
    assert status == 503 and json.loads(body)["status"] == "error"
