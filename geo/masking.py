"""The one masking function for personal information, used before data reaches a page, an
export or the HTML of a map popup.

Names keep their first and last character (张三丰 -> 张*丰, 欧阳小明 -> 欧**明; two-character
names keep the first: 张三 -> 张*). Phone numbers keep the first three and last four digits
(13812345678 -> 138****1234). Which columns are personal is declared once, in
:mod:`geo.schema` (``Field(personal=True)``).
"""

from __future__ import annotations

import html
import math

import pandas as pd

from geo import schema

MASK = "*"
PHONE_HEAD, PHONE_TAIL = 3, 4


def _is_missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def mask_name(name: str) -> str:
    """张*明 style: first and last character kept, each character between them replaced by *."""
    if _is_missing(name):
        return name
    text = str(name).strip()
    if len(text) <= 1:
        return MASK * len(text)
    if len(text) == 2:
        return text[0] + MASK
    return text[0] + MASK * (len(text) - 2) + text[-1]


def mask_phone(phone: str) -> str:
    """138****1234: the first three and the last four digits kept, the rest replaced by *.

    Numbers too short for that (under eight characters) keep only their last two."""
    if _is_missing(phone):
        return phone
    text = str(phone).strip()
    if len(text) >= PHONE_HEAD + PHONE_TAIL + 1:
        hidden = len(text) - PHONE_HEAD - PHONE_TAIL
        return text[:PHONE_HEAD] + MASK * hidden + text[-PHONE_TAIL:]
    if len(text) <= 2:
        return MASK * len(text)
    return MASK * (len(text) - 2) + text[-2:]


def mask_value(field_name: str, value):
    """Mask one personal value: phones by :func:`mask_phone`, everything else as a name."""
    return mask_phone(value) if "phone" in field_name else mask_name(value)


def mask_frame(frame: pd.DataFrame, layer_name: str, can_see_personal) -> pd.DataFrame:
    """A copy of ``frame`` with every personal column of ``layer_name`` masked.

    ``can_see_personal`` is a bool for the whole frame, or a boolean sequence aligned with
    the rows (True where that row may be shown unmasked, e.g. a grid leader's own members).
    """
    out = frame.copy()
    if isinstance(can_see_personal, bool):
        if can_see_personal:
            return out
        hide = pd.Series(True, index=out.index)
    else:
        visible = pd.Series(list(can_see_personal), index=out.index, dtype="boolean")
        hide = ~visible.fillna(False).astype(bool)
    if not hide.any():
        return out
    for column in schema.layer(layer_name).personal_fields:
        if column not in out.columns:
            continue
        masked = out.loc[hide, column].map(lambda v, c=column: mask_value(c, v))
        out[column] = out[column].astype(object)
        out.loc[hide, column] = masked.astype(object)
    return out


def mask_record(record: dict, layer_name: str, can_see_personal: bool) -> dict:
    """A copy of one row as a dict (e.g. from ``Store.load_compound``), personal fields masked."""
    if record is None or can_see_personal:
        return None if record is None else dict(record)
    personal = schema.layer(layer_name).personal_fields
    return {k: mask_value(k, v) if k in personal else v for k, v in record.items()}


def escape_html(text) -> str:
    """``text`` safe to put inside HTML (popups, tooltips): <, >, &, quotes escaped."""
    if _is_missing(text):
        return ""
    return html.escape(str(text), quote=True)
