"""What a reader's failure means, in one clear line (Chinese | English) naming the file, never
the library's own text (GDAL's "not recognized as being in a supported file format... prefixing
the file path", ``BadZipFile``, an XML ``ParseError``, a ``GEOSException``, SQLite's "file is
not a database"). A line or character position the library found is kept; paths are not."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from geo.importer.raw import file_problem
from geo.schema import Problem

FORMAT_NAMES = {".geojson": ("GeoJSON", "GeoJSON"), ".json": ("GeoJSON", "GeoJSON"),
                ".gpkg": ("GeoPackage", "GeoPackage"), ".shp": ("Shapefile", "Shapefile"),
                ".zip": ("压缩包", "zip archive"), ".xlsx": ("Excel 工作簿", "Excel workbook"),
                ".csv": ("CSV 表格", "CSV table")}
_INNER_FILE = re.compile(r"[\\/'\"]([^\\/'\"]+?)(\.[A-Za-z0-9]+)['\"]? not recognized")
_POSITION = re.compile(r"line (\d+),? (?:character|column) (\d+)", re.IGNORECASE)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
TEXT_SUFFIXES = (".csv", ".txt")


def _kind(exc: BaseException) -> str:
    names = {c.__name__ for c in type(exc).__mro__}
    text = str(exc)
    if names & {"BadZipFile", "LargeZipFile"} or isinstance(exc, zipfile.BadZipFile):
        return "zip"
    if names & {"ParseError", "XMLSyntaxError", "ExpatError"} or "XML" in type(exc).__name__:
        return "xml"
    if "GEOSException" in names or "Shapely" in type(exc).__name__:
        return "geometry"
    if "not a database" in text or "malformed" in text:
        return "damaged"
    if "not recognized as being in a supported file format" in text:
        return "unrecognised"
    if names & {"KeyError", "InvalidFileException"} or "no item named" in text:
        return "parts"
    return "damaged"


_MESSAGES = {
    "zip": ("不是完整的{fmt_zh}(压缩结构损坏或只下载了一部分),请重新保存或重新下载",
            ("not a complete {fmt_en} (its zip structure is damaged or partly downloaded); save "
            "or download it again")),
    "xml": ("{fmt_zh}内部内容损坏{where_zh},无法读取,请用 Excel 打开后另存为 .xlsx",
            ("the {fmt_en}'s inner content is damaged{where_en}; open it in Excel and save it "
            "again as .xlsx")),
    "geometry": ("文件中的几何无法读取(例如多边形的环少于 4 个点),请在 GIS 软件中修复后再导入",
                 ("a geometry in the file cannot be read (e.g. a polygon ring with fewer than 4 "
                 "points); repair it in a GIS program and import again")),
    "unrecognised": ("不是有效的{fmt_zh}文件(内容与扩展名不符或已损坏)",
                     ("not a valid {fmt_en} file (its content does not match its extension, or "
                     "it is damaged)")),
    "parts": ("{fmt_zh}缺少必需的组成部分,无法读取,请重新保存",
              "the {fmt_en} lacks a required part and cannot be read; save it again"),
    "damaged": ("{fmt_zh}文件已损坏或格式错误{where_zh},无法读取",
                "the {fmt_en} file is damaged or malformed{where_en} and cannot be read"),
}


def unreadable(name: str, exc: BaseException) -> Problem:
    """The ``unreadable_file`` problem of file ``name`` whose reader raised ``exc``."""
    inner = _INNER_FILE.search(str(exc))  # a file inside an archive (grids.shp in a zip)
    suffix = inner.group(2).lower() if inner else Path(name).suffix.lower()
    fmt_zh, fmt_en = FORMAT_NAMES.get(suffix, FORMAT_NAMES.get(Path(name).suffix.lower(),
                                                               ("", "")))
    found = _POSITION.search(str(exc))
    where_zh = f"(第 {found.group(1)} 行第 {found.group(2)} 个字符处)" if found else ""
    where_en = f" (at line {found.group(1)}, character {found.group(2)})" if found else ""
    zh, en = _MESSAGES[_kind(exc)]
    values = {"fmt_zh": fmt_zh or "该", "fmt_en": fmt_en or "file", "where_zh": where_zh,
              "where_en": where_en}
    problem = file_problem("unreadable_file", name, error="")
    problem.message_zh = "文件无法读取:" + zh.format(**values)
    problem.message_en = "unreadable file: " + en.format(**values).replace("file file", "file")
    problem.extra = {"cause": _kind(exc)}
    return problem


def _decodes(data: bytes) -> bool:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            data.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def nul_bytes(path: Path, name: str) -> Problem | None:
    """A text table holding NUL bytes (not UTF-16): a binary or damaged file, refused as such
    rather than read into empty or missing fields."""
    if Path(name).suffix.lower() not in TEXT_SUFFIXES or not path.is_file():
        return None
    with open(path, "rb") as data:
        head = data.read(1 << 20)
    if head[:2] in UTF16_BOMS or b"\x00" not in head:
        return None
    at = head.index(b"\x00")
    if not _decodes(head[:at]):  # not text before the NUL either: the encoding check says so
        return None
    line = head[:at].count(b"\n") + 1
    problem = file_problem("unreadable_file", name, row=line, error="")
    problem.message_zh = (f"文件无法读取:第 {line} 行含空字符(NUL),不是文本表格,可能已损坏;"
                          "请从原表格重新导出为 CSV 或 .xlsx")
    problem.message_en = (f"unreadable file: line {line} holds a NUL byte, so this is not a "
                          "text table (damaged?); export it again as CSV or .xlsx")
    problem.extra = {"cause": "nul"}
    return problem
