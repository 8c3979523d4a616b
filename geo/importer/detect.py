"""Which coordinate system a table most likely uses, and geometry from its columns.

Candidates come from the declared CRS and the value ranges (metres -> CGCS2000 Gauss-Kruger
grids; degrees -> WGS84/CGCS2000, GCJ-02, BD-09). Each candidate is scored by how well the
converted features fit what is known: first the share inside the district outline, then the
share inside the polygons they reference (a member in its grid), then the distance to features
with the same id already in the store. Ties keep the first candidate (the declared CRS or WGS84).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj
import shapely

from geo import crs as crslib
from geo.importer.mapping import LAT, LON, WKT
from geo.validation import is_blank

WGS84_CHOICE = "wgs84"
UNKNOWN_CRS = "unknown"  # no row holds coordinates any candidate CRS can hold
CRS_CHOICES = (WGS84_CHOICE, crslib.CGCS2000, crslib.GCJ02, crslib.BD09,
               *crslib.GAUSS_KRUGER_CRSES)
CRS_LABELS = {
    WGS84_CHOICE: ("WGS84 经纬度", "WGS84 lon/lat"),
    crslib.CGCS2000: ("CGCS2000 经纬度(视同 WGS84)", "CGCS2000 lon/lat (treated as WGS84)"),
    crslib.GCJ02: ("GCJ-02 火星坐标(高德/腾讯)", "GCJ-02 (Gaode/Tencent map picker)"),
    crslib.BD09: ("BD-09 百度坐标", "BD-09 (Baidu map picker)"),
    UNKNOWN_CRS: ("无法判定", "cannot tell"),
}


def crs_label(choice: str, lang: str = "zh") -> str:
    pair = CRS_LABELS.get(choice)
    if pair:
        return pair[0 if lang == "zh" else 1]
    try:
        return f"{choice} {pyproj.CRS.from_user_input(choice).name}"
    except pyproj.exceptions.CRSError:
        return choice


@dataclass
class FitContext:
    """What the converted features should agree with."""

    district: object | None = None  # WGS84 polygon
    anchors: np.ndarray | None = None  # per feature: the polygon it references, or None
    existing: np.ndarray | None = None  # per feature: the store's geometry with the same id


def wkt_columns(frame: pd.DataFrame) -> list[str]:
    extra = sorted((c for c in frame.columns if c != WKT and str(c).lower().startswith(("wkt",
                    "几何wkt续"))), key=lambda c: int("".join(ch for ch in c if ch.isdigit()) or 0))
    return ([WKT] if WKT in frame.columns else []) + extra


def raw_geometries(frame: pd.DataFrame) -> tuple[np.ndarray | None, list[tuple[int, str]]]:
    """Geometries from lon/lat or WKT columns (raw coordinates), and (row, field) type errors."""
    errors: list[tuple[int, str]] = []
    n = len(frame)
    if LON in frame.columns and LAT in frame.columns:
        lon = pd.to_numeric(frame[LON], errors="coerce").to_numpy(dtype=float)
        lat = pd.to_numeric(frame[LAT], errors="coerce").to_numpy(dtype=float)
        for i in range(n):
            for col, values in ((LON, lon), (LAT, lat)):
                if np.isnan(values[i]) and not is_blank(frame[col].iloc[i]):
                    errors.append((i, col))
        ok = ~(np.isnan(lon) | np.isnan(lat))
        geoms = np.full(n, None, dtype=object)
        geoms[ok] = shapely.points(lon[ok], lat[ok])
        return geoms, errors
    cols = wkt_columns(frame)
    if cols:
        text = frame[cols].apply(
            lambda r: "".join(str(v) for v in r if not is_blank(v)), axis=1
        ).to_numpy(dtype=object) if n else np.array([], dtype=object)
        geoms = np.full(n, None, dtype=object)
        for i, value in enumerate(text):
            if value:
                geom = shapely.from_wkt(value, on_invalid="ignore")
                if geom is None:
                    errors.append((i, WKT))
                geoms[i] = geom
        return geoms, errors
    return None, errors


def candidates(geoms: np.ndarray, declared: str | None) -> list[str]:
    present = [g for g in geoms if g is not None and not g.is_empty]
    if declared:
        try:
            declared_crs = pyproj.CRS.from_user_input(declared)
        except pyproj.exceptions.CRSError:
            declared_crs = None
        if declared_crs is not None and declared_crs.is_projected:
            return [declared]
    if not present:
        return [WGS84_CHOICE]
    minx, miny, maxx, maxy = shapely.total_bounds(np.array(present, dtype=object))
    if max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy)) > 90:
        return list(crslib.GAUSS_KRUGER_CRSES)
    first = crslib.CGCS2000 if declared and "4490" in declared else WGS84_CHOICE
    return [first, crslib.GCJ02, crslib.BD09]


def holding_crs(geoms: np.ndarray, declared: str | None,
                chosen: str | None = None) -> tuple[str, np.ndarray]:
    """The kind of coordinates most rows hold and, per row, whether it holds them.

    A CRS chosen by the user or a projected one declared by the file is the only option;
    otherwise degrees (the declared one or WGS84) and the Gauss-Kruger grids, degrees first on
    a tie (a GeoJSON says EPSG:4326 even when it holds metres). Rows it cannot hold (a
    longitude of 200.5, swapped lon/lat) are reported and do not decide the CRS."""
    if chosen or crslib.is_projected(declared):
        options = [chosen or declared]
    else:
        options = [declared or WGS84_CHOICE, *crslib.GAUSS_KRUGER_CRSES]
    held = {c: crslib.held_by(geoms, c) for c in options}
    best = max(options, key=lambda c: int(held[c].sum()))  # the first of equals
    return best, held[best]


def convert(geoms: np.ndarray, choice: str) -> np.ndarray:
    geoms = np.asarray(geoms, dtype=object)
    mask = np.array([g is not None for g in geoms], dtype=bool)
    out = np.full(len(geoms), None, dtype=object)
    if mask.any():
        source = "wgs84" if choice in (WGS84_CHOICE, crslib.CGCS2000, UNKNOWN_CRS) else choice
        with np.errstate(all="ignore"):
            out[mask] = crslib.geometries_to_wgs84(geoms[mask], source)
    return out


def _score(geoms: np.ndarray, ctx: FitContext) -> tuple:
    present = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    if not present.any():
        return (0.0, 0.0, 0.0)
    points = shapely.point_on_surface(geoms[present]) if _all_valid(geoms[present]) \
        else shapely.centroid(geoms[present])
    inside = 0.0
    if ctx.district is not None:
        inside = float(np.mean(shapely.covers(ctx.district, points)))
    anchored = 0.0
    if ctx.anchors is not None:
        anchors = ctx.anchors[present]
        has = np.array([a is not None for a in anchors], dtype=bool)
        if has.any():
            anchored = float(np.mean(shapely.covers(anchors[has], points[has])))
    closeness = 0.0
    if ctx.existing is not None:
        existing = ctx.existing[present]
        has = np.array([e is not None for e in existing], dtype=bool)
        if has.any():
            closeness = -float(np.median(shapely.distance(existing[has], points[has])))
    return (round(inside, 3), round(anchored, 3), round(closeness, 6))


def _all_valid(geoms) -> bool:
    return bool(np.all(shapely.is_valid(geoms)))


def detect_crs(geoms: np.ndarray, declared: str | None, ctx: FitContext) -> tuple[str, dict]:
    """The most likely CRS of ``geoms`` and each candidate's score."""
    options = candidates(geoms, declared)
    scores = {c: _score(convert(geoms, c), ctx) for c in options}
    best = options[0]
    for choice in options[1:]:
        if scores[choice] > scores[best]:
            best = choice
    return best, scores
