"""Run inside a network namespace by tests/test_bundle.py: start an installed bundle's
``hongtu serve``, open the overview in Chromium and wait until the map has drawn its layers.
Prints one JSON line; exit 0 only if the map was drawn. Usage: bundle_check.py PREFIX PORT"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


def main(prefix: str, port: int) -> int:
    base = f"http://127.0.0.1:{port}"
    with open(Path(prefix) / "serve.log", "wb") as log:  # the server keeps its own descriptor
        server = subprocess.Popen([f"{prefix}/bin/hongtu", "serve", "--port", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT, cwd="/")
    result = {"drawn": False}
    try:
        started = time.monotonic()
        while time.monotonic() - started < 180:
            try:
                with urllib.request.urlopen(f"{base}/hongtu/health", timeout=2) as response:
                    result["health"] = json.loads(response.read())
                    break
            except OSError:
                time.sleep(0.5)
        result["start_s"] = round(time.monotonic() - started, 1)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM,
                                         args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            failed = []
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}")
                    if r.status >= 400 else None)
            page.goto(f"{base}/overview", timeout=120_000)
            frame_el = page.wait_for_selector('iframe[title="streamlit_folium.st_folium"]',
                                              timeout=180_000)
            frame = frame_el.content_frame()
            frame.wait_for_function("typeof window.L === 'object'", timeout=120_000)
            frame.wait_for_selector(".leaflet-container", timeout=60_000)
            frame.wait_for_function(
                "document.querySelectorAll('.leaflet-overlay-pane path, "
                ".leaflet-overlay-pane canvas, .leaflet-marker-pane > *').length > 0",
                timeout=120_000)
            result["overlays"] = frame.evaluate(
                "document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-overlay-pane "
                "canvas, .leaflet-marker-pane > *').length")
            # Streamlit's client probes /<page>/_stcore/health and host-config before the root
            # ones: those 404s are its own and harmless
            result["failed_requests"] = [u for u in failed if "/_stcore/" not in u]
            result["drawn"] = result["overlays"] > 0
            browser.close()
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    print(json.dumps(result))
    return 0 if result["drawn"] else 1


if __name__ == "__main__":
    os.environ.pop("HONGTU_DATABASE_URL", None)  # the bundle's own data directory
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
