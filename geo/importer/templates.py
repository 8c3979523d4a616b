"""Layers as flat tables with Chinese headers: import templates and the Excel/CSV export.

Point layers get 经度/纬度 columns, polygon and line layers a 几何WKT column (spilling into
几何WKT续1, 续2, ... where a shape is longer than an Excel cell's 32,767 characters)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import shapely

from geo import schema
from geo.importer.mapping import (
    IMPORTABLE_LAYERS,
    LAT_ZH,
    LAYER_LABELS,
    LON_ZH,
    WKT_ZH,
    header,
)
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


def template_headers(layer: str) -> list[str]:
    fields = [f for f in table_fields(layer) if f != schema.IS_SAMPLE]
    return [header(layer, f) for f in fields] + geometry_headers(layer)


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
        elif dtype == "datetime":
            col = col.map(
                lambda v: None if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M:%S"))
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
    """An empty Excel template for ``layer`` with Chinese headers."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        pd.DataFrame(columns=template_headers(layer)).to_excel(
            writer, sheet_name=sheet_name(layer), index=False)
    return buffer.getvalue()


def templates_zip(layers: list[str] | None = None) -> bytes:
    """Every layer's template in one zip (``<layer>.xlsx``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for layer in layers or IMPORTABLE_LAYERS:
            archive.writestr(f"{layer}_{LAYER_LABELS[layer]}.xlsx", template_xlsx(layer))
    return buffer.getvalue()
