"""Soak run of the big screen: keep it rotating for a while in headless Chromium and report the
browser's JS heap and the Streamlit server's resident memory at start and end.

    .venv/bin/python benchmarks/soak_big_screen.py --minutes 30 --interval 5

Fails (exit 1) when either grows by more than 20 % between the first and the last sample.
Memory is sampled after a forced garbage collection in the page (CDP HeapProfiler) so the
figures compare live objects, not what the collector has not reached yet.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--enable-precise-memory-info"]
LIMIT = 0.20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def heap_mb(cdp) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return metrics["JSHeapUsedSize"] / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--interval", type=int, default=5, help="spotlight seconds")
    parser.add_argument("--store", default=None, help="default: a fresh sample store")
    parser.add_argument("--warmup", type=int, default=90, help="seconds before the first sample")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="hongtu-soak-"))
    store = args.store
    if store is None:
        store = str(work / "sample.gpkg")
        subprocess.run([sys.executable, "-m", "geo.cli", "sample", "--out", store], check=True,
                       cwd=ROOT, capture_output=True)
    port = free_port()
    env = dict(os.environ, HONGTU_DATABASE_URL=store)
    log = open(work / "server.log", "w")  # noqa: SIM115 (lives as long as the server)
    server = subprocess.Popen(
        [sys.executable, "-m", "components.serve", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true"], cwd=ROOT, env=env,
        stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(180):
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                         args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url
                       else r.abort())
            page.goto(f"{base}/big_screen?interval={args.interval}")
            page.wait_for_selector("[data-spotlight]", timeout=120_000)
            # warm-up: one full pass of the spotlight list fills the server's caches
            page.wait_for_timeout(args.warmup * 1000)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            samples = [(0.0, heap_mb(cdp), rss_mb(server.pid), _spot(page))]
            print(f"{'minute':>7} {'JS heap MB':>11} {'server RSS MB':>14}  spotlight")
            print(f"{0:7.1f} {samples[0][1]:11.1f} {samples[0][2]:14.1f}  {samples[0][3]}")
            start = time.monotonic()
            end = start + args.minutes * 60
            rotations = set()
            while time.monotonic() < end:
                page.wait_for_timeout(min(60_000, max(1000, (end - time.monotonic()) * 1000)))
                now = (time.monotonic() - start) / 60
                sample = (now, heap_mb(cdp), rss_mb(server.pid), _spot(page))
                rotations.add(sample[3])
                samples.append(sample)
                print(f"{now:7.1f} {sample[1]:11.1f} {sample[2]:14.1f}  {sample[3]}", flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    first, last = samples[0], samples[-1]
    heap_growth = last[1] / first[1] - 1
    rss_growth = last[2] / first[2] - 1
    print(f"\nrun: {args.minutes:g} min, spotlight every {args.interval} s, "
          f"{len(rotations)} distinct spotlights sampled")
    print(f"JS heap:    {first[1]:.1f} MB -> {last[1]:.1f} MB ({heap_growth:+.1%}; limit +20%)")
    print(f"server RSS: {first[2]:.1f} MB -> {last[2]:.1f} MB ({rss_growth:+.1%}; limit +20%)")
    ok = heap_growth <= LIMIT and rss_growth <= LIMIT
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def _spot(page) -> str:
    return page.locator("[data-spotlight]").first.get_attribute("data-spotlight") or "-"


if __name__ == "__main__":
    sys.exit(main())
