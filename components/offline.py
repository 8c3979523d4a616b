"""Serve every script, style sheet and icon font the maps use from the app itself.

folium and streamlit-folium load Leaflet, its plugins, jQuery, Bootstrap, Font Awesome and
d3 from public CDNs; government intranets (and this machine) reach none of them. The files
are taken from pinned, hash-checked npm packages (``scripts/vendor_assets.py``) into
``components/assets/vendor/`` (package data: a wheel carries them, with their licences) and
served by Hongtu's own route ``/hongtu/assets`` (``components/web/assets.py``). When they are
missing, every map says so, and how to get them, instead of staying blank.

:func:`use_local_assets` rewrites every known CDN address to its local copy: the
``default_js``/``default_css`` lists of folium's map and plugins, branca's hard-wired links (the
colour-scale legend's d3) and the links streamlit-folium hands to its iframe. Call it before
building a map; it is cheap and idempotent.

Offline maps have no tile layer (``folium.Map(tiles=None)``), so Leaflet knows no maximum zoom:
give one on the map (``folium.Map(tiles=None, maxZoom=19)``) or MarkerCluster throws "Map has
no maxZoom specified" and draws nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent / "assets" / "vendor"
STATIC_ROUTE = "hongtu/assets"  # served by components/web/assets.py
STAMP_FILE = ".vendored"
LICENSES_FILE = "LICENSES.md"  # written by scripts/vendor_assets.py

# npm packages (pinned) -> files taken from the package, relative to its root (globs allowed).
# Each lands in static/vendor/<package name without scope>@<version>/<same relative path>.
NPM_PACKAGES: dict[str, tuple[str, ...]] = {
    "leaflet@1.9.4": ("dist/leaflet.js", "dist/leaflet.css", "dist/images/*.png"),
    "leaflet.markercluster@1.1.0": (
        "dist/leaflet.markercluster.js", "dist/MarkerCluster.css", "dist/MarkerCluster.Default.css",
    ),
    "leaflet.fullscreen@3.0.0": (
        "Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg",
    ),
    "jquery@3.7.1": ("dist/jquery.min.js",),
    "bootstrap@5.2.2": ("dist/js/bootstrap.bundle.min.js", "dist/css/bootstrap.min.css"),
    # Bootstrap 3 only for the Glyphicons font (folium's default marker icons); the style
    # sheet holding just the glyphicon rules is cut out of bootstrap.css by the vendor script.
    "bootstrap@3.4.1": ("dist/fonts/glyphicons-halflings-regular.*",),
    "@fortawesome/fontawesome-free@6.2.0": ("css/all.min.css", "webfonts/*"),
    # The original Leaflet.awesome-markers 2.0.2 (as on cdnjs), republished unchanged.
    "drmonty-leaflet-awesome-markers@2.0.2": (
        "js/leaflet.awesome-markers.js", "css/leaflet.awesome-markers.css", "css/images/*.png",
    ),
    "d3@3.5.5": ("d3.min.js",),  # branca colour scales (legends)
    "d3@4.13.0": ("build/d3.min.js",),  # streamlit-folium adds it next to d3 3 for legends
}

# npm tarball integrity (sha512), checked after download so a mirror cannot swap a file.
NPM_INTEGRITY: dict[str, str] = {
    "leaflet@1.9.4": "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWy"
    "ZAxwQixURb+FA74PA==",
    "leaflet.markercluster@1.1.0": "sha512-eI+XkCiLiHwCC3uZ4/n4+Vq3rXcqEHN2lhHRVG1WVziy/3Q0TTipWk"
    "zEa1zO0dKZI2AnI5ppFDWrOjnQ7MJLKQ==",
    "leaflet.fullscreen@3.0.0": "sha512-81wWSUXz1ZtdneR0v5eJDWXUSx+Zo5J50WXWeydG/UcILfIEAgz/iOjZSi"
    "3p00Z9MJ/FC/P5i3CgdYuEAos0yQ==",
    "jquery@3.7.1": "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdA"
    "DVD7CkUUizgkpLfg==",
    "bootstrap@5.2.2": "sha512-dEtzMTV71n6Fhmbg4fYJzQsw1N29hJKO1js5ackCgIpDcGid2ETMGC6zwSYw09v05Y+o"
    "RdQ9loC54zB1La3hHQ==",
    "bootstrap@3.4.1": "sha512-yN5oZVmRCwe5aKwzRj6736nSmKDX7pLYwsXiCj/EYmo16hODaBiT4En5btW/jhBF/seV"
    "+XMx3aYwukYC3A49DA==",
    "@fortawesome/fontawesome-free@6.2.0": "sha512-CNR7qRIfCwWHNN7FnKUniva94edPdyQzil/zCwk3v6k4R6rR"
    "2Fr8i4s3PM7n/lyfPA6Zfko9z5WDzFxG9SW1uQ==",
    "drmonty-leaflet-awesome-markers@2.0.2": "sha512-g508pdnnHQr9l4kU6McvJzcSd0w1FvHFlZZCYc4oT+zjwY"
    "Ji1qtj0fFBFEWMKoNfHK4UcBya1eccyjKfu4chjQ==",
    "d3@3.5.5": "sha512-JPx0wEFxcYVcCZXgUbsy8NzVzD3zKat1KLtdCeOHPsmrpFlc09nr2/5Ls9ey7mo8SV6cWew0piLr"
    "mPVybj9I8w==",
    "d3@4.13.0": "sha512-l8c4+0SldjVKLaE2WG++EQlqD7mh/dmQjvi2L2lKPadAVC+TbJC4ci7Uk9bRi+To0+ansgsS0iW"
    "fPjD7DBy+FQ==",
}

GLYPHICONS_CSS = "bootstrap@3.4.1/dist/css/bootstrap-glyphicons.css"
ROTATE_CSS = "folium@0.20/leaflet.awesome.rotate.min.css"
HEAT_JS = "folium@0.20/leaflet_heat.min.js"  # copied from the installed folium package
# Sets L.Icon.Default.imagePath from its own address. streamlit-folium adds the style sheets
# without waiting for them, so Leaflet's detection (which reads leaflet.css) may run too early
# and fall back to ".../dist" (no "/images/"): default markers would then 404.
ICON_PATH_JS = "leaflet@1.9.4/dist/leaflet-icon-path.js"
ICON_PATH_SCRIPT = ('L.Icon.Default.imagePath = '
                    'document.currentScript.src.replace(/[^/]*$/, "images/");\n')

# One script and one style sheet for Leaflet, the image path and MarkerCluster: streamlit-folium
# loads a map frame's scripts one after another (each waits for the previous), so three files
# cost three round trips before the map can start; the bundle costs one. Built from the
# vendored files by scripts/vendor_assets.py; images stay where Leaflet's package has them.
LEAFLET_JS = "leaflet@1.9.4/dist/leaflet.js"
LEAFLET_CSS = "leaflet@1.9.4/dist/leaflet.css"
CLUSTER_JS = "leaflet.markercluster@1.1.0/dist/leaflet.markercluster.js"
BUNDLE_JS = "hongtu/leaflet-bundle.js"
BUNDLE_CSS = "hongtu/leaflet-bundle.css"
BUNDLED_JS = (LEAFLET_JS, ICON_PATH_JS, CLUSTER_JS)
BUNDLED_CSS = (LEAFLET_CSS, "leaflet.markercluster@1.1.0/dist/MarkerCluster.css",
               "leaflet.markercluster@1.1.0/dist/MarkerCluster.Default.css")
BUNDLE_IMAGES = "../leaflet@1.9.4/dist/images/"  # from BUNDLE_JS/BUNDLE_CSS

_JSDELIVR = "https://cdn.jsdelivr.net"
_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs"
_FOLIUM_GH = f"{_JSDELIVR}/gh/python-visualization/folium"

# CDN address (as folium, branca and streamlit-folium write it) -> local path under VENDOR_DIR.
CDN_TO_LOCAL: dict[str, str] = {
    f"{_JSDELIVR}/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet@1.9.4/dist/leaflet.js",
    f"{_JSDELIVR}/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet@1.9.4/dist/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery@3.7.1/dist/jquery.min.js",
    f"{_JSDELIVR}/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js":
        "bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
    f"{_JSDELIVR}/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css":
        "bootstrap@5.2.2/dist/css/bootstrap.min.css",
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": GLYPHICONS_CSS,
    f"{_JSDELIVR}/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css":
        "fontawesome-free@6.2.0/css/all.min.css",
    f"{_CDNJS}/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        "drmonty-leaflet-awesome-markers@2.0.2/js/leaflet.awesome-markers.js",
    f"{_CDNJS}/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        "drmonty-leaflet-awesome-markers@2.0.2/css/leaflet.awesome-markers.css",
    f"{_FOLIUM_GH}/folium/templates/leaflet.awesome.rotate.min.css": ROTATE_CSS,
    f"{_FOLIUM_GH}@main/folium/templates/leaflet_heat.min.js": HEAT_JS,
    f"{_CDNJS}/leaflet.markercluster/1.1.0/leaflet.markercluster.js":
        "leaflet.markercluster@1.1.0/dist/leaflet.markercluster.js",
    f"{_CDNJS}/leaflet.markercluster/1.1.0/MarkerCluster.css":
        "leaflet.markercluster@1.1.0/dist/MarkerCluster.css",
    f"{_CDNJS}/leaflet.markercluster/1.1.0/MarkerCluster.Default.css":
        "leaflet.markercluster@1.1.0/dist/MarkerCluster.Default.css",
    f"{_JSDELIVR}/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js":
        "leaflet.fullscreen@3.0.0/Control.FullScreen.js",
    f"{_JSDELIVR}/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css":
        "leaflet.fullscreen@3.0.0/Control.FullScreen.css",
    f"{_CDNJS}/d3/3.5.5/d3.min.js": "d3@3.5.5/d3.min.js",
    "https://d3js.org/d3.v4.min.js": "d3@4.13.0/build/d3.min.js",
}


def package_dir_name(spec: str) -> str:
    """``@fortawesome/fontawesome-free@6.2.0`` -> ``fontawesome-free@6.2.0``."""
    return spec.rsplit("/", 1)[-1]


def url_prefix() -> str:
    """Where the vendored files are served, honouring Streamlit's ``server.baseUrlPath``."""
    from streamlit import config

    return route_path(config.get_option("server.baseUrlPath") or "")


