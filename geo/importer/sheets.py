"""Spreadsheet-shaped input (CSV rows, Excel sheets) into raw tables.

* The header is the row, among the first few, with the most known column headers: a title
  row above it ("2024年在职党员名单") is skipped and noted.
* Rows of the templates' example (first cell starting with ``EXAMPLE_MARK``) are skipped.
* Instruction sheets (填表说明 ...) are not data; an export's 导出说明 sheet marked masked
  refuses the whole file.
* A formula cell without a cached value (a workbook written by a program, never opened in
  Excel) is reported as such, not as an empty value.
* Each frame row keeps its row number in the source, for messages."""

from __future__ import annotations

import re
import zipfile

import pandas as pd
from openpyxl import load_workbook

from geo.importer import mapping
from geo.importer.raw import FileProblem, RawTable, file_problem

EXAMPLE_MARK = "【示例】"
INSTRUCTION_SHEETS = ("填表说明", "说明", "使用说明", "instructions", "readme")
EXPORT_INFO_SHEET = "导出说明"
EXPORT_INFO_TABLE = "export_info"  # its name in a GeoPackage export
MASKED_KEY, MASKED_YES = "脱敏 masked", "是 yes"
HEADER_SEARCH_ROWS = 10

def _known_headers() -> set[str]:
    names = set(mapping.ALIASES) | set(mapping.COMMON_HEADERS) | set(
        mapping.COMMON_HEADERS.values())
    for layer in mapping.IMPORTABLE_LAYERS:
        for f in mapping.schema.layer(layer).all_fields:
            names |= {f.name, mapping.header(layer, f.name)}
    names |= {mapping.LON_ZH, mapping.LAT_ZH, mapping.WKT_ZH}
    return {mapping.norm(n) for n in names}


KNOWN_HEADERS = _known_headers()


def _header_score(row: list) -> int:
    return sum(1 for v in row if v is not None and mapping.norm(str(v)) in KNOWN_HEADERS)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_row(rows: list[list]) -> int:
    """Index of the header among the first non-empty rows (the best-scoring one)."""
    candidates = [i for i, r in enumerate(rows) if any(not _blank(v) for v in r)]
    candidates = candidates[:HEADER_SEARCH_ROWS]
    if not candidates:
        return 0
    best = max(candidates, key=lambda i: (_header_score(rows[i]), -i))
    return best if _header_score(rows[best]) >= 2 else candidates[0]


def is_example(row: list) -> bool:
    first = next((v for v in row if not _blank(v)), None)
    return isinstance(first, str) and first.strip().startswith(EXAMPLE_MARK)


def table_from_rows(file: str, sheet: str | None, fmt: str, rows: list[list],
                    formulas: dict | None = None):
    """A RawTable from rows of cells (``formulas``: (row index, column index) -> formula text
    of formula cells without a cached value)."""
    table = RawTable(file, sheet, fmt, pd.DataFrame())
    at = header_row(rows)
    if at > 0 and any(not _blank(v) for r in rows[:at] for v in r):
        table.notes.append(f"跳过表头上方的 {at} 行标题 | skipped {at} title row(s) above the "
                           f"header")
    if not rows:
        return table
    width = max(len(r) for r in rows)
    head_cells = list(rows[at]) + [None] * (width - len(rows[at]))
    head = [str(h).strip() if not _blank(h) else f"col{i}" for i, h in enumerate(head_cells)]
    data, numbers, skipped = [], [], 0
    for i in range(at + 1, len(rows)):
        row = list(rows[i]) + [None] * (width - len(rows[i]))
        if all(_blank(v) for v in row):
            continue
        if is_example(row):
            skipped += 1
            continue
        data.append(row)
        numbers.append(i + 1)
    if skipped:
        table.notes.append(f"跳过 {skipped} 行示例 | skipped {skipped} example row(s)")
    for (r, c), formula in sorted((formulas or {}).items()):
        if r > at and c < width:
            table.problems.append(file_problem(
                "formula_no_value", file, sheet, row=r + 1, fld=head[c],
                cell=f"{_column_letter(c)}{r + 1}", formula=str(formula)[:60]))
    table.frame = pd.DataFrame(data, columns=head, dtype=object)
    table.row_numbers = numbers
    return table


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def refuse_masked_export(rows: list, file: str, where: str) -> None:
    """An export's 导出说明 rows (key, value): a masked export is refused as a whole."""
    info = {str(r[0]).strip(): r[1] for r in rows if len(r) > 1 and r[0] is not None}
    if str(info.get(MASKED_KEY, "")).strip() == MASKED_YES:
        raise FileProblem(file_problem("masked_export", file, where,
                                       marker=f"{where}: {MASKED_KEY} = {MASKED_YES}"))


FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")  # <f>, <f t="shared" ...>, <x:f/>


def has_formulas(path) -> bool:
    """True when any worksheet of the .xlsx holds a formula element (a workbook we exported
    holds none: its formula pass is skipped, half the reading time)."""
    with zipfile.ZipFile(path) as archive:
        return any(FORMULA_ELEMENT.search(archive.read(entry))
                   for entry in archive.namelist()
                   if entry.startswith("xl/worksheets/") and entry.endswith(".xml"))


def read_workbook(path, name: str) -> list:
    """Every data sheet of an .xlsx (instruction sheets left out)."""
    values = load_workbook(path, read_only=True, data_only=True)
    formulas = load_workbook(path, read_only=True, data_only=False) if has_formulas(path) else None
    tables = []
    try:
        for sheet in values.worksheets:
            title = sheet.title.strip()
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            if title == EXPORT_INFO_SHEET:
                refuse_masked_export(rows, name, title)
                continue
            if title.lower() in INSTRUCTION_SHEETS:
                continue
            missing = {}
            formula_rows = formulas[sheet.title].iter_rows(values_only=True) if formulas else ()
            for r, row in enumerate(formula_rows):
                for c, cell in enumerate(row):
                    if isinstance(cell, str) and cell.startswith("=") and (
                            r >= len(rows) or c >= len(rows[r]) or rows[r][c] is None):
                        missing[(r, c)] = cell
            tables.append(table_from_rows(name, sheet.title, "xlsx", rows, missing))
    finally:
        values.close()
        if formulas:
            formulas.close()
    return tables
