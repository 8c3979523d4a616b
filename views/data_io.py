"""Import and export for the organisation department: upload, check, import, roll back,
templates and exports. Uploaded files are parsed in a temporary folder, never executed."""

import hashlib
import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from components import session
from components.context import page_context
from components.exports import audited_download
from components.i18n import fmt_int, get_lang, t
from components.streamlit_text import upload_limit_mb
from geo import auth, clock
from geo.exporter import FORMATS, export_bytes
from geo.importer import (
    IMPORTABLE_LAYERS,
    LAYER_LABELS,
    ImportRefused,
    RollbackConflict,
    apply_import,
    distinct_names,
    import_log,
    plan_import,
    rollback_import,
    template_xlsx,
    templates_zip,
)
from geo.importer.checks import field_label
from geo.importer.detect import CRS_CHOICES, crs_label

CONFLICTS_SHOWN = 100  # the message counts them all
ROLLED_BACK_NOTE = "io_rolled_back_note"  # shown after the rerun that refreshes the log
ctx = page_context(action="import")
principal = ctx.principal
store = ctx.store
lang = get_lang()
zh = lang == "zh"
st.title(t("io.title"))
st.caption(t("io.caption"))


def layer_name(name) -> str:
    return f"{LAYER_LABELS.get(name, name)} {name}" if name else "?"


def counts_text(counts: dict) -> str:
    """Per layer "N unchanged, M changed, K new" (a log row from before: "new, updated")."""
    parts = []
    for n, c in counts.items():
        if "changed" in c:
            parts.append(t("io.counts_split", layer=LAYER_LABELS.get(n, n),
                           **{k: fmt_int(c[k]) for k in ("unchanged", "changed", "new")}))
        else:
            parts.append(t("io.counts", layer=LAYER_LABELS.get(n, n), new=fmt_int(c["new"]),
                           replaced=fmt_int(c["replaced"])))
    if all("changed" in c for c in counts.values()) and len(counts) > 1:
        parts.append(t("io.counts_total", **{k: fmt_int(sum(c[k] for c in counts.values()))
                                             for k in ("unchanged", "changed", "new")}))
    return ";".join(parts)


