"""The briefing as a PDF, drawn with matplotlib's PdfPages: A4 pages of text and tables, the
charts, and the map sheet as a vector page. Text stays text (TrueType fonts embedded), so a
PDF reader can search and copy it."""

from __future__ import annotations

import io

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo.printing import briefing_parts as parts
from geo.printing.briefing import Briefing
from geo.printing.fonts import use_cjk_font
from geo.printing.layout import SAMPLE_COLOUR

A4_PORTRAIT = (8.27, 11.69)
LINE = 0.024  # figure fraction per text line
ROWS_PER_PAGE = 32


class _Pages:
    """Text flowing down A4 pages; a new page when the current one is full."""

    def __init__(self, pdf: PdfPages, footer: str):
        self.pdf, self.footer, self.number = pdf, footer, 0
        self.fig, self.y = None, 0.0
        self.new_page()

    def new_page(self) -> None:
        self.flush()
        self.number += 1
        self.fig, self.y = Figure(figsize=A4_PORTRAIT), 0.94

    def flush(self) -> None:
        if self.fig is not None:
            self.fig.text(0.5, 0.03, self.footer.format(n=self.number), ha="center",
                          fontsize=8, color="#757575")
            self.pdf.savefig(self.fig)
            self.fig = None

    def room(self, lines: float) -> None:
        if self.y - lines * LINE < 0.07:
            self.new_page()

    def text(self, text: str, size: float = 10.5, bold: bool = False, colour="#212121",
             x: float = 0.08, gap: float = 1.0) -> None:
        self.room(gap)
        self.fig.text(x, self.y, text, fontsize=size, fontweight="bold" if bold else "normal",
                      color=colour, va="top", wrap=True)
        self.y -= LINE * gap * size / 10.5

    def table(self, header: list[str], rows: list[list[str]], empty: str) -> None:
        if not rows:
            self.text(empty)
            return
        for start in range(0, len(rows), ROWS_PER_PAGE):
            chunk = rows[start:start + ROWS_PER_PAGE]
            height = LINE * 0.9 * (len(chunk) + 1)
            self.room((len(chunk) + 2) * 0.9)
            ax = self.fig.add_axes((0.08, self.y - height, 0.84, height))
            ax.set_axis_off()
            table = ax.table(cellText=chunk, colLabels=header, loc="upper center",
                             cellLoc="left", bbox=(0, 0, 1, 1))
            table.auto_set_font_size(False)
            table.set_fontsize(8)
            for (row, _), cell in table.get_celld().items():
                cell.set_edgecolor("#bdbdbd")
                if row == 0:
                    cell.set_facecolor("#fbe9e7")
                    cell.set_text_props(fontweight="bold")
            self.y -= height + LINE

    def figure_page(self, fig: Figure) -> None:
        self.flush()
        self.pdf.savefig(fig)
        self.number += 1
        self.fig, self.y = Figure(figsize=A4_PORTRAIT), 0.94


def briefing_pdf(b: Briefing, label, *, map_fig: Figure, printed_on=None) -> bytes:
    use_cjk_font()
    printed_on = pd.Timestamp(printed_on or pd.Timestamp.now(tz="Asia/Shanghai"))
    title, subtitle = parts.title_lines(b, label, printed_on)
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": title, "Creator": "Hongtu"}) as pdf:
        pages = _Pages(pdf, label("brief.page", n="{n}"))
        pages.text(title, size=18, bold=True, gap=1.6)
        pages.text(subtitle, size=10, colour="#424242", gap=1.4)
        notes = [label("print.sample_mark")] if b.is_sample else []
        if b.masked:
            notes.append(label("brief.masked_note"))
        if notes:
            pages.text(" · ".join(notes), bold=True, colour=SAMPLE_COLOUR, gap=1.4)
        pages.text(label("brief.h.headline"), size=13, bold=True, gap=1.5)
        pages.table(*parts.headline_table(b, label), label("brief.none"))
        pages.text(label("brief.h.summary"), size=13, bold=True, gap=1.5)
        for line in parts.text_lines(b, label):
            pages.text("· " + line, size=10, gap=1.2)
        charts = parts.chart_figure(b, label, *A4_PORTRAIT)
        charts.suptitle(label("brief.h.charts"), fontsize=13, fontweight="bold")
        pages.figure_page(charts)
        pages.figure_page(map_fig)
        for heading, (header, rows) in parts.sections(b, label):
            pages.text(heading, size=13, bold=True, gap=1.5)
            pages.table(header, rows, label("brief.none"))
        pages.flush()
    return buffer.getvalue()

