"""Validation of whole datasets: every problem, each naming layer, feature id and field.

Frames may carry the source columns ``__file``, ``__sheet`` and ``__row`` (added by the
importer); problems then also say where in which file they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import numpy as np
import pandas as pd
import shapely

from geo import schema
from geo.schema import GEOMETRY, ID, Problem
from geo.text_rules import clean_key, key_changes, shown

SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW = "__file", "__sheet", "__row"
SOURCE_COLUMNS = (SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW)
DISTRICT_TOLERANCE_DEG = 0.0005  # about 50 m: digitising slack along the outline
UNBOUNDED_LAYERS = ("districts", "counties")  # context layers that may reach outside
TRUE_TEXT = ("1", "true", "t", "yes", "y", "是")
FALSE_TEXT = ("0", "false", "f", "no", "n", "否")
ACCEPTED_GEOMETRIES = {
    "MultiPolygon": ("Polygon", "MultiPolygon"),
    "Point": ("Point",),
    "MultiLineString": ("LineString", "MultiLineString"),
}

MESSAGES = {
    "missing_field": ("缺少必填字段", "required field is missing"),
    "missing_value": ("必填值为空", "required value is empty"),
    "bad_type": ("类型错误,应为 {dtype}:{value}", "bad type, expected {dtype}: {value}"),
    "bad_choice": ("取值不在允许范围 {choices}:{value}", "value not in {choices}: {value}"),
    "below_minimum": ("小于最小值 {minimum}:{value}", "below the minimum {minimum}: {value}"),
    "duplicate_id": ("编号重复:{value}", "duplicate id: {value}"),
    "duplicate_value": ("唯一字段取值重复:{value}", "duplicate value in a unique field: {value}"),
    "missing_ref": ("引用的{target}不存在:{value}", "refers to a missing {target}: {value}"),
    "invalid_geometry": ("几何无效(可修复):{reason}", "invalid geometry (repairable): {reason}"),
    "wrong_geometry_type": ("几何类型错误:{value},应为 {expected}",
                            "wrong geometry type: {value}, expected {expected}"),
    "empty_geometry": ("几何为空", "empty geometry"),
    "outside_district": ("位于辖区范围之外", "outside the district outline"),
    "not_normal": ("编号含不可见字符或全角/兼容字符:{value}(规范化后为 {clean}),请改正后再导入",
                   ("the id holds invisible or full-width/compatibility characters: {value} "
                   "(normalised: {clean}); correct it and import again")),
    "too_long": ("内容过长:{length} 个字符,最多 {limit} 个", ("too long: {length} characters, "
                 "at most {limit}")),
}


def problem(layer: str, code: str, feature_id=None, field=None, source=None, **fmt) -> Problem:
    zh, en = MESSAGES[code]
    source = source or {}
    return Problem(
        layer=layer, feature_id=None if feature_id is None else str(feature_id), field=field,
        code=code, message_zh=zh.format(**fmt), message_en=en.format(**fmt),
        row=source.get(SOURCE_ROW), file=source.get(SOURCE_FILE),
        sheet=source.get(SOURCE_SHEET), extra=dict(fmt),
    )


def is_blank(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def type_ok(value, dtype: str) -> bool:
    """Whether a non-blank raw value can be read as ``dtype``."""
    if dtype == "str":
        return True
    if dtype == "int":
        try:
            return float(value) == int(float(value))
        except (TypeError, ValueError, OverflowError):
            return False
    if dtype == "float":
        try:
            return not np.isnan(float(value))
        except (TypeError, ValueError):
            return False
    if dtype == "bool":
        if isinstance(value, (bool, np.bool_)):
            return True
        if isinstance(value, (int, float, np.integer, np.floating)):
            return value in (0, 1)
        return str(value).strip().lower() in TRUE_TEXT + FALSE_TEXT
    if dtype in ("date", "datetime"):
        if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "year"):
            return True
        return not pd.isna(pd.to_datetime(str(value), errors="coerce"))
    if dtype == "json":
        if not isinstance(value, str):
            return True
        try:
            json.loads(value)
            return True
        except ValueError:
            return False
    return True


def _sources(frame: pd.DataFrame) -> list[dict]:
    cols = [c for c in SOURCE_COLUMNS if c in frame.columns]
    if not cols:
        return [{}] * len(frame)
    return frame[cols].to_dict("records")


def validate_dataset(
    frames: dict[str, pd.DataFrame],
    district=None,
    known_ids: dict[str, Iterable[str]] | None = None,
) -> list[Problem]:
    """Every problem in ``frames`` (layer name -> frame).

    ``district``: a polygon that features must lie in (default: the union of the ``districts``
    frame, if given). ``known_ids``: ids of layers outside ``frames`` that references may use
    (e.g. the store's); a reference to a layer in neither is not checked."""
    targets: dict[str, set[str]] = {k: {str(i) for i in v} for k, v in (known_ids or {}).items()}
    for name, frame in frames.items():
        if ID in frame.columns:
            ids = {str(i) for i in frame[ID] if not is_blank(i)}
            targets[name] = targets.get(name, set()) | ids
    if district is None and frames.get("districts") is not None and len(frames["districts"]):
        district = shapely.union_all(frames["districts"][GEOMETRY].values)
    problems: list[Problem] = []
    for name, frame in frames.items():
        if name in schema.LAYERS:
            problems += validate_layer(name, frame, targets, district)
    return problems


def validate_layer(name: str, frame: pd.DataFrame, targets: dict, district=None) -> list[Problem]:
    spec = schema.layer(name)
    sources = _sources(frame)
    ids = frame[ID].tolist() if ID in frame.columns else [None] * len(frame)
    problems: list[Problem] = []
    for f in spec.all_fields:
        if f.name not in frame.columns:
            if f.required and f.name not in (schema.VERSION, schema.IS_SAMPLE):
                where = {k: v for k, v in (sources[0] if sources else {}).items()
                         if k != SOURCE_ROW}  # the file (and sheet) the column is missing in
                problems.append(problem(name, "missing_field", field=f.name, source=where))
            continue
        problems += _check_field(name, f, frame[f.name].tolist(), ids, sources, targets)
    if spec.geometry and GEOMETRY in frame.columns:
        problems += _check_geometry(name, spec.geometry, frame[GEOMETRY].values, ids, sources,
                                    None if name in UNBOUNDED_LAYERS else district)
    return problems


def _dates_ok(values: list) -> list[bool]:
    """Vectorised date check: ISO text parses at once; the rest one by one."""
    text = pd.Series([v if isinstance(v, str) else None for v in values], dtype=object)
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    return [not isinstance(v, str) or pd.notna(p) or type_ok(v, "date")
            for v, p in zip(values, parsed)]


def _check_field(layer, f, values, ids, sources, targets) -> list[Problem]:
    out: list[Problem] = []
    seen: dict[str, int] = {}
    target_ids = targets.get(f.ref) if f.ref else None
    dates_ok = _dates_ok(values) if f.dtype in ("date", "datetime") else None
    for k, (value, fid, src) in enumerate(zip(values, ids, sources)):
        fid = None if is_blank(fid) else fid
        if is_blank(value):
            if f.required:
                out.append(problem(layer, "missing_value", fid, f.name, src))
            continue
        if not (dates_ok[k] if dates_ok is not None else type_ok(value, f.dtype)):
            out.append(problem(layer, "bad_type", fid, f.name, src, dtype=f.dtype, value=value))
            continue
        if key_changes(f, value):
            out.append(problem(layer, "not_normal", shown(str(fid)) if fid is not None else
                               None, f.name, src, value=shown(value), clean=clean_key(value)))
            continue
        limit = f.length_limit
        if limit is not None and isinstance(value, str) and len(value) > limit:
            out.append(problem(layer, "too_long", fid, f.name, src, length=len(value),
                               limit=limit))
            continue
        if f.choices and str(value) not in f.choices:
            out.append(problem(layer, "bad_choice", fid, f.name, src,
                               choices="/".join(f.choices), value=value))
        if f.minimum is not None and f.dtype in ("int", "float") and float(value) < f.minimum:
            out.append(problem(layer, "below_minimum", fid, f.name, src,
                               minimum=f.minimum, value=value))
        if f.unique:
            key = str(value)
            if key in seen:
                code = "duplicate_id" if f.name == ID else "duplicate_value"
                out.append(problem(layer, code, fid, f.name, src, value=value))
            seen[key] = seen.get(key, 0) + 1
        if target_ids is not None and str(value) not in target_ids:
            out.append(problem(layer, "missing_ref", fid, f.name, src, target=f.ref, value=value))
    return out


def _check_geometry(layer, expected, geoms, ids, sources, district) -> list[Problem]:
    out: list[Problem] = []
    accepted = ACCEPTED_GEOMETRIES.get(expected, (expected,))
    geoms = np.asarray(geoms, dtype=object)
    present = np.array([g is not None for g in geoms], dtype=bool)
    empty = ~present | shapely.is_empty(geoms)
    valid = shapely.is_valid(geoms) | empty
    inside = np.ones(len(geoms), dtype=bool)
    if district is not None and len(geoms):
        zone = shapely.buffer(district, DISTRICT_TOLERANCE_DEG)
        shapely.prepare(zone)
        checkable = ~empty & valid
        inside[checkable] = shapely.covered_by(geoms[checkable], zone)
    for i, geom in enumerate(geoms):
        fid = None if is_blank(ids[i]) else ids[i]
        src = sources[i]
        if empty[i]:
            out.append(problem(layer, "empty_geometry", fid, GEOMETRY, src))
            continue
        if geom.geom_type not in accepted:
            out.append(problem(layer, "wrong_geometry_type", fid, GEOMETRY, src,
                               value=geom.geom_type, expected=expected))
            continue
        if not valid[i]:
            out.append(problem(layer, "invalid_geometry", fid, GEOMETRY, src,
                               reason=shapely.is_valid_reason(geom)))
        elif not inside[i]:
            out.append(problem(layer, "outside_district", fid, GEOMETRY, src))
    return out


def validate_store(store, district=None) -> list[Problem]:
    """Every problem in a store's data layers."""
    present = set(store.layer_names())
    names = [n for n in schema.LAYERS if n in present and n not in ("audit", "import_log")]
    frames = store.load_many(names)
    return validate_dataset(frames, district=district)
