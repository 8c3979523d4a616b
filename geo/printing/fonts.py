"""The CJK font every printed document uses: one the system has (fonts-noto-cjk, installed by
scripts/setup_system.sh), found through matplotlib's font manager."""

from __future__ import annotations

import functools

from matplotlib import font_manager, rcParams

# Preferred families, best first.
CJK_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR",
    "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
    "Noto Serif CJK SC", "Noto Serif CJK JP", "AR PL UMing CN", "SimHei", "Microsoft YaHei",
)
WORD_FONT = "Noto Sans CJK SC"  # the East Asian font named in Word documents
SETUP_HINT = ("没有找到中文字体(CJK),请安装 fonts-noto-cjk(scripts/setup_system.sh) | "
              "no CJK font found: install fonts-noto-cjk (scripts/setup_system.sh)")


class FontMissing(RuntimeError):
    """No CJK font on the system: printed Chinese would come out as empty boxes."""


@functools.lru_cache(maxsize=1)
def cjk_font() -> tuple[str, str]:
    """(family name, file path) of the first preferred CJK font the system has."""
    by_name = {}
    for entry in font_manager.fontManager.ttflist:
        by_name.setdefault(entry.name, entry.fname)
    for family in CJK_FAMILIES:
        if family in by_name:
            return family, by_name[family]
    raise FontMissing(SETUP_HINT)


def use_cjk_font() -> str:
    """Make matplotlib draw text in the CJK font, embedded as TrueType (Type 42) so PDF
    readers can copy and search the text; returns the family name."""
    family, _ = cjk_font()
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    rcParams["pdf.fonttype"] = 42
    rcParams["axes.unicode_minus"] = False
    return family
