"""Read uploaded files into raw tables, never executing anything in them.

Formats: .xlsx (openpyxl), .csv (UTF-8 with or without BOM, UTF-16 with BOM, GBK/GB18030),
.geojson/.json, zipped Shapefile (.zip; encoding from .cpg, else UTF-8 then GB18030), .gpkg
(every layer). Sizes are checked before reading; archives by :mod:`geo.importer.archives`.
Every attribute is read as text (ids such as ``T0006`` are never turned into times)."""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.importer import archives, library_errors, sheets
from geo.importer.raw import FileProblem, RawTable, file_problem
from geo.schema import GEOMETRY, Problem
from geo.store.gpkg_compat import STATE_TABLE  # a store file's revision counter: not data

DEFAULT_SIZE_LIMIT = 50 * 1024 * 1024
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
HASH_CHUNK = 1024 * 1024
KINDS_ZH = {"zip": "压缩包", "folder": "文件夹"}

@dataclass
class ReadResult:
    file: str
    sha256: str
    tables: list[RawTable]
    problems: list[Problem]


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_file(path: str | Path, size_limit: int = DEFAULT_SIZE_LIMIT,
              display_name: str | None = None) -> ReadResult:
    path = Path(path)
    name = display_name or path.name
    members = folder_files(path) if path.is_dir() else [path] if path.exists() else []
    size = max([p.stat().st_size for p in members] + [0])  # the limit is per file
    digest = _digest(members) if path.is_dir() else file_digest(path) if path.exists() \
        else hashlib.sha256(b"").hexdigest()
    if size > size_limit:  # checked before a single byte is parsed
        return ReadResult(name, digest, [], [file_problem(
            "file_too_large", name, limit=f"{size_limit / 1048576:g}",
            size=f"{size / 1048576:.1f}")])
    if not path.exists():
        return ReadResult(name, digest, [], [file_problem("no_such_file", name)])
    suffix = path.suffix.lower()
    reader = _read_folder if path.is_dir() else READERS.get(suffix)
    if reader is None:
        return ReadResult(name, digest, [], [file_problem("unknown_format", name,
                                                          suffix=suffix or "?")])
    binary = library_errors.nul_bytes(path, name)
    if binary is not None:
        return ReadResult(name, digest, [], [binary])
    try:
        tables = reader(path, name, archives.unzipped_limit(size_limit))
    except archives.ArchiveRefused as exc:
        return ReadResult(name, digest, [], [file_problem(exc.code, name, **exc.fmt)])
    except FileProblem as exc:
        return ReadResult(name, digest, [], [exc.problem])
    except Exception as exc:  # noqa: BLE001 - any parser failure is reported, not raised
        return ReadResult(name, digest, [], [library_errors.unreadable(name, exc)])
    problems = [p for t in tables for p in t.problems]
    tables = [t for t in tables if not t.frame.empty]  # an export's empty layer: no data
    if not tables and not problems:
        problems = [file_problem("empty_file", name)]
    return ReadResult(name, digest, tables, problems)


