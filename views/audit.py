"""Audit log for the organisation department: filters, the table, CSV and Excel export."""

import streamlit as st

from components.audit_values import audit_detail, audit_object, audit_reason
from components.context import page_context
from components.display_values import audit_action, blank_frame, layer_name
from components.exports import audited_download
from components.i18n import fmt_int, get_lang, t
from geo import audit, clock

ctx = page_context(action="view_audit")
st.title(t("audit.title"))
st.caption(t("audit.caption"))

frame = ctx.layer(audit.AUDIT)
outcomes = {"": t("audit.outcome_any"), audit.OK: t("audit.outcome_ok"),
            audit.REFUSED: t("audit.outcome_refused")}
top = st.columns([2, 2, 2, 1])
since = until = None
if not frame.empty:
    first, last = (clock.to_local(frame[audit.AT].min()).date(),
                   clock.to_local(frame[audit.AT].max()).date())
    dates = top[0].date_input(t("audit.dates"), value=(first, last), key="audit_dates")
    since, until = clock.utc_day_bounds(
        *((tuple(dates) + (None, None))[:2] if isinstance(dates, tuple) else (dates, None)))
accounts = top[1].multiselect(t("audit.accounts"), sorted(frame[audit.ACCOUNT].dropna().unique()),
                              placeholder=t("map.filter.all"), select_all=False)
actions = top[2].multiselect(t("audit.actions"), sorted(frame[audit.ACTION].dropna().unique()),
                             format_func=audit_action, placeholder=t("map.filter.all"),
                             select_all=False)
outcome = top[3].selectbox(t("audit.outcome"), list(outcomes), format_func=outcomes.get)
text = st.text_input(t("audit.text"), key="audit_text")

rows = audit.filter_audit(frame, accounts=accounts, actions=actions, outcome=outcome or None,
                          since=since, until=until, text=text.strip() or None)
st.caption(t("audit.count", n=fmt_int(len(rows))))
headers = {c: t(f"audit.col.{c}") for c in audit.COLUMNS}
headers[audit.AT] = t("orders_time.audit_zone", zone=clock.zone_name())  # shown: display zone
if rows.empty:
    st.info(t("audit.empty"))
else:
    rows = rows.assign(**{
        audit.OBJECT_ID: [audit_object(a, o) for a, o in zip(rows[audit.ACTION],
                                                              rows[audit.OBJECT_ID])],
        audit.ACTION: rows[audit.ACTION].map(audit_action),
        audit.OBJECT_LAYER: rows[audit.OBJECT_LAYER].map(layer_name),
        audit.BEFORE: rows[audit.BEFORE].map(audit_detail),
        audit.AFTER: rows[audit.AFTER].map(audit_detail),
        audit.REASON: rows[audit.REASON].map(audit_reason),
        audit.OUTCOME: rows[audit.OUTCOME].map(outcomes.get)})
    table = blank_frame(audit.export_table(rows, headers))
    st.dataframe(table, hide_index=True, width="stretch")
    stamp = f"audit_unmasked_{get_lang()}"  # before/after values are not masked
    left, right = st.columns(2)
    audited_download(left, t("audit.csv"), audit.to_csv_bytes(rows, headers), f"{stamp}.csv",
                     what=audit.AUDIT, masked=False, principal=ctx.principal, key="audit_csv",
                     mime="text/csv")
    audited_download(
        right, t("audit.xlsx"), audit.to_xlsx_bytes(rows, headers), f"{stamp}.xlsx",
        what=audit.AUDIT, masked=False, principal=ctx.principal, key="audit_xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
