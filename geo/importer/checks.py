"""Import-only checks and clean-ups on a mapped table, each naming row and field.

* Text cells that an export escaped against formula injection (``'=...``) get their value back.
* Text is cleaned by :mod:`geo.text_rules` (invisible characters removed, NFC; the store
  NFKC-normalises names and phones on write); keys are left as they are, so that
  ``validation`` refuses one that normalising would change.
* Personal fields holding masked values (张*明, 138****1234, and every look-alike: 张＊明, 张某,
  138xxxx1234): a masked export is refused.
* Coordinates the file's coordinate system cannot hold (a longitude of 200.5, swapped lon/lat,
  metres in a degree file) are named per row, and do not decide the file's coordinate system.
* A member's point must lie in its own grid (refused otherwise, see README)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyproj
import shapely

from geo import schema
from geo.cells import unescape_cell
from geo.importer.detect import CRS_LABELS, crs_label
from geo.importer.mapping import LAYER_LABELS, header, header_map
from geo.schema import GEOMETRY, ID, Problem
from geo.text_rules import clean_text, is_key, looks_masked
from geo.validation import DISTRICT_TOLERANCE_DEG, SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, is_blank

CHECK_MESSAGES = {
    "masked_value": ("个人信息字段是脱敏值({value}):脱敏导出的文件不能导入,会覆盖真实姓名/电话",
                     ("personal field holds a masked value ({value}): a masked export cannot be "
                     "imported, it would overwrite the real name/phone")),
    "duplicate_column": ("表头重复:「{headers}」都是{label}列,请只保留一列",
                         ("duplicated column header: {headers} are all the {label} column; "
                         "keep one")),
    "coordinate_out_of_range": ("坐标超出{crs}能表示的范围:{what}{hint}",
                                "coordinate outside what {crs} can hold: {what}{hint}"),
    "point_outside_grid": ("位置不在所属网格 {grid} 内{found}",
                           "the point is not inside its grid {grid}{found}"),
}
SWAPPED_HINT = ("(经纬度可能填反)", " (lon and lat look swapped)")
LON_OUTSIDE = ("经度 {lon} 超出 −180…180", "longitude {lon} is outside −180…180")
LAT_OUTSIDE = ("纬度 {lat} 超出 −90…90", "latitude {lat} is outside −90…90")
XY_OUTSIDE = ("X {lon}、Y {lat} 不在其适用范围内(换算后不在该坐标系的适用区域)",
              "X {lon}, Y {lat} lie outside its area of use")
FOUND_IN = ("(落在网格 {grid})", " (it lies in grid {grid})")
GRID_LAYERS_WITH_POINTS = ("members",)
DTYPE_LABELS = {"str": ("文本", "text"), "int": ("整数", "whole number"),
                "float": ("数字", "number"), "bool": ("是/否", "yes/no"),
                "date": ("日期(如 2021-09-01)", "date (e.g. 2021-09-01)"),
                "datetime": ("日期时间(如 2021-09-01 08:30)", "date and time"),
                "json": ("JSON", "JSON"), "number/WKT": ("数字或 WKT", "number or WKT")}


def check_problem(code: str, layer: str, frame: pd.DataFrame, i: int, fld: str,
                  hint: tuple[str, str] = ("", ""), **fmt) -> Problem:
    zh, en = CHECK_MESSAGES[code]
    return Problem(layer=layer, feature_id=_id(frame, i), field=fld, code=code,
                   message_zh=zh.format(hint=hint[0], **fmt),
                   message_en=en.format(hint=hint[1], **fmt), row=int(frame[SOURCE_ROW].iloc[i]),
                   file=frame[SOURCE_FILE].iloc[i], sheet=frame[SOURCE_SHEET].iloc[i],
                   extra=dict(fmt))


def duplicate_headers(layer: str, file: str, sheet: str | None, columns) -> list[Problem]:
    """Columns of one table that name the same field (编号 and 编号 , or 编号 twice): one
    problem per field, naming the file, the header row and the headers."""
    by_field: dict[str, list[str]] = {}
    for col in columns:
        target = header_map(layer, [col]).get(col)
        if target is not None:
            by_field.setdefault(target, []).append(str(col))
    out = []
    for fld, headers in by_field.items():
        if len(headers) > 1:
            zh, en = CHECK_MESSAGES["duplicate_column"]
            quoted = "」「".join(headers)
            shown = ", ".join(f"'{h}'" for h in headers)
            out.append(Problem(layer=layer, feature_id=None, field=fld, code="duplicate_column",
                               message_zh=zh.format(headers=quoted, label=header(layer, fld)),
                               message_en=en.format(headers=shown, label=fld.replace("_", " ")),
                               row=1, file=file, sheet=sheet, extra={"labelled": True}))
    return out


def _id(frame, i):
    if ID not in frame.columns or is_blank(frame[ID].iloc[i]):
        return None
    return str(frame[ID].iloc[i])


def unescape_text(layer: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Text fields only: a number column's ``-5`` was never escaped and stays as it is.
    Non-key text is then cleaned (geo.text_rules); keys are checked by validation."""
    for f in schema.layer(layer).all_fields:
        if f.dtype == "str" and f.name in frame.columns:
            values = frame[f.name].map(unescape_cell)
            frame[f.name] = values if is_key(f) else values.map(
                lambda v: clean_text(v) if isinstance(v, str) else v)
    return frame


def masked_values(layer: str, frame: pd.DataFrame) -> list[Problem]:
    out = []
    for name in schema.layer(layer).personal_fields:
        if name not in frame.columns:
            continue
        for i, value in enumerate(frame[name]):
            if looks_masked(name, value):
                out.append(check_problem("masked_value", layer, frame, i, name, value=value))
    return out


