#!/usr/bin/env bash
# Debian packages the tests need: headless Chromium (Playwright drives /usr/bin/chromium; no
# browser is ever downloaded), CJK and emoji fonts for screenshots and printed documents,
# PostgreSQL 15 + PostGIS 3 for the PostGIS store tests, GDAL's command-line tools and Python
# bindings (ogrinfo; validate_gpkg.py of python3-gdal checks stores and exports), poppler-utils
# (pdftoppm: the print tests render PDF pages to images), libreoffice-writer (headless: the
# briefing .docx is rendered as an office suite lays it out) and nginx for the reverse-proxy test.
# Installs only what is missing (one non-interactive `apt-get update` then), as root or sudo.
set -euo pipefail

PACKAGES=(
    chromium fonts-noto-cjk fonts-noto-color-emoji fonts-wqy-zenhei
    postgresql-15 postgresql-15-postgis-3 gdal-bin python3-gdal poppler-utils nginx-light
    libreoffice-writer
)

missing=()
for package in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
    echo "system packages present: ${PACKAGES[*]}"
    exit 0
fi

echo "installing missing system packages: ${missing[*]}"
if ! command -v apt-get >/dev/null; then
    echo "apt-get not found: install ${missing[*]} with your package manager" >&2
    exit 1
fi
as_root=()
if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null; then
        echo "not root and no sudo: install ${missing[*]} as root" >&2
        exit 1
    fi
    as_root=(sudo)
fi
apt_env=(env DEBIAN_FRONTEND=noninteractive)
"${as_root[@]}" "${apt_env[@]}" apt-get update -q
"${as_root[@]}" "${apt_env[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
