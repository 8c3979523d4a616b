"""One definition of the map's colours, symbols and legend (geo.map_style) for the screen's
HTML legend (components.legend) and the printed sheet (geo.printing.layout)."""

from __future__ import annotations

import html

from matplotlib.path import Path

from components import legend
from components.i18n import t
from geo import map_style, network
from geo.printing import layout


def test_screen_legend_and_print_legend_have_the_same_entries():
    classification = network.classify([0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], k=5)
    counts = {"full": 3, "partial": 2}
    sections = map_style.legend_sections(classification, 0.5, "disclosure", counts, t)
    screen = html.unescape(legend.legend_html(classification, 0.5, "disclosure", counts))
    labels = [e.label(t) for s in sections for e in s.entries]
    assert len(labels) >= 4 + 4 + 4 + 4
    for text in labels + [t(s.title_key) + s.title_text for s in sections]:
        assert text in screen, text
    assert "全部公开 (3)" in labels and "无记录 (0)" in labels
    assert screen.count("<svg") == len(map_style.TIER_SYMBOLS)


def test_printed_symbols_are_the_screen_shapes():
    for tier, (shape, _, colour, _) in map_style.TIER_SYMBOLS.items():
        marker = layout.tier_marker(tier)
        svg = legend.tier_svg(tier)
        assert colour in svg
        if shape == "circle":
            assert marker == "o" and "<circle" in svg
            continue
        assert isinstance(marker, Path)
        assert len(marker.vertices) == len(map_style.SHAPE_POINTS[shape]) + 1
        first = map_style.SHAPE_POINTS[shape][0]
        assert f"{first[0]},{first[1]}" in svg
