"""deploy/nginx/hongtu.conf in front of two app servers on one PostGIS database: requests
through nginx stick to one server (ip_hash), the health route answers through it, and Chromium
through nginx draws the overview map and keeps its session (WebSocket) over many reruns.
Runs when nginx is installed (Debian: nginx-light, see scripts/setup_system.sh)."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from fixtures_browser import FOLIUM_IFRAME, _free_port, wait_for_app

from geo.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "deploy" / "nginx" / "hongtu.conf"
pytestmark = [pytest.mark.browser, pytest.mark.postgis, pytest.mark.slow]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
COLD_RUN_MS = 300_000  # a first page run on PostGIS (cold caches) on a busy 2-core machine


def _site(listen: int, app_ports: list[int]) -> str:
    text = SITE.read_text()
    text = text.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    text = text.replace("server 127.0.0.1:8501", f"server 127.0.0.1:{app_ports[0]}")
    text = text.replace("server 127.0.0.1:8502", f"server 127.0.0.1:{app_ports[1]}")
    # which app server answered (test only)
    return text.replace("proxy_pass http://hongtu_app;",
                        "proxy_pass http://hongtu_app; add_header X-Upstream $upstream_addr;")


@pytest.fixture
def nginx(tmp_path):
    if not Path(NGINX).exists():
        pytest.skip("nginx not installed (scripts/setup_system.sh installs nginx-light)")
    started = []

    def start(app_ports: list[int]) -> str:
        port = _free_port()
        (tmp_path / "logs").mkdir(exist_ok=True)
        (tmp_path / "site.conf").write_text(_site(port, app_ports))
        (tmp_path / "nginx.conf").write_text(
            "daemon off; worker_processes 1; pid nginx.pid; error_log logs/error.log;\n"
            "events { worker_connections 256; }\n"
            "http { access_log logs/access.log; client_body_temp_path tmp;"
            " proxy_temp_path tmp; include site.conf; }\n")
        (tmp_path / "tmp").mkdir(exist_ok=True)
        subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", "nginx.conf"], check=True,
                       capture_output=True)
        process = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", "nginx.conf"])
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{base}/hongtu/health", timeout=5).close()
                return base
            except OSError:
                time.sleep(0.2)
        raise RuntimeError((tmp_path / "logs" / "error.log").read_text())

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_two_servers_behind_nginx_sticky_and_websockets(
        nginx, streamlit_app, fresh_postgis_url, sample_store, page, blocked_requests):
    store = open_store(fresh_postgis_url)
    store.write_layers({n: sample_store.load(n) for n in sample_store.layer_names()})
    store.dispose()
    app_ports = [int(streamlit_app.start(fresh_postgis_url, env={"HONGTU_NODE": str(i)})
                     .rsplit(":", 1)[1]) for i in (1, 2)]
    base = nginx(app_ports)
    upstreams = set()
    for _ in range(40):  # many requests from one client: always the same app server
        with urllib.request.urlopen(f"{base}/hongtu/health", timeout=30) as response:
            assert json.loads(response.read())["store"] == "postgis"
            upstreams.add(response.headers["X-Upstream"])
    assert len(upstreams) == 1 and upstreams <= {f"127.0.0.1:{p}" for p in app_ports}
    # Chromium through nginx: the page runs over Streamlit's WebSocket and the map is drawn
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws))
    page.goto(f"{base}/overview")
    wait_for_app(page, timeout_ms=COLD_RUN_MS)
    frame = page.locator(FOLIUM_IFRAME).first.element_handle(timeout=120_000).content_frame()
    frame.wait_for_function("window.hongtuDrawn && window.hongtuDrawn.grids > 0",
                            timeout=120_000)
    nginx_port = base.rsplit(":", 1)[1]
    streams = [ws for ws in sockets if f":{nginx_port}/_stcore/stream" in ws.url]
    assert len(streams) == 1, [ws.url for ws in sockets]
    for _ in range(4):  # reruns of the same session (Streamlit's "r" shortcut)
        page.locator("body").press("r")
        wait_for_app(page, timeout_ms=COLD_RUN_MS)
    assert not streams[0].is_closed()  # one WebSocket, through nginx, for the whole session
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.get_by_text("Connection error").count() == 0
    assert blocked_requests == []
