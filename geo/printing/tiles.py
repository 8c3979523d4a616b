"""A tile basemap under the printed map, when its tile server answers: the XYZ tiles
covering the sheet are fetched, put together and resampled (nearest pixel) onto the sheet's
metric grid (EPSG:4549), through GCJ-02 for Gaode's tiles. When a tile cannot be fetched the
sheet falls back to the offline basemap and says so (the caller prints the note)."""

from __future__ import annotations

import io
import math
import urllib.request

import numpy as np
from matplotlib.image import imread
from pyproj import Transformer

from geo.crs import wgs84_to_gcj02
from geo.schema import METRIC_CRS, WGS84

TILE = 256
MAX_ZOOM = 18
MAX_TILES = 80
TARGET_PIXELS = 2400  # across the sheet's map
TIMEOUT_S = 4.0
USER_AGENT = "Hongtu map sheet (server-side print)"


class TilesUnreachable(OSError):
    pass


def _tile_xy(lon, lat, zoom: int):
    """Fractional tile coordinates (Web Mercator XYZ) of lon/lat arrays."""
    n = 2.0 ** zoom
    x = (np.asarray(lon) + 180.0) / 360.0 * n
    lat_r = np.radians(np.asarray(lat))
    y = (1.0 - np.log(np.tan(lat_r) + 1.0 / np.cos(lat_r)) / math.pi) / 2.0 * n
    return x, y


def _url(template: str, subdomains: str, x: int, y: int, z: int) -> str:
    sub = subdomains[(x + y) % len(subdomains)] if subdomains else ""
    return template.replace("{s}", sub).replace("{x}", str(x)).replace("{y}", str(y)) \
        .replace("{z}", str(z))


def fetch_tile(url: str) -> np.ndarray:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            body = response.read()
        image = imread(io.BytesIO(body))
    except (OSError, ValueError, SyntaxError) as exc:
        raise TilesUnreachable(f"{url}: {exc}") from exc
    if image.dtype != np.uint8:
        image = (image * 255).astype(np.uint8)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return image[..., :3]


def mosaic(template: str, subdomains: str, zoom: int, xs: range, ys: range) -> np.ndarray:
    canvas = np.zeros((len(ys) * TILE, len(xs) * TILE, 3), dtype=np.uint8)
    for j, y in enumerate(ys):
        for i, x in enumerate(xs):
            tile = fetch_tile(_url(template, subdomains, x, y, zoom))
            canvas[j * TILE:(j + 1) * TILE, i * TILE:(i + 1) * TILE] = tile[:TILE, :TILE]
    return canvas


def render_tiles(extent, tiles, gcj02: bool, width_px: int = 1600) -> np.ndarray:
    """An RGB image of ``extent`` (metric bounds) from the tile layers (drawn in order)."""
    minx, miny, maxx, maxy = extent
    height_px = max(1, round(width_px * (maxy - miny) / (maxx - minx)))
    gx, gy = np.meshgrid(np.linspace(minx, maxx, width_px), np.linspace(maxy, miny, height_px))
    lon, lat = Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True).transform(gx, gy)
    if gcj02:
        lon, lat = wgs84_to_gcj02(lon, lat)
    span = float(lon.max() - lon.min()) or 1e-6
    zoom = min(MAX_ZOOM, int(math.log2(TARGET_PIXELS * 360.0 / (TILE * span))))
    while True:
        tx, ty = _tile_xy(lon, lat, zoom)
        xs = range(int(tx.min()), int(tx.max()) + 1)
        ys = range(int(ty.min()), int(ty.max()) + 1)
        if len(xs) * len(ys) <= MAX_TILES or zoom <= 1:
            break
        zoom -= 1
    out = None
    for template, _credit, subdomains in tiles:
        canvas = mosaic(template, subdomains, zoom, xs, ys)
        px = np.clip(((tx - xs.start) * TILE).astype(int), 0, canvas.shape[1] - 1)
        py = np.clip(((ty - ys.start) * TILE).astype(int), 0, canvas.shape[0] - 1)
        layer = canvas[py, px]
        if out is None:
            out = layer
        else:  # a label layer: keep the base where the labels are blank
            ink = layer.sum(axis=-1) > 0
            out[ink] = layer[ink]
    return out


def draw_tiles(ax, extent, options) -> bool:
    """Draw the tile basemap under the layers; False when the tiles are unreachable."""
    try:
        image = render_tiles(extent, options.tiles, options.gcj02)
    except TilesUnreachable:
        return False
    minx, miny, maxx, maxy = extent
    ax.imshow(image, extent=(minx, maxx, miny, maxy), origin="upper", zorder=0,
              interpolation="bilinear")
    return True
