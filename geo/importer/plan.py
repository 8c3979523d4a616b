"""Planning an import: read every file, map headers, detect layers and CRS, validate.

Nothing is written here; :mod:`geo.importer.apply` writes a plan without problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import crs as crslib
from geo import schema, validation
from geo.importer import checks, compare, detect
from geo.importer.mapping import (
    IMPORTABLE_LAYERS,
    code_values,
    detect_layer,
    header,
    header_map,
)
from geo.importer.raw import RawTable, file_problem
from geo.importer.readers import DEFAULT_SIZE_LIMIT, read_file
from geo.sample.geography import load_district
from geo.schema import GEOMETRY, ID, IS_SAMPLE, VERSION, WGS84, Problem
from geo.validation import DISTRICT_TOLERANCE_DEG, SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET

PLAN_MESSAGES = {
    "unknown_layer": ("无法判断数据属于哪个图层,请指定图层",
                      "cannot tell which layer this is; choose one"),
    "no_geometry": ("缺少坐标:需要经度/纬度列或 WKT 列",
                    "no coordinates: lon/lat or WKT columns needed"),
}


EMPTY_NOTE = "没有数据,已跳过 | no records, skipped"
CRS_NOTES = {
    "EPSG:4490": "CGCS2000 经纬度视同 WGS84(相差厘米级) | CGCS2000 treated as WGS84 (cm apart)",
    "gcj02": "按 GCJ-02(高德/腾讯)坐标换算为 WGS84 | converted from GCJ-02 to WGS84",
    "bd09": "按 BD-09(百度)坐标换算为 WGS84 | converted from BD-09 to WGS84",
}


@dataclass
class TableReport:
    """What was detected for one sheet/layer of one file."""

    file: str
    sheet: str | None
    fmt: str
    encoding: str | None
    layer: str | None
    rows: int
    declared_crs: str | None = None
    crs: str | None = None
    crs_scores: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    files: list[tuple[str, str]]  # (name, sha256)
    tables: list[TableReport]
    frames: dict[str, pd.DataFrame]  # layer -> rows to write (WGS84, source columns kept)
    problems: list[Problem]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    repaired: int = 0
    seen_versions: dict[str, dict[str, int]] = field(default_factory=dict)  # rows it replaces
    unchanged: dict[str, set[str]] = field(default_factory=dict)  # ids equal to the stored row

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.frames)

    def to_write(self) -> int:
        """Rows an apply writes: the new and the changed ones (unchanged rows are left)."""
        return sum(c["new"] + c["changed"] for c in self.counts.values())

    def repairable(self) -> int:
        return sum(p.code == "invalid_geometry" for p in self.problems)


def _plan_problem(code: str, table: RawTable, layer: str = "", row=None, fld=None) -> Problem:
    zh, en = PLAN_MESSAGES[code]
    return Problem(layer=layer, feature_id=None, field=fld, code=code, message_zh=zh,
                   message_en=en, row=row, file=table.file, sheet=table.sheet)


def store_district(store):
    """The district outline: the store's districts layer, else the bundled reference outline."""
    if store is not None and "districts" in store.layer_names():
        districts = store.load("districts")
        if len(districts):
            return shapely.union_all(districts.geometry.values)
    try:
        return shapely.union_all(load_district().to_crs(WGS84).geometry.values)
    except Exception:  # noqa: BLE001 - the reference file may be absent in a bare install
        return None


class _StoreView:
    """Cached reads of the target store for fit checks and references."""

    def __init__(self, store):
        self.store = store
        self.names = set(store.layer_names()) if store is not None else set()
        self._frames: dict[str, pd.DataFrame] = {}

    def load(self, name: str) -> pd.DataFrame | None:
        if name not in self.names:
            return None
        if name not in self._frames:
            self._frames[name] = self.store.load(name)
        return self._frames[name]

    def geometry_by_id(self, name: str) -> dict:
        frame = self.load(name)
        if frame is None or GEOMETRY not in frame.columns:
            return {}
        return dict(zip(frame[ID].astype(str), frame[GEOMETRY].values))


def _fit_context(layer: str, frame: pd.DataFrame, view: _StoreView, district) -> detect.FitContext:
    ctx = detect.FitContext(district=None if district is None
                            else shapely.buffer(district, DISTRICT_TOLERANCE_DEG))
    for f in schema.layer(layer).fields:
        target = schema.LAYERS.get(f.ref or "")
        if target is None or target.geometry != "MultiPolygon" or f.name not in frame.columns:
            continue
        polygons = view.geometry_by_id(target.name)
        if polygons:
            ctx.anchors = np.array([polygons.get(str(v)) for v in frame[f.name]], dtype=object)
            break
    existing = view.geometry_by_id(layer)
    if existing and ID in frame.columns:
        ctx.existing = np.array([existing.get(str(v)) for v in frame[ID]], dtype=object)
    return ctx


