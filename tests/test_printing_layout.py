"""The printed briefing and map sheet as a reader gets them: the briefing PDF rendered by
pdftoppm (no blank page, a page number on every page), its charts' plotted numbers against its
own table, the partial month named and compared with the same days, table columns wide enough
(PDF cells measured, docx widths and LibreOffice's rendering); the map sheet framing the
network with no two labels overlapping (extents measured by matplotlib's renderer)."""

from __future__ import annotations

import io
import shutil
import subprocess

import docx
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread
from pypdf import PdfReader

from components.i18n import t
from geo import kpi_month
from geo.printing import briefing_parts as parts
from geo.printing import labels
from geo.printing.briefing import CHART_FIGURES, build_briefing, load_briefing_frames
from geo.printing.briefing_docx import briefing_docx
from geo.printing.briefing_pdf import A4_PORTRAIT, briefing_pdf, draw_table
from geo.printing.fonts import use_cjk_font
from geo.printing.layout import LABELLED_TIERS
from geo.printing.sheet import (
    SHEET_LAYERS,
    SheetOptions,
    draw_sheet,
    figure_bytes,
    load_sheet_frames,
)
from geo.schema import METRIC_CRS

MONTH = "2022-04"  # the sample's data end on 2022-04-24: a partial month
PRINTED_ON = pd.Timestamp("2022-04-25 09:00", tz="Asia/Shanghai")


def label(key, **fmt):
    return t(key, "zh", **fmt)


def _number(text: str):
    return None if text == "-" else float(text.replace(",", "").lstrip("+"))


@pytest.fixture(scope="module")
def frames(sample_store):
    loaded = load_briefing_frames(sample_store)
    loaded.update({name: sample_store.load(name) for name in SHEET_LAYERS if name not in loaded})
    return loaded


@pytest.fixture(scope="module")
def briefing(frames):
    return build_briefing(frames, None, MONTH)


@pytest.fixture(scope="module")
def briefing_pdf_path(frames, briefing, tmp_path_factory):
    map_fig = parts.map_figure(frames, briefing, label, PRINTED_ON, "test")
    path = tmp_path_factory.mktemp("briefing") / "briefing.pdf"
    path.write_bytes(briefing_pdf(briefing, label, map_fig=map_fig, printed_on=PRINTED_ON))
    return path


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_briefing_pdf_has_no_blank_page_and_numbers_every_page(briefing_pdf_path):
    reader = PdfReader(str(briefing_pdf_path))
    assert reader.metadata.title == "黄岩区党建红图工作简报"
    assert "2022年4月" in reader.metadata.subject
    for number, page in enumerate(reader.pages, start=1):
        assert label("brief.page", n=number) in (page.extract_text() or ""), number
    out = briefing_pdf_path.parent / "page"
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(briefing_pdf_path), str(out)],
                   check=True, timeout=60)
    images = sorted(briefing_pdf_path.parent.glob("page-*.png"))
    assert len(images) == len(reader.pages) >= 4
    for path in images:
        page = imread(str(path))[..., :3]
        body = page[: int(page.shape[0] * 0.93)]  # above the page number
        inked = (body.min(axis=-1) < 0.8).mean()
        assert inked > 0.01, (path.name, inked)  # a page holding only its number is blank


def test_charts_plot_the_tables_figures_month_by_month(frames, briefing):
    points = parts.chart_points(parts.chart_figure(briefing, label))
    assert set(points) == set(CHART_FIGURES)
    _, rows = parts.headline_table(briefing, label)
    printed = {row[0]: _number(row[1]) for row in rows}
    for key in CHART_FIGURES:
        shown = printed[label(f"brief.fig.{key}")]
        assert points[key][-1] == pytest.approx(shown), key  # the last point is the table's
    for i, month in enumerate(briefing.trend["month"]):
        figures = kpi_month.month_kpis(frames, month)  # as `hongtu kpis --month` prints it
        for key in CHART_FIGURES:
            expected = figures[key]
            if expected is None:
                assert np.isnan(points[key][i]) or points[key][i] == 0, (month, key)
            else:
                assert points[key][i] == pytest.approx(expected), (month, key)
    assert points["orders_total"][-1] > 0 and points["satisfaction_pct"][-1] > 0


