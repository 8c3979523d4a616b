"""Real-browser fixtures: a Streamlit server per store and headless Debian Chromium (Playwright)
with every request outside loopback failed, recorded and turned into a test failure.

    def test_x(streamlit_app, page, store_path):
        base = streamlit_app.start(store_path)            # or start(url, script="tests/apps/x.py")
        page.goto(base)
        wait_for_app(page)
        frame = folium_frame(page)                        # the streamlit-folium iframe

Never downloads a browser: Playwright drives /usr/bin/chromium; browser tests are skipped
(with the reason) only when that binary is missing.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = PROJECT_ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# Every request outside loopback goes to a proxy that is not there (port 9, nothing listens) and
# fails at once, and no outside name is looked up; Chromium never sends loopback (127.0.0.0/8,
# localhost, [::1]) to a proxy. The pages record those failures (``guarded_page``). Routing
# every request through Playwright to decide cost a round trip per request: about a seventh of
# a walkthrough's time (issue #26).
NO_NETWORK_ARGS = ["--proxy-server=http://127.0.0.1:9",
                   "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    *NO_NETWORK_ARGS,
]
VIEWPORT = {"width": 1920, "height": 1080}
STORE_ENV = "HONGTU_DATABASE_URL"
SERVERS_KEPT = 4  # running app servers per pytest process (~0.5 GB each)
STARTUP_TIMEOUT_S = 90  # 2 shared cores: a cold Streamlit start can take a while
APP_TIMEOUT_MS = 120_000  # a bound for "never happened", not a speed check on 2 shared cores
RUNNING_ICONS = ", ".join(  # the status widget's "Running..." icons
    f'[data-testid="{test_id}"]' for test_id in
    ("stStatusWidgetRunningIcon", "stStatusWidgetRunningManIcon", "stStatusWidgetNewYearsIcon"))
FOLIUM_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def is_loopback_url(url: str) -> bool:
    """True for addresses on this machine (127.0.0.0/8, ::1, localhost) and non-network URLs."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension", "devtools"):
        return True
    host = (parts.hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _python() -> str:
    venv_python = PROJECT_ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


class StreamlitServers:
    """Starts ``streamlit run <script>`` servers on free ports; one per (script, store, env),
    kept for the pytest process and reused by every module that asks for the same one; past
    ``keep`` servers the least recently asked for is stopped."""

    def __init__(self, workdir: Path, keep: int = SERVERS_KEPT):
        self.workdir = workdir
        self.keep = keep
        self.running: dict[tuple, tuple[subprocess.Popen, str]] = {}  # oldest use first

    def start(self, store_url, env: dict | None = None, script: str | os.PathLike = "app.py") -> str:
        """Base URL (``http://127.0.0.1:<port>``) of a server for this store; reused if running."""
        script_path = (PROJECT_ROOT / script).resolve()
        key = (str(script_path), str(store_url), tuple(sorted((env or {}).items())))
        if key in self.running and self.running[key][0].poll() is None:
            self.running[key] = self.running.pop(key)  # the most recently used now
            return self.running[key][1]
        self._make_room()
        port = _free_port()
        log_path = self.workdir / f"streamlit-{port}.log"
        cmd = [
            _python(), "-m", "components.serve", "run", str(self._entry(script_path)),
            "--server.port", str(port), "--server.address", "127.0.0.1",
            "--server.headless", "true", "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
        ]
        full_env = {**os.environ, **(env or {}), STORE_ENV: str(store_url)}
        with open(log_path, "wb") as log:
            process = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=full_env, stdout=log,
                                       stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}"
        self.running[key] = (process, base_url)
        self._wait_healthy(process, base_url, log_path)
        return base_url

    def _entry(self, script_path: Path) -> Path:
        """Streamlit serves ``static/`` beside the main script: a script living elsewhere than the
        project root runs through a link in a scratch folder that also links ``static/``."""
        if script_path.parent == PROJECT_ROOT:
            return script_path
        folder = Path(tempfile.mkdtemp(prefix="app-", dir=self.workdir))
        (folder / "static").symlink_to(PROJECT_ROOT / "static", target_is_directory=True)
        (folder / script_path.name).symlink_to(script_path)
        return folder / script_path.name

    @staticmethod
    def _wait_healthy(process: subprocess.Popen, base_url: str, log_path: Path) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {process.returncode}:\n"
                                   + log_path.read_text(errors="replace")[-3000:])
            try:
                with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.25)
        process.kill()
        raise RuntimeError(f"streamlit not healthy after {STARTUP_TIMEOUT_S} s:\n"
                           + log_path.read_text(errors="replace")[-3000:])

    def _make_room(self) -> None:
        """Stop the least recently used servers (and any that died) beyond ``keep - 1``."""
        for key in [k for k, (process, _) in self.running.items() if process.poll() is not None]:
            del self.running[key]
        while len(self.running) >= self.keep:
            process, _ = self.running.pop(next(iter(self.running)))
            self._stop([process])

    @staticmethod
    def _stop(processes: list[subprocess.Popen]) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self) -> None:
        self._stop([process for process, _ in self.running.values()])
        self.running.clear()