def _repair(geom):
    fixed = shapely.make_valid(geom)
    if fixed.geom_type == "GeometryCollection":
        parts = [g for g in fixed.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        fixed = shapely.union_all(parts) if parts else fixed
    return fixed


def _prepare_table(table: RawTable, layer: str, view, district, crs_override, repair,
                   report: TableReport) -> tuple[pd.DataFrame, list[Problem], int]:
    spec = schema.layer(layer)
    duplicates = checks.duplicate_headers(layer, table.file, table.sheet, table.frame.columns)
    raw = table.frame.loc[:, ~pd.Index(table.frame.columns).duplicated()]
    rename = header_map(layer, [c for c in raw.columns if c != GEOMETRY])
    frame = pd.DataFrame(raw[list(rename)].rename(columns=rename)).reset_index(drop=True)
    frame = frame.astype(object).where(frame.notna(), None)
    frame = checks.unescape_text(layer, frame)
    frame = code_values(layer, frame)  # 点 -> point, 规划 -> planned
    frame = compare.times_to_utc(layer, frame)
    problems: list[Problem] = [*duplicates] + [
        validation.problem(layer, "missing_field", field=f.name,
                           source={SOURCE_FILE: table.file, SOURCE_SHEET: table.sheet})
        for f in spec.fields if f.required and f.name not in frame.columns
    ]
    first_row = 2 if table.fmt in ("csv", "xlsx") else 1
    frame[SOURCE_FILE] = table.file
    frame[SOURCE_SHEET] = table.sheet
    frame[SOURCE_ROW] = table.row_numbers if table.row_numbers is not None \
        else np.arange(len(frame)) + first_row
    problems += checks.masked_values(layer, frame)
    repaired = 0
    if spec.geometry:
        if isinstance(raw, gpd.GeoDataFrame) and raw.geometry.notna().any():
            geoms, errors = raw.geometry.reset_index(drop=True).values.to_numpy(), []
        else:
            geoms, errors = detect.raw_geometries(frame)
        for i, col in errors:
            problems.append(validation.problem(
                layer, "bad_type", frame[ID].iloc[i] if ID in frame.columns else None,
                header(layer, col), _src(frame, i), dtype="number/WKT", value=frame[col].iloc[i]))
        if geoms is None:
            problems.append(_plan_problem("no_geometry", table, layer))
            geoms = np.full(len(frame), None, dtype=object)
        geoms = np.asarray(geoms, dtype=object)
        present = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
        held_crs, held = detect.holding_crs(geoms, table.declared_crs, crs_override)
        if crs_override:
            choice, scores = crs_override, {}
        elif present.any() and not held.any():
            choice, scores = detect.UNKNOWN_CRS, {}  # not a guess from the bad rows
        else:  # rows no candidate holds do not decide the CRS
            ctx = _fit_context(layer, frame, view, district)
            choice, scores = detect.detect_crs(np.where(held, geoms, None), table.declared_crs,
                                               ctx)
            held = crslib.held_by(geoms, choice)
        outliers = present & ~held
        if outliers.any():
            problems += checks.out_of_range(layer, frame, geoms, outliers,
                                            held_crs if choice == detect.UNKNOWN_CRS else choice)
            geoms = np.where(outliers, None, geoms)
        report.crs, report.crs_scores = choice, {k: list(v) for k, v in scores.items()}
        if choice in CRS_NOTES:
            report.notes.append(CRS_NOTES[choice])
        geoms = detect.convert(geoms, choice)
        if repair:
            for i, geom in enumerate(geoms):
                if geom is not None and not geom.is_empty and not shapely.is_valid(geom):
                    geoms[i] = _repair(geom)
                    repaired += 1
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=WGS84))
    keep = [c for c in frame.columns if c not in (VERSION, "lon", "lat", "wkt")
            and not str(c).startswith(("几何WKT续", "wkt"))]
    return frame[keep], problems, repaired


def _src(frame: pd.DataFrame, i: int) -> dict:
    src = {k: frame[k].iloc[i] for k in (SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW)}
    src[SOURCE_ROW] = int(src[SOURCE_ROW])
    return src


