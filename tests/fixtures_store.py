"""Store fixtures: the generated sample district (built once per session) and tiny stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geo.store import open_store

SAMPLE_SEED = 20220425


@pytest.fixture(scope="session")
def sample_store_path(tmp_path_factory):
    """A pristine generated sample district (seed SAMPLE_SEED), built once per session."""
    from geo.sample import build_store

    path = tmp_path_factory.mktemp("sample") / "sample.gpkg"
    build_store(path, seed=SAMPLE_SEED, scale=1)
    return path


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
def taizhou_store_path(tmp_path_factory):
    """The generated Taizhou sample (9 counties), built once per session."""
    from geo.sample import build_store

    path = tmp_path_factory.mktemp("taizhou") / "taizhou.gpkg"
    build_store(path, seed=SAMPLE_SEED, region="taizhou")
    return path


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
