"""Shared pytest configuration; fixtures live in the fixtures_*.py plugins beside this file."""

import os
import shutil
import tempfile
from pathlib import Path

from fixtures_postgis import RUN_DIR_ENV, stop_run_cluster

from components.web.state import STATE_DIR_ENV

pytest_plugins = [
    "fixtures_store", "fixtures_browser", "fixtures_postgis", "fixtures_budget", "pytester",
]

_made: list[str] = []  # the state directory this pytest process made (removed at its end)
_run_dirs: list[str] = []  # the run's shared folder, made by the controller


def pytest_configure(config):
    """Each pytest process (each xdist worker of ``make test``) keeps the map's layer files and
    the cookie secret in a state directory of its own: the servers and in-process apps of two
    workers never prune each other's layer folders (``components.layer_files.prune``)."""
    if not os.environ.get(STATE_DIR_ENV):
        _made.append(tempfile.mkdtemp(prefix="hongtu-state-"))
        os.environ[STATE_DIR_ENV] = _made[-1]
    if getattr(config, "workerinput", None) is None:  # the controller: its workers inherit it
        _run_dirs.append(tempfile.mkdtemp(prefix="hongtu-run-"))
        os.environ[RUN_DIR_ENV] = _run_dirs[-1]


def pytest_unconfigure(config):
    for folder in _made:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(STATE_DIR_ENV, None)
    for folder in _run_dirs:  # the controller: the run's PostGIS cluster goes with the run
        stop_run_cluster(Path(folder))
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(RUN_DIR_ENV, None)
