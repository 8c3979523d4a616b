"""A throw-away PostgreSQL + PostGIS cluster for the store tests.

The first pytest process of a run that needs it (an xdist worker, or the only process) runs
``initdb`` and ``pg_ctl`` from the Debian packages (``postgresql-15``, ``postgresql-15-postgis-3``)
as the ``postgres`` OS user when the tests run as root (PostgreSQL refuses root), in a private
temp dir, on a free loopback port, with fsync off; the other workers find it through the run's
folder (``RUN_DIR_ENV``, made by the controller in conftest.py) and the controller stops it at
the end of the run. A template database holds the PostGIS extension; every test that asks for
``postgis_store`` gets its own database copied from it. Without the binaries the tests are
skipped, or fail when ``CI`` is set.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("HONGTU_PG_BIN", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
OS_USER = "postgres"
TEMPLATE_DB = "hongtu_template"
SESSION_DB = "hongtu_session"
RUN_DIR_ENV = "HONGTU_TEST_RUN_DIR"  # a folder shared by the controller and workers of one run
CLUSTER_FILE = "postgis-cluster.json"
_counter = itertools.count(1)


@dataclass
class Cluster:
    port: int
    root: Path

    def url(self, database: str) -> str:
        return f"postgresql://{OS_USER}@127.0.0.1:{self.port}/{database}"

    def admin(self, *statements: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            for statement in statements:
                conn.execute(statement)

    def new_database(self, prefix: str = "hongtu_test", template: str = TEMPLATE_DB) -> str:
        """A new database copied from ``template`` (default: empty with PostGIS); its URL.
        Nobody may be connected to the template while it is copied."""
        name = f"{prefix}_{os.getpid()}_{next(_counter)}"
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _unavailable(reason: str):
    message = f"PostGIS test cluster unavailable: {reason}"
    if os.environ.get("CI"):
        pytest.fail(message + " (CI is set: install postgresql-15 and postgresql-15-postgis-3)",
                    pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", OS_USER, "--", *args] if os.geteuid() == 0 else args


def _run(args: list[str], what: str) -> None:
    done = subprocess.run(_as_postgres(args), check=False, capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        _unavailable(f"{what} failed ({done.returncode}): {done.stderr.strip() or done.stdout}")


def _start_cluster() -> Cluster:
    root = Path(tempfile.mkdtemp(prefix="hongtu-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, OS_USER, OS_USER)
    data = root / "data"
    port = _free_port()
    _run([str(PG_BIN / "initdb"), "-D", str(data), "-U", OS_USER, "--auth=trust", "-E", "UTF8",
          "--locale=C", "--no-sync"], "initdb")
    options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w",
          "-t", "60", "-o", options, "start"], "pg_ctl start")
    cluster = Cluster(port, root)
    cluster.admin(f"CREATE DATABASE {TEMPLATE_DB}")
    cluster.admin("CREATE EXTENSION postgis", database=TEMPLATE_DB)
    return cluster


def stop_cluster(root: Path) -> None:
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-m",
                                 "immediate", "-w", "stop"]),
                   check=False, capture_output=True, timeout=60)
    shutil.rmtree(root, ignore_errors=True)


def stop_run_cluster(run_dir: Path) -> None:
    """Stop the run's cluster, if one was started (the controller, at the end of the run)."""
    info = run_dir / CLUSTER_FILE
    if info.exists():
        stop_cluster(Path(json.loads(info.read_text())["root"]))
        info.unlink()


@pytest.fixture(scope="session")
def postgis_cluster():
    """The run's throw-away cluster with a PostGIS template database: started by the first
    process that asks, shared by the others, stopped by the controller."""
    missing = [p for p in (PG_BIN / "initdb", PG_BIN / "pg_ctl", POSTGIS_CONTROL) if not p.exists()]
    if missing:
        _unavailable("missing " + ", ".join(map(str, missing)))
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        _unavailable("running as root without runuser")
    run_dir = Path(os.environ[RUN_DIR_ENV])
    info = run_dir / CLUSTER_FILE
    with open(run_dir / "postgis.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if info.exists():
            known = json.loads(info.read_text())
            cluster = Cluster(known["port"], Path(known["root"]))
        else:
            cluster = _start_cluster()
            info.write_text(json.dumps({"port": cluster.port, "root": str(cluster.root)}))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    cluster.admin(f'CREATE DATABASE "{SESSION_DB}_{worker}" TEMPLATE {TEMPLATE_DB}')
    yield cluster


@pytest.fixture(scope="session")
def postgis_url(postgis_cluster) -> str:
    """URL of a session-wide database with the PostGIS extension (shared: do not assume empty)."""
    return postgis_cluster.url(f"{SESSION_DB}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")


@pytest.fixture
def fresh_postgis_url(postgis_cluster) -> str:
    """URL of a new, empty database with PostGIS, private to this test (dropped after it)."""
    url = postgis_cluster.new_database()
    yield url
    postgis_cluster.drop_database(url)


@pytest.fixture
def postgis_store(fresh_postgis_url):
    """A PostGISStore on a fresh empty database (schema created on first use)."""
    from geo.store.postgis import PostGISStore

    store = PostGISStore(fresh_postgis_url)
    yield store
    store.dispose()
