"""Layers as flat tables with Chinese headers: import templates and the Excel/CSV export.

Point layers get 经度/纬度 columns, polygon and line layers a 几何WKT column (spilling into
几何WKT续1, 续2, ... where a shape is longer than an Excel cell's 32,767 characters).

A template marks required columns with ``*``, holds one example row (its first cell starts
with 【示例】, and the importer skips it) and a 填表说明 sheet describing every column."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import shapely

from geo import cells, schema
from geo.importer.mapping import (
    IMPORTABLE_LAYERS,
    LAT_ZH,
    LAYER_LABELS,
    LON_ZH,
    WKT_ZH,
    header,
)
from geo.importer.sheets import EXAMPLE_MARK, INSTRUCTION_SHEETS
from geo.schema import GEOMETRY, VERSION

EXCEL_CELL_LIMIT = 32_000
SHEET_NAME_LIMIT = 31


def table_fields(layer: str) -> list[str]:
    """The fields a table of ``layer`` carries (id first; no version)."""
    return [f.name for f in schema.layer(layer).all_fields if f.name != VERSION]


def geometry_headers(layer: str) -> list[str]:
    kind = schema.layer(layer).geometry
    if kind is None:
        return []
    return [LON_ZH, LAT_ZH] if kind == "Point" else [WKT_ZH]


REQUIRED_MARK = "*"
DTYPE_NOTES = {"str": "文本 text", "int": "整数 whole number", "float": "数字 number",
               "bool": "是/否 yes/no", "date": "日期 date, 2021-09-01",
               "datetime": "日期时间 date and time, 2021-09-01 08:30:00", "json": "JSON"}
EXAMPLE_VALUES = {"str": "示例", "int": 10, "float": 1.5, "bool": "是", "date": "2021-09-01",
                  "datetime": "2021-09-01 08:30:00", "json": "[]"}
EXAMPLE_POINT = (121.262, 28.648)
EXAMPLE_WKT = "POLYGON ((121.255 28.64, 121.265 28.64, 121.265 28.65, 121.255 28.64))"


def template_fields(layer: str) -> list[schema.Field]:
    spec = schema.layer(layer)
    return [spec.field(f) for f in table_fields(layer) if f != schema.IS_SAMPLE]


def template_headers(layer: str) -> list[str]:
    """Chinese headers, required ones marked with * (the importer ignores the mark)."""
    heads = [header(layer, f.name) + (REQUIRED_MARK if f.required else "")
             for f in template_fields(layer)]
    geometry = geometry_headers(layer)
    return heads + [h + REQUIRED_MARK for h in geometry]


# Ids in each layer's own format (the sample's and the importer's): a street is a 9-digit
# township code, a community 12 digits, a grid 14; "C001" is a compound's (issue #25: the
# template's example row gave a street "S001" and a community "C001").
EXAMPLE_IDS = {
    "districts": "331003", "counties": "331002", "streets": "331003001",
    "communities": "331003001001", "grids": "33100300100101", "property_firms": "F01",
    "party_instructors": "I01", "party_alliances": "A01", "compounds": "C001",
    "party_branches": "B001", "owners_committees": "O001", "supervisory_committees": "S001",
    "service_positions": "P01", "joint_duty_stations": "J01", "volunteer_teams": "V0001",
    "members": "M00001", "pairings": "R0001", "joint_meetings": "JM00001",
    "disclosures": "DS000001", "events": "EV00001", "service_orders": "SO000001",
    "cases": "CS000001",
}


def _example_id(layer: str) -> str:
    return EXAMPLE_IDS.get(layer, f"{layer[:1].upper()}001")


def example_row(layer: str) -> list:
    """One plausible row, its id marked 【示例】 so that an import skips it; references in
    the referenced layer's id format."""
    row = []
    for f in template_fields(layer):
        if f.name == schema.ID:
            row.append(f"{EXAMPLE_MARK}{_example_id(layer)}")
        elif f.choices:
            row.append(f.choices[0])
        elif f.ref:
            row.append(_example_id(f.ref))
        else:
            row.append(EXAMPLE_VALUES[f.dtype])
    kind = schema.layer(layer).geometry
    if kind == "Point":
        row += list(EXAMPLE_POINT)
    elif kind:
        row.append(EXAMPLE_WKT)
    return row


