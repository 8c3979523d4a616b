"""Put the map's scripts, style sheets and icon fonts into components/assets/vendor/ (package
data of the wheel; no CDN at run time), each package's licence beside its files and a list of
them all in LICENSES.md.

The packages, their pinned versions and integrity hashes, and the files taken from each are
listed in ``components/offline.py``. Tarballs come from the npm registry through ``npm pack``
(so an ``.npmrc`` mirror is honoured and npm's cache makes a second run work offline), or
straight from the registry over HTTPS when npm is missing. Every tarball is checked against its
pinned sha512 before use. Idempotent: does nothing when the stamp file matches the manifest.

Usage: python scripts/vendor_assets.py [--force]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from fnmatch import fnmatch
from pathlib import Path

from components import offline
from components.offline import (
    BUNDLE_CSS,
    BUNDLE_JS,
    CDN_TO_LOCAL,
    GLYPHICONS_CSS,
    HEAT_JS,
    ICON_PATH_JS,
    ICON_PATH_SCRIPT,
    LICENSES_FILE,
    NPM_INTEGRITY,
    NPM_PACKAGES,
    ROTATE_CSS,
    STAMP_FILE,
    VENDOR_DIR,
    bundle_text,
    missing_files,
    package_dir_name,
)

DEFAULT_REGISTRY = "https://registry.npmjs.org"
GLYPHICONS_SOURCE = ("bootstrap@3.4.1", "dist/css/bootstrap.css")
CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
LICENSE_NAME = re.compile(r"^[^/]*(licen[cs]e|copying)[^/]*$", re.IGNORECASE)


def fingerprint() -> str:
    manifest = {
        "packages": NPM_PACKAGES,
        "integrity": NPM_INTEGRITY,
        "cdn": CDN_TO_LOCAL,
        "bundles": hashlib.sha256(Path(offline.__file__).read_bytes()).hexdigest(),
        "folium": importlib.metadata.version("folium"),
        "generator": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
    }
    return hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()


def up_to_date() -> bool:
    stamp = VENDOR_DIR / STAMP_FILE
    return stamp.is_file() and stamp.read_text().strip() == fingerprint() and not missing_files()


def split_spec(spec: str) -> tuple[str, str]:
    """``@scope/name@1.2.3`` -> (``@scope/name``, ``1.2.3``)."""
    name, _, version = spec.rpartition("@")
    return name, version


def fetch_tarball(spec: str, into: Path) -> Path:
    npm = shutil.which("npm")
    if npm:
        out = subprocess.run(
            [npm, "pack", spec, "--pack-destination", str(into), "--json", "--silent"],
            check=True, capture_output=True, text=True,
        )
        path = into / json.loads(out.stdout)[0]["filename"]
    else:
        name, version = split_spec(spec)
        registry = os.environ.get("npm_config_registry", DEFAULT_REGISTRY).rstrip("/")
        url = f"{registry}/{name}/-/{package_dir_name(name)}-{version}.tgz"
        path = into / f"{package_dir_name(name)}-{version}.tgz"
        with urllib.request.urlopen(url, timeout=60) as response:
            path.write_bytes(response.read())
    check_integrity(spec, path)
    return path


def check_integrity(spec: str, tarball: Path) -> None:
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != NPM_INTEGRITY[spec]:
        raise SystemExit(f"{spec}: tarball integrity mismatch (got sha512-{digest})")


def extract(spec: str, tarball: Path) -> tuple[dict[str, bytes], str]:
    """The wanted files of one package tarball (by path relative to the package root, its
    licence files included) and the licence named in its package.json."""
    wanted = NPM_PACKAGES[spec]
    files: dict[str, bytes] = {}
    licence = "?"
    with tarfile.open(tarball, "r:gz") as archive:
        for member in archive.getmembers():
            rel = member.name.split("/", 1)[-1]
            if not member.isfile() or ".." in rel.split("/"):
                continue
            if rel == "package.json":
                meta = json.loads(archive.extractfile(member).read())
                named = meta.get("license") or meta.get("licenses") or "?"
                licence = (" AND ".join(str(n.get("type", n)) for n in named)
                           if isinstance(named, list) else str(named))
            if LICENSE_NAME.match(rel) or any(fnmatch(rel, pattern) for pattern in wanted):
                files[rel] = archive.extractfile(member).read()
        if spec == GLYPHICONS_SOURCE[0]:
            member = archive.getmember(f"package/{GLYPHICONS_SOURCE[1]}")
            files[GLYPHICONS_SOURCE[1]] = archive.extractfile(member).read()
    for pattern in wanted:
        if not any(fnmatch(rel, pattern) for rel in files):
            raise SystemExit(f"{spec}: no file matches {pattern!r}")
    return files, licence


def glyphicons_css(bootstrap3_css: str) -> str:
    """Only the Glyphicons @font-face and .glyphicon rules of Bootstrap 3 (no grid or resets,
    which would fight Bootstrap 5); font URLs stay ``../fonts/...`` as in Bootstrap."""
    rules = []
    for match in CSS_RULE.finditer(bootstrap3_css):
        selector, body = match.group(1).strip(), match.group(2)
        is_font = selector.endswith("@font-face") and "Glyphicons Halflings" in body
        if is_font or selector.startswith(".glyphicon"):
            rules.append(f"{'@font-face' if is_font else selector} {{{body}}}")
    if len(rules) < 250:
        raise SystemExit(f"glyphicons: only {len(rules)} rules found in bootstrap.css")
    return "/* Glyphicons Halflings, cut from Bootstrap 3.4.1 (MIT) */\n" + "\n".join(rules) + "\n"


def rotate_css() -> str:
    """folium's leaflet.awesome.rotate.css: ``.fa-rotate-N`` for marker icon angles."""
    return "".join(
        f".fa-rotate-{n}{{-ms-transform:rotate({n}deg);-webkit-transform:rotate({n}deg);"
        f"transform:rotate({n}deg)}}\n"
        for n in range(1, 360)
    )


