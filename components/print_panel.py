"""The "打印/导出" action of the overview, compound, grids and orders pages: choose the map
sheet (paper, orientation, PDF/PNG) or the monthly briefing (month, DOCX/PDF, personal data
for accounts that may see it), generate it on the server (geo.printing.documents, audited) and
download it. A page calls :func:`print_action` with the unit it shows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import basemaps
from components.data import get_store, store_meta
from components.i18n import get_lang, t
from components.session import current_principal, localized
from geo import auth, network
from geo.printing import sheet
from geo.printing.documents import print_briefing, print_map
from geo.printing.fonts import FontMissing
from geo.printing.paper import BRIEFING_FORMATS
from geo.printing.units import UnknownUnit

SHEET, BRIEFING = "sheet", "briefing"
MONTHS_OFFERED = 24


def _label():
    lang = get_lang()
    return lambda key, **fmt: t(key, lang, **fmt)


def _months() -> list[str]:
    as_of = pd.Timestamp(store_meta().get("as_of") or pd.Timestamp.today())
    return [str(as_of.to_period("M") - i) for i in range(MONTHS_OFFERED)]


def _sheet_options(unit, key: str, view: dict) -> tuple[sheet.SheetOptions, str]:
    left, mid, right = st.columns(3)
    size = left.selectbox(t("print.size"), sheet.SIZES, index=1, key=f"{key}_size")
    orientation = mid.selectbox(t("print.orientation"), sheet.ORIENTATIONS, index=1,
                                key=f"{key}_orientation",
                                format_func=lambda o: t(f"print.orientation.{o}"))
    fmt = right.selectbox(t("print.format"), sheet.FORMATS, key=f"{key}_format",
                          format_func=str.upper)
    chosen = basemaps.basemap(view.get("basemap") or basemaps.OFFLINE)
    review_no = (basemaps.TIANDITU_REVIEW_NO if chosen.key in (
        basemaps.TIANDITU_VECTOR, basemaps.TIANDITU_IMAGERY) else None)
    options = sheet.SheetOptions(
        unit=unit, size=size, orientation=orientation,
        indicator=view.get("indicator") or network.INDICATORS[0],
        tiers=tuple(view.get("tiers") or ()), basemap=chosen.key, tiles=chosen.tiles,
        review_no=review_no, gcj02=chosen.gcj02, highlight=view.get("highlight"))
    return options, fmt


def _briefing_options(key: str, principal) -> tuple[str, str, bool]:
    left, right = st.columns(2)
    month = left.selectbox(t("print.month"), _months(), key=f"{key}_month")
    fmt = right.selectbox(t("print.format"), BRIEFING_FORMATS, key=f"{key}_bformat",
                          format_func=str.upper)
    may_see = principal.role in (auth.Role.ORG, auth.Role.GRID_LEADER)
    unmasked = may_see and st.checkbox(t("print.unmasked"), key=f"{key}_unmasked")
    return month, fmt, unmasked


def print_action(key: str, unit: str | None = None, briefing_unit: str | None = None,
                 **view) -> None:
    """A "打印/导出" popover: ``unit`` is the map sheet's unit (district, street, community or
    compound id; None = the district), ``briefing_unit`` the briefing's (district or street);
    ``view`` may give indicator, tiers, basemap and highlight (a compound id)."""
    principal = current_principal()
    with st.popover(t("print.action"), icon=":material/print:"):
        what = st.radio(t("print.what"), (SHEET, BRIEFING), horizontal=True, key=f"{key}_what",
                        format_func=lambda w: t(f"print.what.{w}"))
        if what == SHEET:
            options, fmt = _sheet_options(unit, key, view)
        else:
            month, fmt, unmasked = _briefing_options(key, principal)
        if st.button(t("print.make"), key=f"{key}_make", type="primary"):
            try:
                with st.spinner(t("print.make")):
                    if what == SHEET:
                        document = print_map(get_store(), options, fmt, _label(), principal)
                    else:
                        document = print_briefing(get_store(), briefing_unit, month, fmt,
                                                  _label(), principal, unmasked=unmasked)
            except (UnknownUnit, FontMissing, ValueError, auth.PermissionDenied) as exc:
                st.error(t("print.failed", reason=localized(str(exc))), icon="⛔")
                return
            st.session_state[f"{key}_document"] = document
        document = st.session_state.get(f"{key}_document")
        if document is not None:
            st.download_button(t("print.download", name=document.file_name), document.data,
                               file_name=document.file_name, mime=document.media_type,
                               key=f"{key}_download", icon=":material/download:")


def single(values) -> str | None:
    """The one value of a filter (e.g. one street chosen), else None (the whole district)."""
    values = list(values or ())
    return values[0] if len(values) == 1 else None
