"""How a value looks on screen: a missing value (None, NaN, NaT, empty) is a dash, never
"None" or "nan"; a code (tier, status, action) is its translated label, never the code."""

from __future__ import annotations

import pandas as pd

from components.i18n import TEXT, get_lang, t
from geo.auth import ACTIONS
from geo.importer.mapping import LAYER_LABELS
from geo.workflow import ACTION_NAMES

MISSING = "—"


def is_missing(value) -> bool:
    """True for None, NaN, NaT, pd.NA and blank strings (lists and arrays are not missing)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip() or value.strip().lower() in ("nan", "none", "nat")
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-likes: pd.isna answers per element
        return False


def shown(value, missing: str = MISSING):
    """``value`` as shown to a user: ``missing`` for a missing value."""
    return missing if is_missing(value) else value


def label(prefix: str, code, missing: str = MISSING) -> str:
    """The translation of ``prefix + code`` (e.g. ``map.tier.`` + ``point``); ``missing`` for a
    missing code; the code itself only when no translation exists (data, not a programmer key)."""
    if is_missing(code):
        return missing
    key = f"{prefix}{code}"
    return t(key) if key in TEXT else str(code)


def vocab(value, missing: str = MISSING) -> str:
    """A fixed Chinese word of the data (a post, a category, a practice) in the session's
    language (components/strings/vocab.py); any other value as it is."""
    if is_missing(value):
        return missing
    key = f"vocab.{value}"
    return t(key) if key in TEXT else str(value)


def number(value, digits: int = 1, missing: str = MISSING) -> str:
    """A measured figure rounded for reading (22.0526 -> "22.1"); ``missing`` when absent."""
    if is_missing(value):
        return missing
    return f"{float(value):,.{digits}f}"


def blank_frame(frame: pd.DataFrame, missing: str = MISSING) -> pd.DataFrame:
    """A copy of ``frame`` for display: missing cells of text columns read ``missing``."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[column] = series.astype(object).map(lambda v: shown(v, missing)).astype(object)
    return out


def audit_action(code) -> str:
    """An audit action code (``sign_in``, ``members.move``, ``workflow.take``, ``import``) as
    words in the current language; an unknown code is shown as it is."""
    if is_missing(code):
        return MISSING
    code = str(code)
    for key in (f"polish.audit.action.{code}", f"audit.action.{code}"):
        if key in TEXT:
            return t(key)
    english = get_lang() == "en"
    if code in ACTIONS:
        return ACTIONS[code][english]
    family, _, step = code.partition(".")
    if family == "workflow" and step in ACTION_NAMES:
        return t("polish.audit.action.workflow", name=ACTION_NAMES[step][english])
    return code


def layer_name(code) -> str:
    """A store layer (``members``, ``accounts``) as a Chinese name in Chinese, else the code."""
    if is_missing(code):
        return MISSING
    key = f"polish.layer.{code}"
    if key in TEXT:
        return t(key)
    return LAYER_LABELS.get(str(code), str(code)) if get_lang() == "zh" else str(code)


def scenario_excel_labels() -> dict:
    """Keyword arguments of ``geo.scenarios.to_excel`` for a workbook in the current language:
    every heading, sheet name and coded value (tier, status, demand, unit, covered) as words."""
    columns = ("scenario", "radius_m", "demand", "households_total", "covered_households",
               "share_covered", "mean_distance_m", "p90_distance_m", "id", "name", "tier",
               "lon", "lat")
    own = ("unit", "distance_kind", "households", "nearest_position_id", "distance_m", "covered",
           "status", "catchment_households", "catchment_compounds")
    return {
        "headers": {**{c: t(f"planner.col.{c}") for c in columns},
                    **{c: t(f"polish.col.{c}") for c in own}},
        "values": {
            "demand": lambda v: label("planner.demand.", v),
            "unit": lambda v: label("polish.unit.", v),
            "distance_kind": lambda v: label("planner.kind.", v),
            "tier": lambda v: label("map.tier.", v),
            "status": lambda v: label("polish.status.", v),
            "covered": lambda v: t("polish.yes") if v is True or v == 1 else t("polish.no"),
        },
        "sheet_names": {s: t(f"polish.sheet.{s}") for s in
                        ("summary", "candidates", "compounds", "positions")},
    }