@pytest.fixture(scope="session")
def streamlit_app(tmp_path_factory):
    """Factory: ``streamlit_app.start(store_url, env=None, script="app.py") -> base_url``.
    A server is started once per pytest process for each (script, store, env) and reused by
    every module asking for the same (a test changes a store's state on a copy of its own)."""
    servers = StreamlitServers(tmp_path_factory.mktemp("streamlit"))
    yield servers
    servers.stop_all()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (scripts/setup_system.sh)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                          args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def blocked_requests() -> list[str]:
    """URLs of requests the page tried to make outside loopback (filled by ``page``)."""
    return []


@pytest.fixture
def page(browser, blocked_requests):
    """A fresh 1920x1080 page; non-loopback requests are aborted and fail the test."""
    context, page = guarded_page(browser, blocked_requests, viewport=VIEWPORT)
    yield page
    context.close()
    if blocked_requests:
        pytest.fail("page requested non-loopback addresses:\n  "
                    + "\n  ".join(sorted(set(blocked_requests))))


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}  # a phone held upright (CSS px), touch
LAPTOP = {"viewport": {"width": 1366, "height": 768}}


def guarded_page(browser, blocked_requests: list[str], **options):
    """(context, page) of a new browser context with ``options`` (e.g. ``**PHONE``), zh-CN,
    Asia/Shanghai; every non-loopback request fails (``NO_NETWORK_ARGS``) and is recorded in
    ``blocked_requests``. Only failed requests reach Python: a loopback one is never held."""
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)

    def record(request) -> None:
        if not is_loopback_url(request.url):
            blocked_requests.append(request.url)

    context.on("requestfailed", record)
    page = context.new_page()
    page.set_default_timeout(APP_TIMEOUT_MS)
    page.on("websocket", lambda ws: None if is_loopback_url(ws.url)
            else blocked_requests.append(ws.url))
    return context, page


def _sized_page(browser, blocked_requests, options):
    context, page = guarded_page(browser, blocked_requests, **options)
    yield page
    context.close()
    if blocked_requests:
        pytest.fail("page requested non-loopback addresses:\n  "
                    + "\n  ".join(sorted(set(blocked_requests))))


@pytest.fixture
def phone_page(browser, blocked_requests):
    """A fresh page on a 390x844 touch phone (is_mobile), guarded like ``page``."""
    yield from _sized_page(browser, blocked_requests, PHONE)


@pytest.fixture
def laptop_page(browser, blocked_requests):
    """A fresh 1366x768 page, guarded like ``page``."""
    yield from _sized_page(browser, blocked_requests, LAPTOP)


@pytest.fixture
def screenshot(page):
    """``screenshot(name)`` saves the page (1920x1080) to artifacts/<name>.png; returns the path."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str, full_page: bool = False) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def wait_for_app(page, timeout_ms: int = APP_TIMEOUT_MS, settle_ms: int = 300) -> None:
    """Wait until Streamlit is connected and its script run has finished (twice, ``settle_ms``
    apart, so a rerun triggered by a component at the end of the first run is waited for too)."""
    finished = """() => {
        const app = document.querySelector('[data-testid="stApp"]');
        return app !== null
            && app.dataset.testConnectionState === 'CONNECTED'
            && app.dataset.testScriptState === 'notRunning'
            && document.querySelector(RUNNING_ICONS) === null;
    }""".replace("RUNNING_ICONS", repr(RUNNING_ICONS))
    page.wait_for_function(finished, timeout=timeout_ms)
    page.wait_for_timeout(settle_ms)
    page.wait_for_function(finished, timeout=timeout_ms)


def sign_in(page, account: str, password: str) -> None:
    """Fill and send the sign-in form the app shows once accounts exist."""
    page.get_by_label("账号").fill(account)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def folium_frame(page, index: int = 0, timeout_ms: int = APP_TIMEOUT_MS):
    """The Playwright Frame of the ``index``-th streamlit-folium map, once Leaflet drew it."""
    locator = page.locator(FOLIUM_IFRAME).nth(index)
    locator.wait_for(state="attached", timeout=timeout_ms)
    frame = locator.element_handle().content_frame()
    frame.wait_for_selector(".leaflet-container", state="attached", timeout=timeout_ms)
    return frame


def redrawn_map(page, timeout_s: float = 90.0):
    """The first map's frame once it holds a new document; mark the old one first with
    ``frame.evaluate("() => { window.oldMap = true; }")``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            frame = folium_frame(page)
            if frame.evaluate("() => !!window.map && !window.oldMap"):
                return frame
        except Exception:  # noqa: BLE001, S110 - the old frame went away mid-call: look again
            pass
        page.wait_for_timeout(200)
    raise AssertionError("the map was not drawn anew")


def zoom_to_compound(page, frame, compound_id: str, zoom: int = 17) -> None:
    """Centre the network map on a compound at ``zoom``, repeated until the view holds (the map
    may still settle its first view)."""
    for _ in range(10):
        frame.evaluate("([id, z]) => { const l = Object.values(window.map._layers).find("
                       "l => l.feature && l.feature.properties.id === id); "
                       "window.map.setView(l.getCenter(), z, {animate: false}); }",
                       [compound_id, zoom])
        page.wait_for_timeout(500)
        if frame.evaluate("() => window.map.getZoom()") == zoom:
            return


# The container pixel (in the map frame) of compound ``id``'s centre.
COMPOUND_CENTRE = """id => { const l = Object.values(window.map._layers).find(
    l => l.feature && l.feature.properties.kind === 'compound' && l.feature.properties.id === id);
    const p = window.map.latLngToContainerPoint(l.getCenter()); return [p.x, p.y]; }"""