def test_partial_month_is_named_and_compared_with_the_same_days(frames, briefing):
    assert briefing.through_day == 24
    _, subtitle = parts.title_lines(briefing, label, PRINTED_ON)
    assert "截至24日,非完整月" in subtitle
    header, rows = parts.headline_table(briefing, label)
    assert header[1:3] == ["本月(1–24日)", "上月同期(1–24日)"]
    same_days = kpi_month.month_kpis(frames, "2022-03", through_day=24)
    whole = kpi_month.month_kpis(frames, "2022-03")
    assert same_days["orders_total"] < whole["orders_total"]
    previous = {row[0]: _number(row[2]) for row in rows}
    assert previous[label("brief.fig.orders_total")] == same_days["orders_total"]
    text = " ".join(parts.text_lines(briefing, label))
    assert f"上月同期 {same_days['orders_total']:,} 件" in text
    assert parts.chart_month_labels(briefing)[-1] == "22-04*"
    complete = build_briefing(frames, None, "2022-03")
    assert complete.through_day is None
    assert parts.headline_table(complete, label)[0][1:3] == ["本月", "上月"]


def test_pdf_table_cells_hold_their_text(briefing):
    use_cjk_font()  # the PDF's font: widths measured as printed
    assert len(parts.grid_table(briefing, label)[1]) > 10
    tables = [parts.headline_table(briefing, label),
              *(table for _, table in parts.sections(briefing, label))]
    for header, rows in tables:
        fig = Figure(figsize=A4_PORTRAIT)
        chunk = rows[:32]  # as the PDF pages them
        height = 0.024 * 0.9 * (len(chunk) + 1)
        ax = fig.add_axes((0.08, 0.9 - height, 0.84, height))
        table = draw_table(ax, header, chunk, parts.column_shares(header, rows))
        renderer = labels.renderer_of(fig)
        fig.canvas.draw()
        for (row, col), cell in table.get_celld().items():
            text = cell.get_text().get_window_extent(renderer)
            box = cell.get_window_extent(renderer)
            assert text.x0 >= box.x0 and text.x1 <= box.x1, (row, col, cell.get_text().get_text())


def test_docx_tables_have_fitted_columns_and_headings_keep_with_next(briefing, tmp_path):
    png = io.BytesIO()  # a small picture stands for the map: not what is tested here
    Figure(figsize=(2, 1)).savefig(png, format="png")
    path = tmp_path / "briefing.docx"
    path.write_bytes(briefing_docx(briefing, label, map_png=png.getvalue(),
                                   printed_on=PRINTED_ON))
    document = docx.Document(str(path))
    assert "非完整月" in document.core_properties.subject
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert len(headings) == 7 and all(p.paragraph_format.keep_with_next for p in headings)
    header, rows = parts.grid_table(briefing, label)
    grid_table = next(tb for tb in document.tables if tb.rows[0].cells[0].text == header[0])
    widths = [col.width.cm for col in grid_table.columns]
    assert sum(widths) == pytest.approx(16.0, abs=0.05)
    longest = max(parts.display_width(r[0]) for r in rows)
    # 9 pt text: a half-width character is about 0.16 cm, so the names fit on a line
    assert widths[0] >= longest * 0.16 and widths[0] == max(widths)
    for column, width in enumerate(widths[1:], start=1):
        needed = max(parts.display_width(r[column]) for r in [header, *rows]) * 0.16
        assert width >= needed, (header[column], width, needed)
    assert grid_table.rows[0]._tr.trPr.xpath("./w:tblHeader")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="libreoffice-writer not installed")