def route_path(base_url_path: str) -> str:
    base = base_url_path.strip("/")
    return "/" + "/".join(part for part in (base, STATIC_ROUTE) if part)


def local_url(url: str, prefix: str | None = None) -> str:
    """The local address of a known CDN file; any other address unchanged."""
    path = CDN_TO_LOCAL.get(url)
    if path is None:
        return url
    return f"{prefix if prefix is not None else url_prefix()}/{path}"


def bundle_text(vendor_dir: Path, css: bool) -> str:
    """The bundled script (or style sheet) made of the vendored files."""
    parts = []
    for rel in BUNDLED_CSS if css else BUNDLED_JS:
        text = (vendor_dir / rel).read_text(encoding="utf-8")
        if rel == ICON_PATH_JS:
            text = ICON_PATH_SCRIPT.replace('"images/"', f'"{BUNDLE_IMAGES}"')
        elif rel == LEAFLET_CSS:
            text = text.replace("url(images/", f"url({BUNDLE_IMAGES}")
        parts.append(f"/* {rel} */\n{text}")
    return ("\n" if css else "\n;\n").join(parts)


def bundled_links(js: list[str], css: list[str], prefix: str) -> tuple[list[str], list[str]]:
    """Replace the bundled files in a frame's link lists by the bundle (where Leaflet was)."""
    def swap(links, members, bundle):
        urls = [f"{prefix}/{m}" for m in members]
        if urls[0] not in links:
            return links
        at = links.index(urls[0])
        rest = [u for u in links if u not in urls]
        return rest[:at] + [f"{prefix}/{bundle}"] + rest[at:]

    return swap(js, BUNDLED_JS, BUNDLE_JS), swap(css, BUNDLED_CSS, BUNDLE_CSS)