def heat_js() -> bytes:
    return (importlib.resources.files("folium") / "templates" / "leaflet_heat.min.js").read_bytes()


def vendor(target: Path) -> None:
    licences = ["# Licences of the vendored map assets", "",
                "| package | licence | licence file | npm integrity |", "| --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory(prefix="hongtu-vendor-") as tmp:
        for spec in NPM_PACKAGES:
            files, licence = extract(spec, fetch_tarball(spec, Path(tmp)))
            texts = [rel for rel in files if LICENSE_NAME.match(rel)]
            shown = ", ".join(f"{package_dir_name(spec)}/{rel}" for rel in texts) or "-"
            licences.append(f"| {spec} | {licence} | {shown} | `{NPM_INTEGRITY[spec][:23]}…` |")
            root = target / package_dir_name(spec)
            for rel, data in files.items():
                if spec == GLYPHICONS_SOURCE[0] and rel == GLYPHICONS_SOURCE[1]:
                    (target / GLYPHICONS_CSS).parent.mkdir(parents=True, exist_ok=True)
                    (target / GLYPHICONS_CSS).write_text(glyphicons_css(data.decode()))
                    continue
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_bytes(data)
            print(f"  {spec}: {len(files)} files")
    (target / ROTATE_CSS).parent.mkdir(parents=True, exist_ok=True)
    (target / ROTATE_CSS).write_text(rotate_css())
    (target / HEAT_JS).write_bytes(heat_js())
    (target / ICON_PATH_JS).write_text(ICON_PATH_SCRIPT)
    (target / BUNDLE_JS).parent.mkdir(parents=True, exist_ok=True)
    (target / BUNDLE_JS).write_text(bundle_text(target, css=False), encoding="utf-8")
    (target / BUNDLE_CSS).write_text(bundle_text(target, css=True), encoding="utf-8")
    folium_version = importlib.metadata.version("folium")
    folium_row = (f"| folium {folium_version} (leaflet_heat.min.js; awesome.rotate.css rebuilt) "
                  "| MIT | - | - |")
    licences += [folium_row, ""]
    (target / LICENSES_FILE).write_text("\n".join(licences), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="download again even if up to date")
    args = parser.parse_args(argv)
    if not args.force and up_to_date():
        print(f"vendored assets up to date in {VENDOR_DIR}")
        return 0
    print(f"vendoring map assets into {VENDOR_DIR}")
    with tempfile.TemporaryDirectory(prefix="hongtu-static-") as staging:
        vendor(Path(staging) / "vendor")
        shutil.rmtree(VENDOR_DIR, ignore_errors=True)
        VENDOR_DIR.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(Path(staging) / "vendor", VENDOR_DIR)
    missing = missing_files()
    if missing:
        print("missing after vendoring: " + ", ".join(missing), file=sys.stderr)
        return 1
    (VENDOR_DIR / STAMP_FILE).write_text(fingerprint() + "\n")
    print(f"vendored {len(CDN_TO_LOCAL)} map assets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
