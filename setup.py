"""Wheel build step that pyproject.toml cannot express: copy the app's own files (``app.py``,
``asgi.py``, ``views/``, ``data/reference/``, ``.streamlit/config.toml``) into the package
``hongtu_app`` so that an installed wheel runs the app (``geo/paths.py`` finds them there), and
refuse to build a wheel without the vendored map assets (``python scripts/vendor_assets.py``
first; ``make wheel`` and ``make bundle`` do it)."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
APP_FILES = ("app.py", "asgi.py", ".streamlit/config.toml")
APP_TREES = {"views": "*.py", "data/reference": "*"}
ASSET_CHECK = ROOT / "components" / "assets" / "vendor" / "hongtu" / "leaflet-bundle.js"


class BuildWithApp(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install runs from the checkout itself
        if not ASSET_CHECK.is_file():
            raise SystemExit("map assets missing: run `python scripts/vendor_assets.py` first")
        target = Path(self.build_lib) / "hongtu_app"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        (target / "__init__.py").write_text('"""The app\'s page scripts and data (see setup.py)."""\n')
        for rel in APP_FILES:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, target / rel)
        for folder, pattern in APP_TREES.items():
            for path in sorted((ROOT / folder).glob(pattern)):
                if path.is_file():
                    (target / folder).mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, target / folder / path.name)


setup(cmdclass={"build_py": BuildWithApp})