_COMPLETE: set[Path] = set()  # asset folders found complete (a fact about the disk)


def missing_files() -> list[str]:
    """Local paths the maps may reference that are not in ``VENDOR_DIR`` (a folder found
    complete once is not looked through again on every map drawn)."""
    if VENDOR_DIR in _COMPLETE:
        return []
    wanted = {*CDN_TO_LOCAL.values(), ICON_PATH_JS, BUNDLE_JS, BUNDLE_CSS}
    missing = sorted(p for p in wanted if not (VENDOR_DIR / p).is_file())
    if not missing:
        _COMPLETE.add(VENDOR_DIR)
    return missing


def use_local_assets() -> None:
    """Point folium, branca and streamlit-folium at the vendored copies (idempotent)."""
    prefix = url_prefix()
    _patch_folium_classes(prefix)
    _patch_branca_links()
    _patch_streamlit_folium()


def _asset_classes():
    import folium
    import folium.plugins
    from folium.elements import JSCSSMixin

    seen, todo = set(), [JSCSSMixin, folium.Map]
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.add(cls)
            todo.extend(cls.__subclasses__())
    return seen


def _patch_folium_classes(prefix: str) -> None:
    import folium

    for cls in _asset_classes():
        for attr in ("default_js", "default_css"):
            links = cls.__dict__.get(attr)
            if isinstance(links, list):  # properties (computed lists) follow what they read
                links[:] = [(name, local_url(url, prefix)) for name, url in links]
    scripts = folium.Map.default_js
    names = [name for name, _ in scripts]
    if "leaflet_icon_path" not in names:
        scripts.insert(names.index("leaflet") + 1,
                       ("leaflet_icon_path", f"{prefix}/{ICON_PATH_JS}"))