def test_docx_rendered_by_libreoffice_keeps_grid_names_on_a_line(briefing, frames, tmp_path):
    fig = parts.map_figure(frames, briefing, label, PRINTED_ON, "test")
    path = tmp_path / "briefing.docx"
    path.write_bytes(briefing_docx(briefing, label, map_png=figure_bytes(fig, "png", dpi=100),
                                   printed_on=PRINTED_ON))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(path)], check=True, timeout=120, capture_output=True,
                   env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    reader = PdfReader(str(tmp_path / "briefing.pdf"))
    lines = [line.strip() for page in reader.pages
             for line in (page.extract_text() or "").splitlines()]
    _, rows = parts.grid_table(briefing, label)
    for row in rows:
        assert any(line.startswith(row[0]) for line in lines), row[0]
    assert len(reader.pages) <= 8
    texts = [page.extract_text() or "" for page in reader.pages]

    def page_of(text: str) -> int:
        return next(i for i, page in enumerate(texts) if text in page)

    for heading, (header, _) in parts.sections(briefing, label):  # kept with their tables
        assert page_of(heading) == page_of(" ".join(header[:2])), heading
    for heading in ("brief.h.charts", "brief.h.map"):  # kept with their pictures
        assert len(reader.pages[page_of(label(heading))].images) >= 1, heading


def _network_share(frames, ax) -> float:
    streets = frames["streets"]
    network = streets[streets["id"].isin(set(frames["compounds"]["street_id"]))]
    minx, miny, maxx, maxy = network.to_crs(METRIC_CRS).total_bounds
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    inside = max(0.0, min(maxx, x1) - max(minx, x0)) * max(0.0, min(maxy, y1) - max(miny, y0))
    return inside / ((x1 - x0) * (y1 - y0))


@pytest.mark.parametrize("size,orientation", [("A3", "landscape"), ("A4", "portrait")])
def test_map_sheet_frames_the_network_and_labels_do_not_overlap(sample_store, size,
                                                                orientation):
    frames = load_sheet_frames(sample_store)
    fig, ax, data = draw_sheet(frames, SheetOptions(size=size, orientation=orientation), label,
                               printed_on=PRINTED_ON)
    assert _network_share(frames, ax) >= 0.6
    renderer = labels.renderer_of(fig)
    fig.canvas.draw()
    boxes = labels.label_boxes(ax, renderer)
    positions = frames["service_positions"]
    named = positions[positions["tier"].isin(LABELLED_TIERS)]
    assert len(boxes) + len(data.dropped_labels) == len(named) and len(boxes) >= len(named) - 1
    frame = ax.get_window_extent(renderer)
    for i, box in enumerate(boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
        for other in boxes[i + 1:]:
            assert not box.overlaps(other), (box, other)
    inset = [child for child in ax.child_axes]
    assert len(inset) == 1 and not any(b.overlaps(inset[0].get_tightbbox(renderer))
                                       for b in boxes)
    reader = PdfReader(io.BytesIO(figure_bytes(fig, "pdf")))
    assert reader.metadata.title == "黄岩区党群服务阵地网络图"
    assert "黄岩区" in reader.metadata.subject and "2022-04-24" in reader.metadata.subject


def test_greedy_placement_never_overlaps_and_drops_what_does_not_fit():
    """Crowded names on one spot: each either finds a free place (around its symbol, then
    farther out with a leader line) or is left out; none covers another or an obstacle."""
    use_cjk_font()
    fig = Figure(figsize=(3, 2), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    renderer = labels.renderer_of(fig)
    names = [f"党群服务中心{i}" for i in range(30)]
    items = [(50 + (i % 3), 50 + (i % 2), name, 4.0) for i, name in enumerate(names)]
    obstacle = labels.symbol_box(ax, 10, 90, 20)
    placed, dropped = labels.place_labels(ax, items, [obstacle], fontsize=8, renderer=renderer)
    assert len(placed) + len(dropped) == len(names) and dropped and len(placed) >= 5
    assert [p.name for p in placed] == [n for n in names if n not in dropped]
    assert any(p.leader for p in placed) and not placed[0].leader
    fig.canvas.draw()
    boxes = labels.label_boxes(ax, renderer)
    assert len(boxes) == len(placed)
    frame = ax.get_window_extent(renderer)
    for i, box in enumerate(boxes):
        assert not box.overlaps(obstacle)
        assert frame.x0 <= box.x0 <= box.x1 <= frame.x1
        assert frame.y0 <= box.y0 <= box.y1 <= frame.y1
        assert not any(box.overlaps(other) for other in boxes[i + 1:])
