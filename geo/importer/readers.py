"""Read uploaded files into raw tables, never executing anything in them.

Formats: .xlsx (openpyxl), .csv (UTF-8, UTF-8 with BOM, GBK/GB18030, detected), .geojson/.json,
zipped Shapefile (.zip; encoding from .cpg, else UTF-8 then GB18030), .gpkg (every layer).
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.schema import GEOMETRY, Problem

DEFAULT_SIZE_LIMIT = 50 * 1024 * 1024
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")

FILE_MESSAGES = {
    "file_too_large": ("文件超过大小上限 {limit} MB:{size} MB",
                       "file exceeds the size limit of {limit} MB: {size} MB"),
    "unknown_format": ("不支持的文件格式:{suffix}", "unknown file format: {suffix}"),
    "unreadable_file": ("文件无法读取:{error}", "unreadable file: {error}"),
    "empty_file": ("文件中没有数据", "the file holds no records"),
}


def file_problem(code: str, file: str, sheet: str | None = None, **fmt) -> Problem:
    zh, en = FILE_MESSAGES[code]
    return Problem(layer="", feature_id=None, field=None, code=code, message_zh=zh.format(**fmt),
                   message_en=en.format(**fmt), file=file, sheet=sheet, extra=dict(fmt))


@dataclass
class RawTable:
    """One sheet/layer of an uploaded file, columns as found."""

    file: str
    sheet: str | None
    fmt: str
    frame: pd.DataFrame  # a GeoDataFrame when the format carries geometry
    encoding: str | None = None
    declared_crs: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ReadResult:
    file: str
    sha256: str
    tables: list[RawTable]
    problems: list[Problem]


def read_file(path: str | Path, size_limit: int = DEFAULT_SIZE_LIMIT,
              display_name: str | None = None) -> ReadResult:
    path = Path(path)
    name = display_name or path.name
    data = path.read_bytes() if path.exists() else b""
    digest = hashlib.sha256(data).hexdigest()
    if len(data) > size_limit:
        mb = f"{len(data) / 1048576:.1f}"
        return ReadResult(name, digest, [], [file_problem(
            "file_too_large", name, limit=f"{size_limit / 1048576:g}", size=mb)])
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        return ReadResult(name, digest, [], [file_problem("unknown_format", name,
                                                          suffix=suffix or "?")])
    try:
        tables = reader(path, name, data)
    except Exception as exc:  # noqa: BLE001 - any parser failure is reported, not raised
        return ReadResult(name, digest, [], [file_problem(
            "unreadable_file", name, error=f"{type(exc).__name__}: {exc}"[:200])])
    tables = [t for t in tables if not t.frame.empty]
    problems = [] if tables else [file_problem("empty_file", name)]
    return ReadResult(name, digest, tables, problems)


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and its encoding: strict UTF-8 (BOM or not) first, then GB18030 (covers GBK)."""
    for encoding in TEXT_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        label = encoding
        if encoding == "utf-8-sig":
            label = "utf-8-bom" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
        return text, label
    raise ValueError("neither UTF-8 nor GB18030 text")


def _read_csv(path: Path, name: str, data: bytes) -> list[RawTable]:
    text, encoding = decode_text(data)
    if not text.strip():
        return [RawTable(name, None, "csv", pd.DataFrame(), encoding)]
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[""],
                        skipinitialspace=True)
    frame = frame.astype(object).where(frame.notna(), None)
    return [RawTable(name, None, "csv", frame, encoding)]


def _read_xlsx(path: Path, name: str, data: bytes) -> list[RawTable]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    tables = []
    for sheet in book.worksheets:
        rows = [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
        if not rows:
            tables.append(RawTable(name, sheet.title, "xlsx", pd.DataFrame()))
            continue
        head = [str(h).strip() if h is not None else f"col{i}" for i, h in enumerate(rows[0])]
        frame = pd.DataFrame([list(r) for r in rows[1:]], columns=head, dtype=object)
        tables.append(RawTable(name, sheet.title, "xlsx", frame))
    book.close()
    return tables


def _declared(frame: pd.DataFrame) -> str | None:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
        return None
    epsg = frame.crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else frame.crs.to_wkt()


def _read_ogr(path: Path, name: str, fmt: str, encoding: str | None = None) -> list[RawTable]:
    tables = []
    for layer_name in pyogrio.list_layers(path)[:, 0]:
        kwargs = {"encoding": encoding} if encoding else {}
        frame = pyogrio.read_dataframe(path, layer=layer_name, fid_as_index=False, **kwargs)
        declared = _declared(frame)
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.isna().all():
            frame = pd.DataFrame(frame.drop(columns=[GEOMETRY], errors="ignore"))
        sheet = str(layer_name) if fmt == "gpkg" else None
        tables.append(RawTable(name, sheet, fmt, frame, encoding, declared))
    return tables


def _read_geojson(path: Path, name: str, data: bytes) -> list[RawTable]:
    return _read_ogr(path, name, "geojson")


def _read_gpkg(path: Path, name: str, data: bytes) -> list[RawTable]:
    return _read_ogr(path, name, "gpkg")


def _read_zip(path: Path, name: str, data: bytes) -> list[RawTable]:
    """A zipped Shapefile (or several); other members of the zip are read by their suffix."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive, tempfile.TemporaryDirectory() as tmp:
        members = [m for m in archive.infolist() if not m.is_dir()]
        for member in members:
            target = Path(tmp) / Path(member.filename).name  # flatten: no path traversal
            target.write_bytes(archive.read(member))
        tables = []
        for file in sorted(Path(tmp).iterdir()):
            suffix = file.suffix.lower()
            if suffix == ".shp":
                tables += _read_shapefile(file, name)
            elif suffix in READERS and suffix != ".zip":
                for table in READERS[suffix](file, name, file.read_bytes()):
                    table.sheet = file.name
                    tables.append(table)
        if not tables:
            raise ValueError("no .shp or known file in the zip")
        return tables


def _read_shapefile(shp: Path, name: str) -> list[RawTable]:
    cpg = shp.with_suffix(".cpg")
    if not cpg.exists():
        cpg = next((p for p in shp.parent.glob(shp.stem + ".*") if p.suffix.lower() == ".cpg"),
                   cpg)
    if cpg.exists():
        encoding = cpg.read_text(errors="replace").strip().lower() or "utf-8"
        tables = _read_ogr(shp, name, "shapefile", encoding)
        note = f"cpg: {encoding}"
    else:
        try:
            tables = _read_ogr(shp, name, "shapefile", "utf-8")
            _strict_utf8(tables)
            encoding = "utf-8"
        except (UnicodeError, ValueError):
            tables = _read_ogr(shp, name, "shapefile", "gb18030")
            encoding = "gb18030"
        note = "no .cpg"
    for table in tables:
        table.sheet, table.encoding = shp.name, encoding
        table.notes.append(note)
    return tables


def _strict_utf8(tables: list[RawTable]) -> None:
    for table in tables:
        for col in table.frame.columns:
            if col == GEOMETRY:
                continue
            for value in table.frame[col]:
                if isinstance(value, str) and "\ufffd" in value:
                    raise ValueError("replacement character: not UTF-8")


READERS = {
    ".csv": _read_csv, ".txt": _read_csv, ".xlsx": _read_xlsx, ".geojson": _read_geojson,
    ".json": _read_geojson, ".gpkg": _read_gpkg, ".zip": _read_zip,
}
