#!/usr/bin/env bash
# Install Hongtu from this offline bundle: no network, no package index.
#   ./install.sh [PREFIX]      PREFIX defaults to /opt/hongtu
# Creates PREFIX/venv from the wheels beside this script (pip --no-index), PREFIX/bin/hongtu (the
# command with HONGTU_DATA_DIR set), and PREFIX/data/sample.gpkg (the sample store) unless a
# store is there already. Needs python3 with the venv module (Debian: python3-venv).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="$(realpath -m "${1:-/opt/hongtu}")"
DATA_DIR="${HONGTU_DATA_DIR:-$PREFIX/data}"
PYTHON="${PYTHON:-python3}"

want=$(ls "$HERE"/wheels/hongtu-*.whl | head -1)
"$PYTHON" - "$HERE/BUNDLE.txt" <<'PYEOF'
import re, sys
want = re.search(r"Python (\d+)\.?(\d+)", open(sys.argv[1]).read())
have = f"{sys.version_info.major}{sys.version_info.minor}"
if want and want.group(1) + want.group(2) != have:
    sys.exit(f"this bundle is for Python {want.group(1)}.{want.group(2)}; {sys.executable} is {have}")
PYEOF
start=$(date +%s)
mkdir -p "$PREFIX/bin" "$DATA_DIR"
"$PYTHON" -m venv "$PREFIX/venv"
export PIP_NO_INDEX=1 PIP_FIND_LINKS="$HERE/wheels" PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CONSTRAINT
"$PREFIX/venv/bin/python" -m pip install --quiet --no-index --find-links "$HERE/wheels" \
    --isolated "$want"
cat > "$PREFIX/bin/hongtu" <<SH
#!/bin/sh
# Hongtu command with this install's data directory (override with HONGTU_DATA_DIR).
export HONGTU_DATA_DIR="\${HONGTU_DATA_DIR:-$DATA_DIR}"
exec "$PREFIX/venv/bin/hongtu" "\$@"
SH
chmod +x "$PREFIX/bin/hongtu"
if [ ! -e "$DATA_DIR/sample.gpkg" ]; then
    cp "$HERE/sample.gpkg" "$DATA_DIR/sample.gpkg"
fi
echo "installed Hongtu into $PREFIX in $(( $(date +%s) - start )) s (data: $DATA_DIR)"
echo "start:   $PREFIX/bin/hongtu serve --port 8501 --address 0.0.0.0"