def distinct_names(names: list[str]) -> list[str]:
    """File names as shown and keyed (problems, CRS choices): a repeated name gets (2), (3)..."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        path = Path(name)
        out.append(name if seen[name] == 1 else f"{path.stem} ({seen[name]}){path.suffix}")
    return out


def plan_import(paths, store=None, crs: str | dict | None = None, layer: str | None = None,
                repair: bool = False, size_limit: int = DEFAULT_SIZE_LIMIT) -> ImportPlan:
    """Read and check ``paths`` (paths, or (path, display name) pairs) against ``store``.

    ``crs`` overrides the detected source CRS: one for every file, or a dict from a file's
    display name to its CRS (files not named are detected)."""
    view = _StoreView(store)
    district = store_district(store)
    files, reports, problems, empty = [], [], [], []
    parts: dict[str, list[pd.DataFrame]] = {}
    repaired = 0
    items = [item if isinstance(item, tuple) else (item, Path(item).name) for item in paths]
    for path, name in zip([p for p, _ in items], distinct_names([n for _, n in items])):
        result = read_file(path, size_limit, display_name=name)
        file_crs = crs.get(name) if isinstance(crs, dict) else crs
        files.append((result.file, result.sha256))
        if result.problems and all(p.code == "empty_file" for p in result.problems):
            empty.append(result.file)  # refused only when no file of the import has data
        else:
            problems += result.problems
        skipped = [t.sheet for t in result.tables
                   if t.fmt == "gpkg" and t.sheet in schema.SYSTEM_LAYERS and not layer]
        if skipped and len(skipped) == len(result.tables):
            problems.append(file_problem("no_importable_table", result.file,
                                         found="、".join(map(str, skipped))))
        for table in result.tables:
            if table.sheet in skipped:
                continue  # a whole store file: accounts, audit, logs are never imported
            target = layer or detect_layer(table.sheet, table.file)
            if target not in IMPORTABLE_LAYERS:
                target = None
            report = TableReport(table.file, table.sheet, table.fmt, table.encoding, target,
                                 len(table.frame), table.declared_crs, notes=list(table.notes))
            reports.append(report)
            if target is None:
                problems.append(_plan_problem("unknown_layer", table))
                continue
            frame, found, fixed = _prepare_table(table, target, view, district, file_crs, repair,
                                                 report)
            problems += found
            repaired += fixed
            parts.setdefault(target, []).append(frame)
    frames = {name: _concat(chunks) for name, chunks in parts.items()}
    for name in empty:  # an export's empty layer (roads.csv) beside the others: skipped
        if frames:
            reports.append(TableReport(name, None, Path(name).suffix.lstrip(".").lower(), None,
                                       layer or detect_layer(None, name), 0, notes=[EMPTY_NOTE]))
        else:
            problems.append(file_problem("empty_file", name))
    known = {}
    for spec in schema.LAYERS.values():
        for f in spec.fields:
            if f.ref and f.ref in view.names and f.ref not in known:
                known[f.ref] = view.load(f.ref)[ID].astype(str).tolist()
    imported = frames.get("districts")
    if imported is not None and len(imported) and imported.geometry.notna().all():
        district = shapely.union_all(imported.geometry.values)  # the import brings its own
    per_table = {(p.layer, p.field) for p in problems if p.code == "missing_field"}
    problems += [p for p in validation.validate_dataset(frames, district, known)
                 if not (p.code == "missing_field" and (p.layer, p.field) in per_table)]
    for name, frame in frames.items():
        problems += _store_unique_clashes(name, frame, view.load(name))
        problems += checks.points_in_grids(name, frame, _grid_polygons(frames, view))
    problems = [checks.label_problem(p) for p in checks.without_echoes(problems)]
    counts, seen, unchanged = compare.row_counts(frames, view.load, compare_rows=not problems)
    return ImportPlan(files, reports, frames, problems, counts, repaired, seen, unchanged)


def _grid_polygons(frames: dict, view: _StoreView) -> dict:
    """Grid id -> polygon: the store's grids, overridden by grids in the same import."""
    polygons = view.geometry_by_id("grids")
    grids = frames.get("grids")
    if grids is not None and ID in grids.columns and GEOMETRY in grids.columns:
        polygons |= {str(i): g for i, g in zip(grids[ID], grids[GEOMETRY].values)
                     if g is not None and not g.is_empty}
    return polygons


def _store_unique_clashes(name: str, frame: pd.DataFrame, existing) -> list[Problem]:
    """Unique fields (other than id) whose value another stored row already holds."""
    if existing is None or existing.empty or ID not in frame.columns:
        return []
    others = existing[~existing[ID].astype(str).isin(set(frame[ID].astype(str)))]
    out = []
    for f in schema.layer(name).fields:
        if not f.unique or f.name not in frame.columns:
            continue
        taken = set(others[f.name].dropna().astype(str))
        for i, value in enumerate(frame[f.name]):
            if not validation.is_blank(value) and str(value) in taken:
                out.append(validation.problem(name, "duplicate_value", frame[ID].iloc[i], f.name,
                                              _src(frame, i), value=value))
    return out


def _concat(chunks: list[pd.DataFrame]) -> pd.DataFrame:
    if len(chunks) == 1:
        return chunks[0].reset_index(drop=True)
    out = pd.concat(chunks, ignore_index=True)
    if any(isinstance(c, gpd.GeoDataFrame) for c in chunks):
        out = gpd.GeoDataFrame(out, geometry=GEOMETRY, crs=WGS84)
    return out


def writable(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A planned frame without its source columns, with is_sample filled."""
    out = frame.drop(columns=[c for c in validation.SOURCE_COLUMNS if c in frame.columns])
    if IS_SAMPLE not in out.columns:
        out[IS_SAMPLE] = False
    return out
