"""Cells the app writes into CSV and Excel files, safe to open (formula injection).

Every CSV and xlsx the app writes goes through :func:`safe_table`: a text cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with ``'`` as OWASP
describes, so that Excel and LibreOffice show it as text instead of running it. Only text
cells are escaped: numbers (a real ``-5``) stay numbers. The importer removes exactly that
prefix again (:func:`unescape_cell`), so an export imports back unchanged. In xlsx files every
text value is written as a string cell, never as a formula."""

from __future__ import annotations

import io
import math

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def _formula_like(text: str) -> bool:
    """Starts with a formula character, possibly behind apostrophes (so that a value that
    already looks escaped is escaped once more and comes back exactly)."""
    return text.lstrip(ESCAPE).startswith(FORMULA_STARTS)


def escape_cell(value):
    """``value`` inert in a spreadsheet: text starting with a formula character gets ``'``."""
    if isinstance(value, str) and _formula_like(value):
        return ESCAPE + value
    return value


def unescape_cell(value):
    """The inverse of :func:`escape_cell` for a text cell read back from an export."""
    if isinstance(value, str) and value.startswith(ESCAPE) and _formula_like(value[1:]):
        return value[1:]
    return value


def safe_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells (and headers) are escaped; numeric columns untouched."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(escape_cell).astype(object)
    out.columns = [escape_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame, encoding: str = "utf-8-sig") -> bytes:
    """A CSV (UTF-8 with BOM: Excel reads Chinese) of ``frame`` with every cell made safe."""
    return safe_table(frame).to_csv(index=False).encode(encoding)


# XlsxWriter never turns a text into a formula, a link or a number: every text is a string cell
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                "strings_to_numbers": False}


def excel_writer(target) -> pd.ExcelWriter:
    """The workbook writer of every .xlsx the app makes (a path or a BytesIO): XlsxWriter,
    several times faster than openpyxl for thousands of rows, text always a string cell."""
    return pd.ExcelWriter(target, engine="xlsxwriter", engine_kwargs={"options": XLSX_OPTIONS})


def write_sheet(writer: pd.ExcelWriter, frame: pd.DataFrame, sheet_name: str) -> None:
    """One sheet of an ``excel_writer`` workbook: cells made safe, text stored as strings."""
    safe_table(frame).to_excel(writer, sheet_name=sheet_name, index=False)


EXCEL_EPOCH = pd.Timestamp("1899-12-30")
WIDE = r"[\u2e80-\uffff]"  # CJK and full-width: about two columns wide each


def table_xlsx(frame: pd.DataFrame, sheet_name: str, max_width: int = 40) -> bytes:
    """One table as an .xlsx workbook, written by XlsxWriter (several times faster than
    openpyxl for thousands of rows): cells made safe, every text cell a string cell (never a
    formula or a link), numbers as numbers, dates as dates, columns about as wide as their
    longest value (CJK counted double)."""
    import xlsxwriter

    safe = safe_table(frame).reset_index(drop=True)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSX_OPTIONS})
    sheet = book.add_worksheet(sheet_name[:31])
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for col, column in enumerate(safe.columns):
        values = safe[column].astype(object)
        known = values[values.notna()]
        texts = pd.Series([str(column), *known.astype(str)], dtype=object)
        width = int((texts.str.len() + texts.str.count(WIDE)).max())
        sheet.set_column(col, col, min(max_width, width + 2))
        sheet.write_string(0, col, str(column))
        first = known.iloc[0] if len(known) else None
        if hasattr(first, "year") and not isinstance(first, str):  # a column of dates
            days = (pd.to_datetime(known) - EXCEL_EPOCH) / pd.Timedelta(days=1)
            for row, serial in zip(known.index, days.tolist()):
                sheet.write_number(row + 1, col, serial, date_format)
            continue
        for row, value in zip(known.index, known.tolist()):
            if isinstance(value, str):
                sheet.write_string(row + 1, col, value)
            elif isinstance(value, bool):
                sheet.write_boolean(row + 1, col, value)
            elif isinstance(value, (int, float)) or hasattr(value, "dtype"):
                if not (isinstance(value, float) and math.isnan(value)):
                    sheet.write_number(row + 1, col, float(value))
            else:
                sheet.write_string(row + 1, col, str(value))
    book.close()
    return buffer.getvalue()


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with excel_writer(buffer) as writer:
        for name, frame in sheets.items():
            write_sheet(writer, frame, name)
    return buffer.getvalue()
