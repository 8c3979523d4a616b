"""What bench_sessions.py runs against: a private copy of the store, one or two app servers on
it, nginx in front of two (deploy/nginx/hongtu.conf, sticky by ip_hash), and the servers' CPU
time and memory read from /proc (psutil is not a dependency)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "deploy" / "nginx" / "hongtu.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------- the store copy
def is_postgres(url: str) -> bool:
    return url.split(":", 1)[0] in ("postgres", "postgresql", "postgresql+psycopg")


def copy_store(url: str, folder: Path) -> str:
    """A private copy of the store at ``url`` (the run makes accounts and moves members):
    a GeoPackage through SQLite's backup API, a PostGIS database as ``CREATE DATABASE ...
    TEMPLATE`` (needs the CREATEDB right and no other connection to the source)."""
    if not is_postgres(url):
        target = folder / "store.gpkg"
        with sqlite3.connect(url) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return str(target)
    import psycopg

    base, database = url.rsplit("/", 1)
    copy = f"{database}_bench_{os.getpid()}"
    admin = f"{base}/postgres".replace("postgresql+psycopg:", "postgresql:")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{database}"')
    return f"{base}/{copy}"


def drop_copy(url: str) -> None:
    if not is_postgres(url):
        return
    import psycopg

    base, database = url.rsplit("/", 1)
    admin = f"{base}/postgres".replace("postgresql+psycopg:", "postgresql:")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# ---------------------------------------------------------------------------- nginx
def nginx_site(listen: int, app_ports: list[int]) -> str:
    """deploy/nginx/hongtu.conf on a local port, upstreams on the app servers' ports."""
    text = SITE.read_text().replace("listen 80;", f"listen 127.0.0.1:{listen};")
    for default, port in zip(("8501", "8502"), app_ports, strict=True):
        text = text.replace(f"server 127.0.0.1:{default}", f"server 127.0.0.1:{port}")
    return text


def start_nginx(folder: Path, listen: int, app_ports: list[int]) -> subprocess.Popen:
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    (folder / "tmp").mkdir(exist_ok=True)
    (folder / "site.conf").write_text(nginx_site(listen, app_ports))
    (folder / "nginx.conf").write_text(
        "daemon off; worker_processes 1; pid nginx.pid; error_log logs/error.log;\n"
        "events { worker_connections 4096; }\n"
        "http { access_log off; client_body_temp_path tmp; proxy_temp_path tmp;"
        " include site.conf; }\n")
    subprocess.run([NGINX, "-t", "-p", str(folder), "-c", "nginx.conf"], check=True,
                   capture_output=True)
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", "nginx.conf"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{listen}/hongtu/health", timeout=10).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError((folder / "logs" / "error.log").read_text())


# ---------------------------------------------------------------------------- /proc
def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        except (OSError, IndexError, ValueError):
            pass
    return total


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def scratch_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="bench-sessions-"))
