"""How an audit row reads on the audit page: the object (a page's key is its title), the
reason (a bilingual "中文 | English" message in the session's language) and the before/after
values (stored as JSON) as "field: value" words, codes translated (issue #25, point 1)."""

from __future__ import annotations

import json
import re

from components.display_values import MISSING, is_missing, label, layer_name
from components.i18n import TEXT, get_lang, t

OPEN_PAGE = "open_page"
# reasons written before they were bilingual (components.session.audit_page_refusal)
OLD_PAGE_REASON = re.compile(r"page not allowed for role (\w+)")
# coded values of the before/after fields -> prefix of their translation
VALUE_LABELS = {"role": "role.", "change": "audit.change.", "tier": "map.tier.",
                "orientation": "audit.value.", "status": "polish.status."}


def audit_object(action, object_id) -> str:
    """The object of a row: a page's title for a page refusal, else the id as stored."""
    if is_missing(object_id):
        return MISSING
    if str(action) == OPEN_PAGE:
        return label("page.", object_id)
    return str(object_id)


def audit_reason(reason) -> str:
    """The reason in the session's language: one side of a "中文 | English" message."""
    if is_missing(reason):
        return MISSING
    text = str(reason)
    old = OLD_PAGE_REASON.fullmatch(text.strip())
    if old:
        return t("audit.reason.page", role=label("role.", old.group(1)))
    zh, sep, en = text.partition(" | ")
    if not sep:
        return text
    return en.strip() if get_lang() == "en" else zh.strip()


def _field(key: str) -> str:
    name = f"audit.field.{key}"
    return t(name) if name in TEXT else layer_name(key)


def _value(key: str, value) -> str:
    if isinstance(value, bool):
        return t("audit.yes") if value else t("audit.no")
    if is_missing(value):
        return MISSING
    if isinstance(value, dict):
        return "(" + _pairs(value) + ")"
    if isinstance(value, list):
        return "、".join(_value(key, v) for v in value) if value else MISSING
    if key in VALUE_LABELS:
        return label(VALUE_LABELS[key], value)
    if key == "grids" and isinstance(value, str):
        return value.replace(",", "、")
    return str(value)


def _pairs(values: dict) -> str:
    separator = "; " if get_lang() == "en" else ";"
    return separator.join(f"{_field(k)}: {_value(k, v)}" for k, v in values.items())


def audit_detail(stored) -> str:
    """A before/after value as words: ``{"change": "add", "disabled": false}`` reads
    "变更: 新增;停用: 否" (English: "change: added; disabled: no")."""
    if is_missing(stored):
        return MISSING
    try:
        value = json.loads(stored) if isinstance(stored, str) else stored
    except ValueError:
        return str(stored)
    if isinstance(value, dict):
        return _pairs(value) or MISSING
    return _value("", value)