def _digest(files: list[Path]) -> str:
    """A folder's digest: its files' names and contents, in name order."""
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\0" + file_digest(file).encode())
    return digest.hexdigest()


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and its encoding: UTF-16 by its BOM, strict UTF-8 (BOM or not), then GB18030."""
    for bom, encoding in UTF16_BOMS.items():
        if data.startswith(bom):
            return data[len(bom):].decode(encoding), "utf-16"
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


def _read_csv(path: Path, name: str, limit: int) -> list[RawTable]:
    data = path.read_bytes()
    try:
        text, encoding = decode_text(data)
    except ValueError as exc:
        raise FileProblem(file_problem("bad_encoding", name)) from exc
    if not text.strip():
        return [RawTable(name, None, "csv", pd.DataFrame(), encoding)]
    if Path(name).stem == sheets.EXPORT_INFO_SHEET:  # an export's info file given on its own
        sheets.refuse_masked_export(list(csv.reader(io.StringIO(text.lstrip("\ufeff")))),
                                    name, name)
        return [RawTable(name, None, "csv", pd.DataFrame(), encoding)]  # no data: skipped
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # a long cell: too_long
    first = text.lstrip("\ufeff").splitlines()[0]
    sep = "\t" if "\t" in first and "," not in first else ","  # Excel's UTF-16 text: tabs
    rows = [[cell if cell.strip() else None for cell in row]
            for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep,
                                  skipinitialspace=True)]
    table = sheets.table_from_rows(name, None, "csv", rows)
    table.encoding = encoding
    return [table]


def _read_xlsx(path: Path, name: str, limit: int) -> list[RawTable]:
    archives.check_workbook(path, limit)
    return sheets.read_workbook(path, name)


def _declared(frame: pd.DataFrame) -> str | None:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
        return None
    epsg = frame.crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else frame.crs.to_wkt()


def _read_ogr(path: Path, name: str, fmt: str, encoding: str | None = None) -> list[RawTable]:
    tables = []
    for layer_name in pyogrio.list_layers(path)[:, 0]:
        kwargs = {"encoding": encoding} if encoding else {}
        if fmt == "geojson":  # GDAL would read "T0006" as a time and "2021-09-01" as a date
            kwargs |= {"DATE_AS_STRING": "YES"}
        frame = pyogrio.read_dataframe(path, layer=layer_name, fid_as_index=False, **kwargs)
        declared = _declared(frame)
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.isna().all():
            frame = pd.DataFrame(frame.drop(columns=[GEOMETRY], errors="ignore"))
        sheet = str(layer_name) if fmt == "gpkg" else None
        tables.append(RawTable(name, sheet, fmt, frame, encoding, declared))
    return tables


def _read_geojson(path: Path, name: str, limit: int) -> list[RawTable]:
    return _read_ogr(path, name, "geojson")


def _read_gpkg(path: Path, name: str, limit: int) -> list[RawTable]:
    tables = _read_ogr(path, name, "gpkg")
    for table in tables:
        if table.sheet == sheets.EXPORT_INFO_TABLE:
            sheets.refuse_masked_export(table.frame.values.tolist(), name, table.sheet)
    return [t for t in tables if t.sheet not in (sheets.EXPORT_INFO_TABLE, STATE_TABLE)]


def _read_zip(path: Path, name: str, limit: int) -> list[RawTable]:
    """A zipped Shapefile (or several); other members of the zip are read by their suffix."""
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as tmp:
        files = archives.extract_flat(archive, Path(tmp), limit)
        return _read_members(files, name, limit, "zip")


def _read_members(files: list[Path], name: str, limit: int, kind: str) -> list[RawTable]:
    """The files of a zip or a folder, each by its suffix; an export's 导出说明 file is read
    (a masked export is refused) and is not data."""
    tables = []
    for file in sorted(files):
        suffix = file.suffix.lower()
        if file.stem == sheets.EXPORT_INFO_SHEET:
            sheets.refuse_masked_export(
                list(csv.reader(io.StringIO(decode_text(file.read_bytes())[0]))), name,
                file.name)
        elif suffix == ".shp":
            tables += _read_shapefile(file, name)
        elif suffix in READERS and suffix != ".zip":
            for table in READERS[suffix](file, name, limit):
                table.sheet = file.name if table.sheet is None else \
                    f"{file.name}/{table.sheet}"
                tables.append(table)
    if not tables:
        orphans = [f.name for f in files if f.suffix.lower() in (".dbf", ".shx")]
        if orphans:
            raise FileProblem(file_problem("shapefile_part_missing", name, part=".shp",
                                           shp=orphans[0]))
        raise FileProblem(file_problem("no_known_file", name, kind_zh=KINDS_ZH[kind], kind_en=kind))
    return tables


def folder_files(folder: Path) -> list[Path]:
    """The files of a folder given to the importer (an unzipped export): its own files, not
    hidden ones nor subfolders."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _read_folder(path: Path, name: str, limit: int) -> list[RawTable]:
    return _read_members(folder_files(path), name, limit, "folder")


def _sibling(shp: Path, suffix: str) -> Path | None:
    return next((p for p in shp.parent.glob(shp.stem + ".*") if p.suffix.lower() == suffix),
                None)


def _read_shapefile(shp: Path, name: str) -> list[RawTable]:
    for part in (".dbf", ".shx"):
        if _sibling(shp, part) is None:
            raise FileProblem(file_problem("shapefile_part_missing", name, sheet=shp.name,
                                           part=part, shp=shp.name))
    cpg = _sibling(shp, ".cpg")
    if cpg is not None:
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
