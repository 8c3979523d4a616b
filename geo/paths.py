"""Where the app's files are, in a source checkout and in an installed wheel.

* ``APP_ROOT``: the directory holding ``app.py``, ``asgi.py``, ``views/``, ``data/reference/``
  and ``.streamlit/config.toml``. In a checkout that is the repository; a wheel installs a copy
  of them as the package ``hongtu_app`` (made by ``setup.py`` at build time).
* ``DATA_DIR``: where the default store and other written files go: ``HONGTU_DATA_DIR`` if
  set, else ``data/`` of the checkout, else ``~/.local/share/hongtu`` for an installed wheel
  (the systemd unit sets ``HONGTU_DATA_DIR=/var/lib/hongtu``).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[1]
INSTALLED_APP_PACKAGE = "hongtu_app"
DATA_DIR_ENV = "HONGTU_DATA_DIR"


def _app_root() -> Path:
    if (SOURCE_ROOT / "app.py").is_file():
        return SOURCE_ROOT
    spec = importlib.util.find_spec(INSTALLED_APP_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{INSTALLED_APP_PACKAGE}: app files not installed (broken wheel)")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _data_dir() -> Path:
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV])
    if APP_ROOT == SOURCE_ROOT:
        return SOURCE_ROOT / "data"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "hongtu"


APP_ROOT = _app_root()
IS_CHECKOUT = APP_ROOT == SOURCE_ROOT
DATA_DIR = _data_dir()
REFERENCE_DIR = APP_ROOT / "data" / "reference"
