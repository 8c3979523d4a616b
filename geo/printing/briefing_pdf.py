"""The briefing as a PDF, drawn with matplotlib's PdfPages: A4 pages of text and tables, the
charts, and the map sheet as a vector page. Text stays text (TrueType fonts embedded), so a
PDF reader can search and copy it."""

from __future__ import annotations

import io
import re

import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from geo.printing import briefing_parts as parts
from geo.printing.briefing import Briefing
from geo.printing.fonts import use_cjk_font
from geo.printing.labels import renderer_of
from geo.printing.layout import SAMPLE_COLOUR

A4_PORTRAIT = (8.27, 11.69)
LINE = 0.024  # figure fraction per text line
ROWS_PER_PAGE = 32
MAP_PAGE_NUMBER = (0.975, "right", 0.012)  # below the map sheet's footer line, at the right


class _Pages:
    """Text flowing down A4 pages; a new page when the current one is full. Every page,
    text or whole-page figure, is numbered; a text page is only started when something is
    written on it, so no page is left empty."""

    def __init__(self, pdf: PdfPages, footer: str):
        self.pdf, self.footer, self.number = pdf, footer, 0
        self.fig, self.y = None, 0.0

    def new_page(self) -> None:
        self.flush()
        self.fig, self.y = Figure(figsize=A4_PORTRAIT), 0.94

    def _save(self, fig: Figure, x: float = 0.5, ha: str = "center", y: float = 0.03) -> None:
        self.number += 1
        fig.text(x, y, self.footer.format(n=self.number), ha=ha, fontsize=8, color="#757575")
        self.pdf.savefig(fig)

    def flush(self) -> None:
        if self.fig is not None:
            self._save(self.fig)
            self.fig = None

    def room(self, lines: float) -> None:
        if self.fig is None or self.y - lines * LINE < 0.07:
            self.new_page()

    def text(self, text: str, size: float = 10.5, bold: bool = False, colour="#212121",
             x: float = 0.08, gap: float = 1.0, keep: float = 0.0) -> None:
        """A line of text; ``keep`` lines of room are asked for what follows it (a heading
        stays with the start of its section)."""
        lines = self._wrap(text, size, bold, x)
        self.room(gap * len(lines) + keep)
        for i, line in enumerate(lines):
            self.fig.text(x, self.y, line, fontsize=size,
                          fontweight="bold" if bold else "normal", color=colour, va="top")
            self.y -= LINE * (gap if i == len(lines) - 1 else 1.1) * size / 10.5

    def _wrap(self, text: str, size: float, bold: bool, x: float) -> list[str]:
        """``text`` in lines that fit between ``x`` and the right margin (measured width;
        Latin text breaks at spaces, CJK anywhere)."""
        fig = self.fig if self.fig is not None else Figure(figsize=A4_PORTRAIT)
        probe = fig.text(0, 0, text, fontsize=size, fontweight="bold" if bold else "normal")
        width = probe.get_window_extent(renderer_of(fig)).width
        probe.remove()
        room = (1.0 - x - 0.06) * fig.get_figwidth() * fig.dpi
        if width <= room:
            return [text]
        per_unit = width / max(1, parts.display_width(text))
        lines, line = [], ""
        for word in re.findall(r"\S+\s*|\s+", text) if " " in text else list(text):
            if line and parts.display_width(line + word.rstrip()) * per_unit > room:
                lines.append(line.rstrip())
                line = ""
            line += word
        return [*lines, line.rstrip()] if line else lines

    def table(self, header: list[str], rows: list[list[str]], empty: str) -> None:
        if not rows:
            self.text(empty)
            return
        shares = parts.column_shares(header, rows)
        for start in range(0, len(rows), ROWS_PER_PAGE):
            chunk = rows[start:start + ROWS_PER_PAGE]
            height = LINE * 0.9 * (len(chunk) + 1)
            self.room((len(chunk) + 2) * 0.9)
            ax = self.fig.add_axes((0.08, self.y - height, 0.84, height))
            draw_table(ax, header, chunk, shares)
            self.y -= height + LINE

    def figure_page(self, fig: Figure, number_at: tuple = (0.5, "center", 0.03)) -> None:
        """``fig`` as a page of its own, numbered at (x, ha, y) in figure fractions."""
        self.flush()
        x, ha, y = number_at
        self._save(fig, x, ha, y)


def draw_table(ax, header: list[str], rows: list[list[str]], shares: list[float]):
    """A table filling ``ax``, each column as wide as its share (from its widest text)."""
    ax.set_axis_off()
    table = ax.table(cellText=rows, colLabels=header, loc="upper center", cellLoc="left",
                     colWidths=shares, bbox=(0, 0, 1, 1))
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    for (row, _), cell in table.get_celld().items():
        cell.set_edgecolor("#bdbdbd")
        cell.PAD = 0.04
        if row == 0:
            cell.set_facecolor("#fbe9e7")
            cell.set_text_props(fontweight="bold")
    return table


def briefing_pdf(b: Briefing, label, *, map_fig: Figure, printed_on=None) -> bytes:
    use_cjk_font()
    printed_on = pd.Timestamp(printed_on or pd.Timestamp.now(tz="Asia/Shanghai"))
    title, subtitle = parts.title_lines(b, label, printed_on)
    buffer = io.BytesIO()
    metadata = {"Title": title, "Subject": parts.subject(b, label), "Creator": "Hongtu"}
    with PdfPages(buffer, metadata=metadata) as pdf:
        pages = _Pages(pdf, label("brief.page", n="{n}"))
        pages.text(title, size=18, bold=True, gap=1.6)
        pages.text(subtitle, size=10, colour="#424242", gap=1.4)
        notes = [label("print.sample_mark")] if b.is_sample else []
        if b.masked:
            notes.append(label("brief.masked_note"))
        if notes:
            pages.text(" · ".join(notes), bold=True, colour=SAMPLE_COLOUR, gap=1.4)
        note = parts.partial_note(b, label)
        if note:
            pages.text(note, size=9, colour="#424242", gap=1.4)
        pages.text(label("brief.h.headline"), size=13, bold=True, gap=1.5)
        pages.table(*parts.headline_table(b, label), label("brief.none"))
        pages.text(label("brief.h.summary"), size=13, bold=True, gap=1.5)
        for line in parts.text_lines(b, label):
            pages.text("· " + line, size=10, gap=1.2)
        charts = parts.chart_figure(b, label, *A4_PORTRAIT)
        charts.suptitle(label("brief.h.charts"), fontsize=13, fontweight="bold")
        pages.figure_page(charts)
        pages.figure_page(map_fig, MAP_PAGE_NUMBER)
        for heading, (header, rows) in parts.sections(b, label):
            pages.text(heading, size=13, bold=True, gap=1.5, keep=4)
            pages.table(header, rows, label("brief.none"))
        pages.flush()
    return buffer.getvalue()

