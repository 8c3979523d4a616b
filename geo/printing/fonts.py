"""The CJK font every printed document uses: one the system has, found through matplotlib's
font manager. TrueType-outline fonts come first (WenQuanYi Zen Hei, fonts-wqy-zenhei): PDF
readers expect TrueType data in the embedded (Type 42) font, and Noto Sans CJK's outlines are
CFF, which poppler reports as "Mismatch between font type and embedded font file" (it still
draws it). Noto Sans CJK (fonts-noto-cjk) is the fallback; scripts/setup_system.sh installs
both."""

from __future__ import annotations

import functools
import logging

from matplotlib import font_manager, rcParams

# Preferred families, best first.
CJK_FAMILIES = (
    "WenQuanYi Zen Hei", "Droid Sans Fallback", "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR",
    "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Micro Hei",
    "Noto Serif CJK SC", "Noto Serif CJK JP", "AR PL UMing CN", "SimHei", "Microsoft YaHei",
)
CJK_FILE_HINTS = ("wqy", "cjk", "droid", "sourcehan", "uming")
WORD_FONT = "Microsoft YaHei"  # named in Word documents (Word substitutes where missing)
SETUP_HINT = ("没有找到中文字体(CJK),请安装 fonts-wqy-zenhei 或 fonts-noto-cjk"
              "(scripts/setup_system.sh)| no CJK font found: install fonts-wqy-zenhei or "
              "fonts-noto-cjk (scripts/setup_system.sh)")


class _NoBoldNotice(logging.Filter):
    """WenQuanYi Zen Hei has one weight: bold text is drawn in it, without a warning per text."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Failed to find font weight" not in record.getMessage()


logging.getLogger("matplotlib.font_manager").addFilter(_NoBoldNotice())


class FontMissing(RuntimeError):
    """No CJK font on the system: printed Chinese would come out as empty boxes."""


@functools.lru_cache(maxsize=1)
def cjk_font() -> tuple[str, str]:
    """(family name, file path) of the first preferred CJK font the system has (fonts
    installed after matplotlib built its font cache are added first)."""
    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known and any(k in path.lower() for k in CJK_FILE_HINTS):
            font_manager.fontManager.addfont(path)
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
