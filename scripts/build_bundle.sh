#!/usr/bin/env bash
# Build the offline bundle (`make bundle`): one archive with the app's wheel (map assets and
# page scripts inside), a wheel of every dependency for this platform and Python, a sample
# store and install.sh. Needs PyPI (or the configured mirror) and the npm registry while it
# builds; the archive then installs on a machine with no network at all.
#   dist/hongtu-bundle-<version>-linux_x86_64-py<XY>.tar.gz
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
VERSION=$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
PYTAG=$("$PY" -c 'import sys; print(f"py{sys.version_info.major}{sys.version_info.minor}")')
ARCH=$(uname -m)
NAME="hongtu-bundle-${VERSION}-linux_${ARCH}-${PYTAG}"
STAGE="build/${NAME}"
SAMPLE=${SAMPLE:-data/sample.gpkg}

rm -rf "$STAGE" && mkdir -p "$STAGE/wheels" dist
"$PY" scripts/vendor_assets.py
[ -f "$SAMPLE" ] || "$PY" -m geo.cli sample --out "$SAMPLE"
# the app's wheel, then every dependency as a wheel for this interpreter and platform
rm -rf build/lib build/bdist* ./*.egg-info
"$PY" -m pip wheel --quiet --no-deps --wheel-dir "$STAGE/wheels" .
APP_WHEEL=$(ls "$STAGE"/wheels/hongtu-*.whl)
"$PY" -m pip wheel --quiet --wheel-dir "$STAGE/wheels" "$APP_WHEEL"
# pip, setuptools and wheel too: a venv made offline can then upgrade its own pip
"$PY" -m pip download --quiet --only-binary=:all: --dest "$STAGE/wheels" pip setuptools wheel
"$PY" - "$SAMPLE" "$STAGE/sample.gpkg" <<'PYEOF'
import sqlite3, sys
from contextlib import closing
with closing(sqlite3.connect(sys.argv[1])) as src, closing(sqlite3.connect(sys.argv[2])) as dst:
    src.backup(dst)  # a consistent copy even while an app writes the store
PYEOF
cp deploy/install.sh "$STAGE/install.sh"
cp -r deploy/hongtu@.service deploy/nginx "$STAGE/" 2>/dev/null || true
cat > "$STAGE/BUNDLE.txt" <<TXT
Hongtu ${VERSION} offline bundle for Linux ${ARCH}, Python ${PYTAG#py} (python3 -m venv needed).
Built $(date -u +%Y-%m-%dT%H:%MZ) from $(git rev-parse --short HEAD 2>/dev/null || echo "a source tree").
Install: ./install.sh [PREFIX]   (default /opt/hongtu; no network used)
Start:   PREFIX/bin/hongtu serve --port 8501 --address 0.0.0.0
TXT
(cd "$STAGE/wheels" && sha256sum ./*.whl > SHA256SUMS)
tar -C build -I "gzip -1" -cf "dist/${NAME}.tar.gz" "$NAME"  # wheels are compressed already
ls -l "dist/${NAME}.tar.gz"
echo "dist/${NAME}.tar.gz"
