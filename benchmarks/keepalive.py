"""Time of a small request on a kept-alive connection: Streamlit started plainly
(``streamlit run``) against Streamlit started through ``components.serve`` (TCP_NODELAY on).

Browsers keep connections alive, and the map frame loads its files one after another, so any
per-request wait is paid at every step. Prints the median milliseconds per request of each.

    .venv/bin/python benchmarks/keepalive.py [--requests 20]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures_browser import STORE_ENV, StreamlitServers, _free_port

PATHS = ("/_stcore/health", "/hongtu/assets/hongtu/leaflet-bundle.css")


def per_request_ms(port: int, requests: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    times = []
    for i in range(requests):
        started = time.perf_counter()
        connection.request("GET", PATHS[i % len(PATHS)], headers={"Accept-Encoding": "gzip"})
        connection.getresponse().read()
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return statistics.median(times[1:])  # the first request opens the connection


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-keepalive-"))
    store = ROOT / "data" / "sample.gpkg"
    servers = StreamlitServers(work)  # components.serve
    port = _free_port()
    plain = subprocess.Popen(  # the same options, plain `streamlit run`
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, STORE_ENV: str(store)})
    try:
        served = int(servers.start(store).rsplit(":", 1)[1])
        StreamlitServers._wait_healthy(plain, f"http://127.0.0.1:{port}", work / "plain.log")
        for name, p in (("streamlit run", port), ("components.serve", served)):
            print(f"{name:>17}: {per_request_ms(p, args.requests):6.1f} ms per kept-alive request")
    finally:
        plain.terminate()
        servers.stop_all()


if __name__ == "__main__":
    main()