def _mark_patched(func):
    func.hongtu_local_assets = True
    return func


def _patch_branca_links() -> None:
    """branca writes some links itself (the colour-scale legend's d3), not via default_js."""
    from branca.element import Link

    if getattr(Link.__init__, "hongtu_local_assets", False):
        return
    original = Link.__init__

    @_mark_patched
    @functools.wraps(original)
    def init(self, url, download=False):
        original(self, url=local_url(url), download=download)

    Link.__init__ = init


def _patch_streamlit_folium() -> None:
    """streamlit-folium collects default_js/css itself and adds d3 links by hand."""
    import streamlit_folium

    original = streamlit_folium._component_func
    if getattr(original, "hongtu_local_assets", False):
        return

    @_mark_patched
    def component(*args, css_links=(), js_links=(), **kwargs):
        warn_if_missing()
        prefix = url_prefix()
        js, css = bundled_links([local_url(u, prefix) for u in js_links],
                                [local_url(u, prefix) for u in css_links], prefix)
        return original(*args, css_links=css, js_links=js, **kwargs)

    streamlit_folium._component_func = component


def warn_if_missing() -> None:
    """Above a map: which asset files are missing and how to get them (else it stays blank)."""
    missing = missing_files()
    if missing:
        import streamlit as st

        from components.i18n import t

        shown = ", ".join(missing[:4]) + (f" … (+{len(missing) - 4})" if len(missing) > 4 else "")
        st.error(t("assets.missing", folder=str(VENDOR_DIR), files=shown), icon="🗺️")


LEAN_JS = ("leaflet", "leaflet_icon_path")
LEAN_CSS = ("leaflet_css",)


def lean_map(fmap):
    """Load only Leaflet itself for a map that draws no Bootstrap popups or awesome-marker
    icons (folium's default header also pulls jQuery, Bootstrap, Font Awesome and
    awesome-markers: ~0.4 s of sequential loading in the map frame). Plugins added to the map
    still bring their own files."""
    use_local_assets()
    fmap.default_js = [(n, u) for n, u in type(fmap).default_js if n in LEAN_JS]
    fmap.default_css = [(n, u) for n, u in type(fmap).default_css if n in LEAN_CSS]
    return fmap
