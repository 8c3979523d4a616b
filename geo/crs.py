"""Coordinate systems: WGS84 <-> GCJ-02 <-> BD-09 (Chinese map pickers), metric and WGS84
re-projection of GeoDataFrames.

GCJ-02 ("Mars coordinates", Gaode/AMap, Tencent) adds the published obfuscation offset to
WGS84; BD-09 (Baidu) is a further rotation of GCJ-02. The forward formulas are the standard
published ones; the inverses iterate the forward formula to below 1e-9 degrees. The PyPI
packages that do this (prcoords-typed, eviltransform, coord-convert, coordtransform) convert
one point at a time in pure Python; this module is vectorised with numpy instead.
CGCS2000 (EPSG:4490) is treated as equal to WGS84 (they differ by centimetres).
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from geo import transformers
from geo.schema import METRIC_CRS, WGS84

transformers.install()  # to_crs in any thread without PROJ's search: geo/transformers.py

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by the GCJ-02 formula
_EE = 0.00669342162296594323  # its eccentricity squared
_X_PI = np.pi * 3000.0 / 180.0
_INVERSE_TOLERANCE = 1e-9  # degrees
_MAX_ITERATIONS = 30

GCJ02 = "gcj02"
BD09 = "bd09"
CGCS2000 = "EPSG:4490"
# Gauss-Kruger grids of CGCS2000 that cover Huangyan (121.2E): 3-degree CM 120E / 123E without
# and with zone number, 6-degree zone 21 (CM 123E) without and with zone number.
GAUSS_KRUGER_CRSES = ("EPSG:4549", "EPSG:4550", "EPSG:4528", "EPSG:4529", "EPSG:4510", "EPSG:4499")


def _in_china(lon, lat):
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _offset_lat(x, y):
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    return ret


def _offset_lon(x, y):
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    ret += (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    ret += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    ret += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon, lat):
    """WGS84 -> GCJ-02 (arrays or scalars); points outside China are returned unchanged."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlat = _offset_lat(lon - 105.0, lat - 35.0)
    dlon = _offset_lon(lon - 105.0, lat - 35.0)
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_bd09(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _invert(forward, lon, lat):
    """Solve forward(x) = (lon, lat) by fixed-point iteration to _INVERSE_TOLERANCE."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x, y = lon.copy(), lat.copy()
    for _ in range(_MAX_ITERATIONS):
        fx, fy = forward(x, y)
        dx, dy = fx - lon, fy - lat
        x, y = x - dx, y - dy
        if np.nanmax(np.abs(np.concatenate([np.ravel(dx), np.ravel(dy)])), initial=0) < 1e-12:
            break
    return x, y


def gcj02_to_wgs84(lon, lat):
    """GCJ-02 -> WGS84, iterative inverse (error below 1e-9 degrees)."""
    return _invert(wgs84_to_gcj02, lon, lat)


def bd09_to_gcj02(lon, lat):
    """BD-09 -> GCJ-02, iterative inverse of gcj02_to_bd09."""
    return _invert(gcj02_to_bd09, lon, lat)


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84 = {GCJ02: gcj02_to_wgs84, BD09: bd09_to_wgs84}
_FROM_WGS84 = {GCJ02: wgs84_to_gcj02, BD09: wgs84_to_bd09}


def _transform_geoms(geoms, func):
    def apply(coords):
        x, y = func(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms, dtype=object), apply)


def transform_geometries(geoms, source: str, target: str = "wgs84"):
    """Shapely geometries (array) from ``source`` (gcj02/bd09/wgs84) to ``target``."""
    if source == target:
        return np.asarray(geoms, dtype=object)
    if target == "wgs84":
        return _transform_geoms(geoms, _TO_WGS84[source])
    if source == "wgs84":
        return _transform_geoms(geoms, _FROM_WGS84[target])
    return transform_geometries(transform_geometries(geoms, source), "wgs84", target)


def _with_geometry(gdf: gpd.GeoDataFrame, geoms) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=gdf.index, crs=gdf.crs)
    return out


def gdf_to_gcj02(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A WGS84 frame with every geometry shifted to GCJ-02 (for Gaode/AMap tiles).

    The CRS stays labelled EPSG:4326: GCJ-02 has no EPSG code; only draw the result."""
    gdf = to_wgs84(gdf)
    return _with_geometry(gdf, transform_geometries(gdf.geometry.values, "wgs84", GCJ02))


def gdf_from_gcj02(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A frame whose lon/lat are GCJ-02 converted to true WGS84."""
    out = _with_geometry(gdf, transform_geometries(gdf.geometry.values, GCJ02, "wgs84"))
    return out.set_crs(WGS84, allow_override=True)


def gdf_from_bd09(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = _with_geometry(gdf, transform_geometries(gdf.geometry.values, BD09, "wgs84"))
    return out.set_crs(WGS84, allow_override=True)


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Re-project to the metric CRS (EPSG:4549, CGCS2000 Gauss-Kruger CM 120E)."""
    if gdf.crs is None:
        gdf = gdf.set_crs(WGS84)
    return gdf.to_crs(METRIC_CRS)


def to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Re-project to WGS84; EPSG:4490 (CGCS2000) is relabelled, not shifted."""
    if gdf.crs is None:
        return gdf.set_crs(WGS84)
    if gdf.crs.to_epsg() == 4490:
        return gdf.set_crs(WGS84, allow_override=True)
    return gdf if gdf.crs.to_epsg() == 4326 else gdf.to_crs(WGS84)


def geometries_to_wgs84(geoms, crs: str):
    """Geometries in ``crs`` (an EPSG code, 'gcj02', 'bd09' or 'wgs84') as WGS84 geometries."""
    if crs in (GCJ02, BD09):
        return transform_geometries(geoms, crs)
    if crs in ("wgs84", WGS84, CGCS2000, None):
        return np.asarray(geoms, dtype=object)
    return gpd.GeoSeries(geoms, crs=crs).to_crs(WGS84).values


AREA_MARGIN_DEG = 3.0  # a Gauss-Kruger grid is used a little beyond its EPSG area of use
DEGREE_RANGE = (180.0, 90.0)


@functools.lru_cache(maxsize=64)
def _area_and_to_degrees(crs: str) -> tuple[tuple, pyproj.Transformer]:
    """A projected CRS's area of use (lon/lat bounds) and its transformer to lon/lat, made once
    per CRS (35 ms each; an import asks for every candidate CRS of every layer)."""
    source = pyproj.CRS.from_user_input(crs)
    area = source.area_of_use.bounds if source.area_of_use else (-180.0, -90.0, 180.0, 90.0)
    return area, pyproj.Transformer.from_crs(source, 4326, always_xy=True)


def held_by(geoms, crs: str) -> np.ndarray:
    """Per geometry (None: False): whether its coordinates are values ``crs`` can hold.

    Degrees (WGS84, CGCS2000, GCJ-02, BD-09): lon within -180..180 and lat within -90..90.
    A projected CRS: every corner of the bounds converts to a finite lon/lat within the CRS's
    area of use (pyproj), widened by AREA_MARGIN_DEG."""
    geoms = np.asarray(geoms, dtype=object)
    present = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    out = np.zeros(len(geoms), dtype=bool)
    if not present.any():
        return out
    bounds = shapely.bounds(geoms[present])
    xs, ys = bounds[:, [0, 2]], bounds[:, [1, 3]]
    if not is_projected(crs):
        fits = (np.abs(xs) <= DEGREE_RANGE[0]).all(axis=1) & (np.abs(ys) <= DEGREE_RANGE[1]).all(
            axis=1)
    else:
        (west, south, east, north), to_degrees = _area_and_to_degrees(crs)
        with np.errstate(all="ignore"):
            lon, lat = to_degrees.transform(xs.ravel(), ys.ravel(), errcheck=False)
        lon, lat = np.asarray(lon).reshape(xs.shape), np.asarray(lat).reshape(ys.shape)
        inside = np.isfinite(lon) & np.isfinite(lat) \
            & (lon >= west - AREA_MARGIN_DEG) & (lon <= east + AREA_MARGIN_DEG) \
            & (lat >= south - AREA_MARGIN_DEG) & (lat <= north + AREA_MARGIN_DEG)
        fits = inside.all(axis=1)
    out[present] = fits
    return out


def is_projected(crs: str | None) -> bool:
    if crs in (None, "wgs84", WGS84, CGCS2000, GCJ02, BD09):
        return False
    try:
        return pyproj.CRS.from_user_input(crs).is_projected
    except pyproj.exceptions.CRSError:
        return False