def instructions(layer: str) -> pd.DataFrame:
    """The 填表说明 sheet: one row per column, required or not, type, allowed values."""
    rows = []
    for f in template_fields(layer):
        notes = []
        if f.choices:
            notes.append("可选值 values: " + "/".join(f.choices))
        if f.ref:
            notes.append(f"填写已有{LAYER_LABELS.get(f.ref, f.ref)}的编号 an id of {f.ref}")
        if f.length_limit and f.dtype == "str":
            notes.append(f"最多 {f.length_limit} 字 at most {f.length_limit} characters")
        if f.minimum is not None:
            notes.append(f"不小于 at least {f.minimum:g}")
        rows.append([header(layer, f.name), "是 yes" if f.required else "否 no",
                     DTYPE_NOTES[f.dtype], ";".join(notes)])
    for head in geometry_headers(layer):
        rows.append([head, "是 yes", "WGS84 / CGCS2000 / GCJ-02 / BD-09 / 4549", ""])
    rows.append([f"{EXAMPLE_MARK}…", "", "示例行,导入时跳过 example row, skipped on import", ""])
    return pd.DataFrame(rows, columns=["列 column", "必填 required", "类型 type",
                                       "说明 notes"])


def layer_table(layer: str, frame: pd.DataFrame, chinese: bool = True,
                split_wkt: bool = False) -> pd.DataFrame:
    """A store frame as a flat table: text dates, geometry as lon/lat or WKT columns."""
    spec = schema.layer(layer)
    out = pd.DataFrame(index=range(len(frame)))
    values = frame.reset_index(drop=True)
    for name in table_fields(layer):
        col = values[name] if name in values.columns else pd.Series([None] * len(values))
        dtype = spec.field(name).dtype
        if dtype == "date":
            col = col.map(lambda v: None if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d"))
        elif dtype == "datetime":  # text already (an export's local time with offset) stays
            col = col.map(lambda v: v if isinstance(v, str) else None if pd.isna(v)
                          else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M:%S"))
        out[header(layer, name) if chinese else name] = col.astype(object).where(col.notna(),
                                                                                  None)
    if spec.geometry and GEOMETRY in values.columns:
        geoms = values[GEOMETRY].values
        if spec.geometry == "Point":
            out[LON_ZH if chinese else "lon"] = shapely.get_x(geoms)
            out[LAT_ZH if chinese else "lat"] = shapely.get_y(geoms)
        else:
            wkt = pd.Series(shapely.to_wkt(geoms, rounding_precision=-1), dtype=object)
            base = WKT_ZH if chinese else "wkt"
            if not split_wkt:
                out[base] = wkt
            else:
                pieces = wkt.map(lambda s: [s[i:i + EXCEL_CELL_LIMIT]
                                            for i in range(0, len(s or ""), EXCEL_CELL_LIMIT)])
                width = max([len(p) for p in pieces] + [1])
                for k in range(width):
                    name = base if k == 0 else f"{base}续{k}"
                    out[name] = pieces.map(lambda p, k=k: p[k] if k < len(p) else None)
    return out


def sheet_name(layer: str) -> str:
    return LAYER_LABELS.get(layer, layer)[:SHEET_NAME_LIMIT]


def template_xlsx(layer: str) -> bytes:
    """An Excel template for ``layer``: Chinese headers (required ones marked *), one example
    row the importer skips, and a 填表说明 sheet."""
    buffer = io.BytesIO()
    with cells.excel_writer(buffer) as writer:
        cells.write_sheet(writer, pd.DataFrame([example_row(layer)],
                                               columns=template_headers(layer)),
                          sheet_name(layer))
        cells.write_sheet(writer, instructions(layer), INSTRUCTION_SHEETS[0])
    return buffer.getvalue()


def templates_zip(layers: list[str] | None = None) -> bytes:
    """Every layer's template in one zip (``<layer>.xlsx``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for layer in layers or IMPORTABLE_LAYERS:
            archive.writestr(f"{layer}_{LAYER_LABELS[layer]}.xlsx", template_xlsx(layer))
    return buffer.getvalue()