def out_of_range(layer: str, frame: pd.DataFrame, geoms: np.ndarray, mask: np.ndarray,
                 choice: str) -> list[Problem]:
    """One problem per row of ``mask``: its coordinates are not values ``choice`` can hold
    (the longitude or latitude out of range named with its value; swapped lon/lat hinted)."""
    out = []
    degrees = not projected(choice)
    zh, en = CHECK_MESSAGES["coordinate_out_of_range"]
    for i in np.flatnonzero(mask):
        x, y = _xy(geoms[i])
        minx, miny, maxx, maxy = geoms[i].bounds
        lon, lat = round(max(minx, maxx, key=abs), 6), round(max(miny, maxy, key=abs), 6)
        parts = [XY_OUTSIDE] if not degrees else \
            [p for p, bad in ((LON_OUTSIDE, abs(lon) > 180), (LAT_OUTSIDE, abs(lat) > 90)) if bad]
        what = ["; ".join(p[k].format(lon=lon if degrees else x, lat=lat if degrees else y)
                          for p in parts) for k in (0, 1)]
        hint = SWAPPED_HINT if degrees and abs(y) <= 180 and abs(x) <= 90 else ("", "")
        problem = check_problem("coordinate_out_of_range", layer, frame, int(i), GEOMETRY,
                                hint, lon=x, lat=y, crs=choice, what="")
        problem.message_zh = zh.format(crs=crs_label(choice, "zh"), what=what[0], hint=hint[0])
        problem.message_en = en.format(crs=crs_label(choice, "en"), what=what[1], hint=hint[1])
        out.append(problem)
    return out


def _xy(geom) -> tuple[float, float]:
    point = geom if geom.geom_type == "Point" else shapely.get_point(
        shapely.get_exterior_ring(geom) if "Polygon" in geom.geom_type else geom, 0)
    if point is None or point.is_empty:
        point = geom.representative_point()
    return round(float(point.x), 6), round(float(point.y), 6)


def points_in_grids(layer: str, frame: pd.DataFrame, grids: dict) -> list[Problem]:
    """``grids``: grid id -> WGS84 polygon (imported or stored)."""
    if layer not in GRID_LAYERS_WITH_POINTS or "grid_id" not in frame.columns \
            or GEOMETRY not in frame.columns or not grids:
        return []
    ids = list(grids)
    polygons = np.array([grids[g] for g in ids], dtype=object)
    out = []
    for i, (grid_id, point) in enumerate(zip(frame["grid_id"], frame[GEOMETRY])):
        own = grids.get(str(grid_id)) if not is_blank(grid_id) else None
        if own is None or point is None or point.is_empty or point.geom_type != "Point":
            continue
        if shapely.dwithin(own, point, DISTRICT_TOLERANCE_DEG):
            continue
        hits = [ids[k] for k in np.flatnonzero(shapely.covers(polygons, point))]
        found = (FOUND_IN[0].format(grid=hits[0]), FOUND_IN[1].format(grid=hits[0])) \
            if hits else ("", "")
        zh, en = CHECK_MESSAGES["point_outside_grid"]
        problem = check_problem("point_outside_grid", layer, frame, i, GEOMETRY, grid=grid_id,
                                found="{found}")
        problem.message_zh = zh.format(grid=grid_id, found=found[0])
        problem.message_en = en.format(grid=grid_id, found=found[1])
        out.append(problem)
    return out


def field_label(problem: Problem, chinese: bool = True) -> str:
    """The field of a problem as people call it (姓名 / name), never the code alone."""
    fld = problem.field
    if not fld:
        return ""
    if fld == GEOMETRY:
        return "位置/几何" if chinese else "location/geometry"
    if problem.layer in schema.LAYERS and chinese:
        return header(problem.layer, fld)
    return fld.replace("_", " ")


def label_problem(problem: Problem) -> Problem:
    """Field codes and type/layer codes in a message turned into words (姓名, 日期, 网格)."""
    if problem.layer in schema.LAYERS and problem.field and problem.extra.get("labelled") is None:
        fld = problem.field
        zh_label = header(problem.layer, fld) if fld != GEOMETRY else "位置/几何"
        en_label = fld.replace("_", " ") if fld != GEOMETRY else "location/geometry"
        zh, en = problem.message_zh, problem.message_en
        dtype = problem.extra.get("dtype")
        if problem.code == "bad_type" and dtype in DTYPE_LABELS:
            zh = zh.replace(f"应为 {dtype}", f"应为{DTYPE_LABELS[dtype][0]}")
            en = en.replace(f"expected {dtype}", f"expected {DTYPE_LABELS[dtype][1]}")
        target = problem.extra.get("target")
        if problem.code == "missing_ref" and target in LAYER_LABELS:
            zh = zh.replace(f"引用的{target}", f"引用的{LAYER_LABELS[target]}")
            en = en.replace(f"missing {target}", f"missing {target.replace('_', ' ')}")
        if zh_label != fld or fld == GEOMETRY:
            problem.message_zh = f"{zh_label}:{zh}"
            problem.message_en = f"{en_label}: {en}"
        problem.extra["labelled"] = True
    return problem


def projected(choice: str | None) -> bool:
    if not choice or choice in CRS_LABELS:
        return False
    try:
        return pyproj.CRS.from_user_input(choice).is_projected
    except pyproj.exceptions.CRSError:
        return False


ECHO_CODES = ("empty_geometry", "outside_district", "point_outside_grid")


def without_echoes(problems: list[Problem]) -> list[Problem]:
    """A row whose coordinates are out of range is reported once, not again as empty/outside."""
    named = {(p.file, p.sheet, p.row) for p in problems if p.code == "coordinate_out_of_range"}
    return [p for p in problems if not (p.code in ECHO_CODES and (p.file, p.sheet, p.row) in named)]
