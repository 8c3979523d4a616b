"""Making a printed document from a store, for a principal: the map sheet (PDF/PNG) and the
briefing (DOCX/PDF). Each generated document is recorded in the audit (who, what, which unit,
format, masked or not, size in bytes); a request for unmasked personal data by a role that may
not see it is refused and the refusal audited (as ``hongtu export --unmasked`` by such a role
would be)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from geo import audit, auth
from geo.printing.briefing import build_briefing, load_briefing_frames
from geo.printing.briefing_docx import briefing_docx
from geo.printing.briefing_parts import map_figure
from geo.printing.briefing_pdf import briefing_pdf
from geo.printing.paper import BRIEFING_FORMATS
from geo.printing.sheet import (
    SHEET_LAYERS,
    SheetOptions,
    draw_sheet,
    figure_bytes,
    load_sheet_frames,
)
from geo.printing.units import resolve_unit

PRINT_MAP, PRINT_BRIEFING = "print_map", "print_briefing"
MEDIA_TYPES = {
    "pdf": "application/pdf", "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
UNIT_LAYERS = {"district": "districts", "street": "streets", "community": "communities",
               "compound": "compounds"}
DOCX_MAP_DPI = 200


@dataclass(frozen=True)
class Document:
    data: bytes
    file_name: str
    media_type: str
    audit_id: str


def _source(label, frames: dict) -> str:
    meta = frames.get("meta")
    sample = meta is not None and dict(zip(meta["key"], meta["value"])).get("is_sample") == "true"
    return label("print.source.sample" if sample else "print.source.default")


def _record(store, principal, action: str, unit, details: dict) -> str:
    with store.transaction(principal.name) as tx:
        return audit.record(tx, principal.name, action, UNIT_LAYERS[unit.kind], unit.id,
                            after=details)


def _file_stem(kind: str, unit, extra: str = "") -> str:
    return f"hongtu-{kind}-{unit.id}{extra}"


def print_map(store, options: SheetOptions, fmt: str, label, principal=None,
              printed_on=None) -> Document:
    """The map sheet of ``options.unit`` as PDF or PNG bytes, audited."""
    principal = principal or auth.SYSTEM
    frames = load_sheet_frames(store)
    fig, _, data = draw_sheet(frames, options, label, printed_on=printed_on,
                              source=_source(label, frames))
    body = figure_bytes(fig, fmt)
    audit_id = _record(store, principal, PRINT_MAP, data.unit, {
        "format": fmt, "size": options.size, "orientation": options.orientation,
        "basemap": options.basemap, "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest(), "notes": data.notes or None})
    name = f"{_file_stem('map', data.unit)}-{options.size}-{options.orientation}.{fmt}"
    return Document(body, name, MEDIA_TYPES[fmt], audit_id)


def check_unmasked(store, principal, unmasked: bool, unit) -> None:
    """Refuse (and audit) unmasked output for a role that never sees personal data; grid
    leaders get their own grids unmasked, the rest masked."""
    if unmasked and principal.role != auth.Role.GRID_LEADER:
        auth.require(principal, "view_personal", store=store,
                     object_layer=UNIT_LAYERS[unit.kind], object_id=unit.id)


def print_briefing(store, unit_id: str | None, month: str, fmt: str, label, principal=None,
                   unmasked: bool = False, printed_on=None) -> Document:
    """The monthly briefing as DOCX or PDF bytes, masked unless allowed and asked, audited."""
    if fmt not in BRIEFING_FORMATS:
        raise ValueError(f"格式应为 {BRIEFING_FORMATS} | format must be one of "
                         f"{BRIEFING_FORMATS}: {fmt!r}")
    principal = principal or auth.SYSTEM
    frames = load_briefing_frames(store)
    present = set(store.layer_names())
    frames.update({name: store.load(name) for name in SHEET_LAYERS
                   if name not in frames and name in present})
    check_unmasked(store, principal, unmasked, resolve_unit(frames, unit_id))
    b = build_briefing(frames, unit_id, month, principal=principal, unmasked=unmasked)
    printed_on = pd.Timestamp(printed_on or pd.Timestamp.now(tz="Asia/Shanghai"))
    fig = map_figure(frames, b, label, printed_on, _source(label, frames))
    if fmt == "docx":
        body = briefing_docx(b, label, map_png=figure_bytes(fig, "png", dpi=DOCX_MAP_DPI),
                             printed_on=printed_on)
    else:
        body = briefing_pdf(b, label, map_fig=fig, printed_on=printed_on)
    audit_id = _record(store, principal, PRINT_BRIEFING, b.unit, {
        "format": fmt, "month": b.month, "masked": b.masked, "bytes": len(body),
        "sha256": hashlib.sha256(body).hexdigest()})
    return Document(body, f"{_file_stem('briefing', b.unit, '-' + b.month)}.{fmt}",
                    MEDIA_TYPES[fmt], audit_id)