@st.cache_data(show_spinner=False, max_entries=4)
def _plan(files: tuple, crs: tuple, layer, repair, revision):
    """Check the uploads (cached per content, options and store revision)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (name, data) in enumerate(files):
            path = Path(tmp) / f"{i}{Path(name).suffix.lower()}"  # never trust the name
            path.write_bytes(data)
            paths.append((path, name))
        return plan_import(paths, ctx.store, crs={n: c for n, c in crs if c}, layer=layer,
                           repair=repair,
                           size_limit=upload_limit_mb() * 1048576)


tab_import, tab_log, tab_templates, tab_export = st.tabs(
    [t("io.tab_import"), t("io.tab_log"), t("io.tab_templates"), t("io.tab_export")])

with tab_import:
    uploads = st.file_uploader(t("io.upload"), accept_multiple_files=True, key="io_upload",
                               type=["xlsx", "csv", "geojson", "json", "zip", "gpkg"],
                               max_upload_size=upload_limit_mb())
    st.caption(t("io.size_limit", mb=upload_limit_mb()))
    left, right = st.columns([2, 1])
    layer = left.selectbox(t("io.layer"), [None, *IMPORTABLE_LAYERS], key="io_layer",
                           format_func=lambda n: t("io.layer_auto") if n is None else layer_name(n))
    repair = right.checkbox(t("io.repair"), key="io_repair")
    if uploads:
        files = tuple(zip(distinct_names([u.name for u in uploads]),
                          (u.getvalue() for u in uploads)))
        crs = []  # one override per uploaded file (mixed sources: a GCJ-02 picker, a survey...)
        for i, (name, _) in enumerate(files):
            crs.append((name, st.selectbox(
                t("io.crs_for", file=name), [None, *CRS_CHOICES], key=f"io_crs_{i}_{name}",
                format_func=lambda c: t("io.crs_auto") if c is None else crs_label(c, lang))))
        plan = _plan(files, tuple(crs), layer, repair, store.revision())
        st.subheader(t("io.detected"))
        st.dataframe(pd.DataFrame([{
            t("io.col.file"): r.file, t("io.col.sheet"): r.sheet or "", t("io.col.format"): r.fmt,
            t("io.col.encoding"): r.encoding or "", t("io.col.layer"): layer_name(r.layer),
            t("io.col.rows"): fmt_int(r.rows),
            t("io.col.crs"): crs_label(r.crs, lang) if r.crs else "",
            t("io.col.notes"): ";".join(session.localized(n) for n in r.notes),
        } for r in plan.tables]), hide_index=True, width="stretch")
        if plan.problems:
            st.error(t("io.problems", n=fmt_int(len(plan.problems))))
            if plan.repairable() and not repair:
                st.warning(t("io.repairable", n=fmt_int(plan.repairable())))
            st.dataframe(pd.DataFrame([{
                t("io.col.file"): p.file or "", t("io.col.sheet"): p.sheet or "",
                t("io.col.layer"): layer_name(p.layer) if p.layer else "",
                t("io.col.row"): "" if p.row is None else str(p.row),
                t("io.col.id"): p.feature_id or "", t("io.col.field"): field_label(p, zh),
                t("io.col.message"): p.message_zh if zh else p.message_en,
            } for p in plan.problems]), hide_index=True, width="stretch")
        elif plan.ok:
            st.success(t("io.ok", counts=counts_text(plan.counts)))
            digest = hashlib.sha256(repr([(n, len(d)) for n, d in files]).encode()).hexdigest()
            if st.button(t("io.apply"), type="primary", key=f"io_apply_{digest[:12]}"):
                try:
                    log_id = apply_import(store, plan, principal=principal)
                except (ImportRefused, auth.PermissionDenied) as exc:
                    st.error(t("io.refused", error=session.localized(str(exc))))
                else:
                    st.success(t("io.applied", id=log_id) if log_id else t("io.nothing_changed"))

with tab_log:
    log = import_log(store)
    if log.empty:
        st.info(t("io.log_empty"))
    else:
        st.dataframe(pd.DataFrame({
            t("io.col.id"): log["id"], t("io.col.at"): clock.to_local(log["at"]).dt.strftime("%Y-%m-%d %H:%M"),
            t("io.col.account"): log["account"],
            t("io.col.files"): log["files"].map(lambda s: "、".join(json.loads(s or "[]"))),
            t("io.col.counts"): log["counts"].map(lambda s: counts_text(json.loads(s or "{}"))),
            t("io.col.status"): log["status"].map(lambda s: t(f"io.status.{s}")),
        }), hide_index=True, width="stretch")
        if st.session_state.get(ROLLED_BACK_NOTE):
            st.success(st.session_state.pop(ROLLED_BACK_NOTE))
        applied = log.loc[log["status"] == "applied", "id"].tolist()
        if not applied:
            st.caption(t("io.rollback_none"))
        if applied and auth.allowed(principal, "rollback_import"):
            pick = st.selectbox(t("io.rollback_pick"), applied, key="io_rollback_pick")
            keep = st.checkbox(t("io.keep_later_edits"), key="io_keep_later")
            st.caption(t("io.keep_later_note"))
            if st.button(t("io.rollback"), key="io_rollback"):
                try:
                    restored = rollback_import(store, pick, principal=principal,
                                               keep_later_edits=keep)
                except RollbackConflict as exc:
                    st.error(t("io.rollback_conflict", n=fmt_int(len(exc.conflicts))))
                    st.table(pd.DataFrame([{
                        t("io.col.layer"): layer_name(name), t("io.col.id"): row_id,
                        t("io.col.status"): t(f"io.later.{state}"),
                    } for name, row_id, state in exc.conflicts[:CONFLICTS_SHOWN]]))
                except (ImportRefused, auth.PermissionDenied) as exc:
                    st.error(t("io.refused", error=session.localized(str(exc))))
                else:
                    kept = sum(c.get("kept", 0) for c in restored.values())
                    st.session_state[ROLLED_BACK_NOTE] = t("io.rolled_back", id=pick) + (
                        t("io.rolled_back_kept", n=fmt_int(kept)) if kept else "")
                    st.rerun()  # the log above then says 已回滚 and no longer offers it

with tab_templates:
    st.caption(t("io.template_note"))
    pick = st.selectbox(t("io.template_layer"), IMPORTABLE_LAYERS, format_func=layer_name,
                        key="io_template_layer")
    left, right = st.columns(2)
    audited_download(left, t("io.template_one"), template_xlsx(pick),
                     f"{pick}_{LAYER_LABELS[pick]}.xlsx", what="template", masked=True,
                     principal=principal, key="io_template_one")
    audited_download(right, t("io.template_all"), templates_zip(), "hongtu-templates.zip",
                     what="template", masked=True, principal=principal, key="io_template_all")

with tab_export:
    fmt = st.selectbox(t("io.export_format"), FORMATS, key="io_export_format")
    may_unmask = auth.allowed(principal, "export_personal")
    unmasked = st.checkbox(t("io.export_unmasked"), disabled=not may_unmask,
                           key="io_export_unmasked") and may_unmask
    if not unmasked:
        st.caption(t("io.export_masked_note"))
    st.caption(t("io.export_unmasked_name") if may_unmask else t("io.export_audited"))
    choice = (fmt, unmasked)  # a file made for another choice is never offered for this one
    if st.button(t("io.export_make"), key="io_export_make"):
        st.session_state["io_export"] = (choice, *export_bytes(store, fmt,
                                                               can_see_personal=unmasked))
    made = st.session_state.get("io_export")
    if made and made[0] == choice:
        _, data, name = made
        audited_download(st, t("io.export_download", name=name), data, name, what="store",
                         masked=not unmasked, principal=principal,
                         key=f"io_export_dl_{fmt}_{unmasked}")
