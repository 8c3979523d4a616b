"""Text and numbers taken from the URL, made safe before a page shows or uses them.

Query parameters are typed by whoever sends the link: shown inside Markdown they could become
a live link, an image fetched from another host, or a misleading formatted message. They are
shown as an inline code span (no link, image, HTML or emphasis is rendered inside one)."""

from __future__ import annotations

import math

LITERAL_LIMIT = 40
ELLIPSIS = "…"


def literal(text, limit: int = LITERAL_LIMIT) -> str:
    """``text`` as a Markdown inline code span: printable characters only, no backticks,
    at most ``limit`` characters (then an ellipsis)."""
    clean = "".join(ch for ch in str(text) if ch.isprintable() and ch != "`").strip()
    if len(clean) > limit:
        clean = clean[:limit] + ELLIPSIS
    return f"`{clean}`" if clean else "`-`"


def int_param(raw, default: int, low: int, high: int) -> tuple[int, bool]:
    """(value, valid): ``raw`` as a whole number within [low, high]; ``default`` when it is
    not a number (valid False), clamped into the range when outside it (valid False)."""
    try:
        number = float(str(raw).strip())
    except (TypeError, ValueError):
        return default, False
    if not math.isfinite(number) or number != int(number):
        return default, False
    value = int(number)
    clamped = min(max(value, low), high)
    return clamped, clamped == value
