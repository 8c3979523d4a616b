"""The briefing as an editable Word document (python-docx): headings, the figures table, the
generated text, the charts and the map sheet as pictures, and the lists as Word tables."""

from __future__ import annotations

import io

import pandas as pd
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from geo.printing import briefing_parts as parts
from geo.printing.briefing import Briefing
from geo.printing.fonts import WORD_FONT

SAMPLE_RGB = RGBColor(0xC6, 0x28, 0x28)
CONTENT_WIDTH_CM = 16.0
TABLE_FONT_PT = 9.0
HALF_WIDTH_EM = 0.56  # a digit or Latin letter; a CJK character is two of these
CM_PER_PT = 2.54 / 72.0
CELL_MARGINS_CM = 0.45  # Word's and LibreOffice's default left + right cell margins, and a bit


def _east_asian(style) -> None:
    """Chinese text of ``style`` in the CJK font (Word's w:eastAsia font slot)."""
    style.font.name = WORD_FONT
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), WORD_FONT)


def _heading(doc, text: str, level: int = 1) -> None:
    """A heading kept on the page of what follows it."""
    doc.add_heading(text, level=level).paragraph_format.keep_with_next = True


def _repeat_header(row) -> None:
    """The header row repeated on every page the table runs over, never split."""
    props = row._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        props.append(element)


def _table(doc, header: list[str], rows: list[list[str]], empty: str) -> None:
    """A table whose columns are as wide as their widest text asks (their share of the
    content width), fixed so that Word and LibreOffice lay it out alike."""
    if not rows:
        doc.add_paragraph(empty)
        return
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    table.autofit = False
    widths = [Cm(w) for w in parts.column_widths(
        header, rows, CONTENT_WIDTH_CM, TABLE_FONT_PT * HALF_WIDTH_EM * CM_PER_PT,
        CELL_MARGINS_CM, narrowest=4.0)]
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    _repeat_header(table.rows[0])
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    for column, width in zip(table.columns, widths):
        column.width = width
        for cell in column.cells:
            cell.width = width
            for run in (r for p in cell.paragraphs for r in p.runs):
                run.font.size = Pt(TABLE_FONT_PT)


def briefing_docx(b: Briefing, label, *, map_png: bytes, printed_on=None) -> bytes:
    """The .docx bytes of briefing ``b``; ``map_png`` is the map sheet as a PNG."""
    printed_on = pd.Timestamp(printed_on or pd.Timestamp.now(tz="Asia/Shanghai"))
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    for name in ("Normal", "Title", "Heading 1", "Table Grid"):
        _east_asian(doc.styles[name])
    doc.styles["Normal"].font.size = Pt(11)
    title, subtitle = parts.title_lines(b, label, printed_on)
    doc.core_properties.title = title
    doc.core_properties.subject = parts.subject(b, label)
    doc.core_properties.author = "Hongtu"
    doc.add_heading(title, level=0)
    doc.add_paragraph(subtitle)
    notes = [label("print.sample_mark")] if b.is_sample else []
    if b.masked:
        notes.append(label("brief.masked_note"))
    if notes:
        run = doc.add_paragraph().add_run(" · ".join(notes))
        run.bold, run.font.color.rgb = True, SAMPLE_RGB
    note = parts.partial_note(b, label)
    if note:
        doc.add_paragraph(note)
    _heading(doc, label("brief.h.headline"))
    _table(doc, *parts.headline_table(b, label), label("brief.none"))
    _heading(doc, label("brief.h.summary"))
    for line in parts.text_lines(b, label):
        doc.add_paragraph(line, style="List Bullet")
    _heading(doc, label("brief.h.charts"))
    doc.add_picture(io.BytesIO(parts.png(parts.chart_figure(b, label))),
                    width=Cm(CONTENT_WIDTH_CM))
    _heading(doc, label("brief.h.map"))
    doc.add_picture(io.BytesIO(map_png), width=Cm(CONTENT_WIDTH_CM))
    for heading, (header, rows) in parts.sections(b, label):
        _heading(doc, heading)
        _table(doc, header, rows, label("brief.none"))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
