"""Store fixtures: the generated sample stores (built once, then copied) and tiny stores.

A generated store is built once for all pytest workers and later runs: ``cached_sample`` keeps it
in pytest's cache folder under a key made of the generator's inputs (its arguments, the source of
the generator, the store and the schema, and the versions of the libraries that write it), built
by the first worker that needs it while the others wait on a file lock. Each worker then copies
it into its own temporary folder, so that no test can change the cached file.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import shutil
import sqlite3
from contextlib import closing
from importlib import metadata
from pathlib import Path

import pytest

from geo.store import open_store

SAMPLE_SEED = 20220425
PROJECT_ROOT = Path(__file__).resolve().parents[1]
# What a generated store depends on besides its arguments.
GENERATOR_SOURCES = ("geo/sample", "geo/store", "geo/schema.py", "geo/schema_network.py",
                     "geo/schema_types.py", "geo/schema_work.py", "geo/crs.py", "geo/clock.py")
WRITER_PACKAGES = ("geopandas", "shapely", "pyogrio", "pyproj", "pandas", "numpy")


def generator_key(**arguments) -> str:
    """A digest of everything a generated store is made from."""
    digest = hashlib.sha256(json.dumps(arguments, sort_keys=True, default=str).encode())
    for source in GENERATOR_SOURCES:
        root = PROJECT_ROOT / source
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            if path.exists():
                digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
                digest.update(path.read_bytes())
    for package in WRITER_PACKAGES:
        digest.update(f"{package}={metadata.version(package)}".encode())
    return digest.hexdigest()[:20]


def cached_sample(config, tmp_path_factory, name: str, **arguments) -> Path:
    """A private copy of the sample store ``build_store(**arguments)``, built at most once."""
    from geo.sample import build_store

    folder = Path(config.cache.mkdir("hongtu-stores"))
    cached = folder / f"{name}-{generator_key(**arguments)}.gpkg"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait while one builds
        if not cached.exists():
            for stale in folder.glob(f"{name}-*.gpkg"):
                stale.unlink()
            partial = folder / f"{name}.partial.gpkg"
            partial.unlink(missing_ok=True)
            build_store(partial, **arguments)
            gc.collect()  # the builder's store object and its connections
            with closing(sqlite3.connect(partial)) as conn:  # everything into the one file
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            partial.rename(cached)
    copy = tmp_path_factory.mktemp(name) / f"{name}.gpkg"
    shutil.copyfile(cached, copy)
    return copy


@pytest.fixture(scope="session")
def sample_store_path(request, tmp_path_factory):
    """A pristine generated sample district (seed SAMPLE_SEED), built once (``cached_sample``)."""
    return cached_sample(request.config, tmp_path_factory, "sample", seed=SAMPLE_SEED, scale=1)


@pytest.fixture(scope="session")
def sample_store(sample_store_path):
    """The shared sample store: read-only by convention (copy it to write)."""
    return open_store(sample_store_path)


@pytest.fixture
def writable_sample_store(sample_store_path, tmp_path):
    """A private copy of the sample store that a test may write."""
    path = tmp_path / "sample.gpkg"
    shutil.copyfile(sample_store_path, path)
    return open_store(path)


@pytest.fixture
def small_store(tmp_path):
    """The hand-built small store of make_bad_files: street S1, grids G1/G2, compound X1,
    members M1/M2."""
    from make_bad_files import build_tiny_store

    return build_tiny_store(tmp_path / "small.gpkg")


@pytest.fixture(scope="session")
def taizhou_store_path(request, tmp_path_factory):
    """The generated Taizhou sample (9 counties), built once (``cached_sample``)."""
    return cached_sample(request.config, tmp_path_factory, "taizhou", seed=SAMPLE_SEED,
                         region="taizhou")


@pytest.fixture
def app_first(monkeypatch):
    """Run app.py on every AppTest run, as production does.

    Streamlit treats a ``pages/`` folder beside app.py as an automatic multipage app until
    the process first calls ``st.navigation`` (the first request would skip app.py and its
    sign-in gate), which is why the pages live in ``views/``. This keeps AppTest on app.py
    should such a folder ever come back."""
    from streamlit.runtime.scriptrunner import script_runner

    def run_main_script(path):
        source = Path(path).read_text(encoding="utf-8")
        code = compile(source, str(path), "exec")
        exec(code, {"__name__": "__main__", "__file__": str(path)})  # noqa: S102 - as Streamlit

    monkeypatch.setattr(script_runner, "_mpa_v1", run_main_script)
