"""Grid members (网格党员): who covers the chosen grids, where the gaps are, reassignment,
roster exports. Arrive with ?grid=ID or click a grid on the map to choose it."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from components import grid_map, print_panel
from components.context import page_context
from components.display_values import blank_frame, number
from components.exports import audited_download
from components.i18n import fmt_int, fmt_pct, t
from components.session import localized
from geo import auth, grid_report, reassignment
from geo import grid_coverage as gc
from geo.store import ConflictError, StoreError

KEY_STREET, KEY_COMMUNITY, KEY_GRID = "grids_street", "grids_community", "grids_grid"
KEY_LAST = "grids_last_change"
KEY_SEEN = "grids_seen_versions"  # member versions as shown by the previous run (the form's read)


@st.cache_data(show_spinner=False, max_entries=16)
def coverage_for(url: str, revision: str, threshold: float | None) -> tuple[pd.DataFrame, float]:
    layers = ctx.layers("grids", "members", "compounds")
    frame = gc.grid_coverage(layers["grids"], layers["members"], layers["compounds"],
                             threshold=threshold)
    return frame, frame.attrs["threshold"]


def rights(principal, grid_ids, action: str | None = None) -> dict[str, bool]:
    """grid_id -> may ``principal`` see members' names and phones there (and do ``action``)."""
    if action and not auth.allowed(principal, action):
        return {}
    return {g: ctx.can_see_personal(g) for g in grid_ids}


def choose_grid(grid_id: str, marker: str) -> None:
    """Select a grid (and its street and community) before the pickers are drawn."""
    row = grids.set_index("id").loc[grid_id]
    st.session_state.update({KEY_STREET: row["street_id"], KEY_COMMUNITY: row["community_id"],
                             KEY_GRID: grid_id, marker: grid_id})


def show_failure(exc: Exception) -> None:
    if isinstance(exc, ConflictError):
        st.error(f"{t('grids.edit.conflict')}\n\n{localized(exc)}", icon="⛔")
    elif isinstance(exc, PermissionError):
        st.error(t("grids.edit.refused", reason=localized(exc)), icon="⛔")
    else:
        st.error(t("grids.edit.error", reason=localized(exc)), icon="⛔")


def run_change(action, notice: str) -> None:
    try:
        changes = action()
    except (StoreError, PermissionError) as exc:
        show_failure(exc)
        return
    st.session_state[KEY_LAST] = [c.audit_id for c in changes] if notice != "undo" else None
    st.session_state.pop("grids_target_for", None)  # the cleared form defaults to the grid again
    st.session_state["grids_notice"] = (t("grids.undo.done") if notice == "undo"
                                        else t("grids.edit.done", n=fmt_int(len(changes))))
    st.rerun()


ctx = page_context()
layers = ctx.layers("grids", "streets", "communities", "members", "volunteer_teams")
grids, streets, communities = layers["grids"], layers["streets"], layers["communities"]
members, teams = layers["members"], layers["volunteer_teams"]
principal = ctx.principal
store = ctx.store
names = {**dict(zip(streets["id"], streets["name"])),
         **dict(zip(communities["id"], communities["name"])), **dict(zip(grids["id"], grids["name"]))}
arrived = st.query_params.get("grid")
if arrived in set(grids["id"]) and st.session_state.get("grids_arrived") != arrived:
    choose_grid(arrived, "grids_arrived")

st.title(t("grids.title"))
st.caption(t("grids.caption"))
pick = st.columns(4)
street = pick[0].selectbox(t("grids.pick.street"), [None, *streets["id"]], key=KEY_STREET,
                           format_func=lambda i: names.get(i, t("grids.pick.all")),
                           placeholder=t("grids.pick.all"),  # None reads as "no choice"
                           on_change=st.session_state.update,  # a new street: choose again below
                           kwargs={KEY_COMMUNITY: None, KEY_GRID: None})
in_street = grids if street is None else grids[grids["street_id"] == street]
community_ids = [c for c in communities["id"] if c in set(in_street["community_id"])]
if st.session_state.get(KEY_COMMUNITY) not in (None, *community_ids):
    st.session_state[KEY_COMMUNITY] = None
community = pick[1].selectbox(t("grids.pick.community"), [None, *community_ids], key=KEY_COMMUNITY,
                              format_func=lambda i: names.get(i, t("grids.pick.all")),
                              placeholder=t("grids.pick.all"),
                              on_change=st.session_state.update, kwargs={KEY_GRID: None})
in_community = in_street if community is None else in_street[in_street["community_id"] == community]
if st.session_state.get(KEY_GRID) not in (None, *in_community["id"]):
    st.session_state[KEY_GRID] = None
grid = pick[2].selectbox(t("grids.pick.grid"), [None, *in_community["id"]], key=KEY_GRID,
                         format_func=lambda i: f"{names[i]} ({i})" if i else t("grids.pick.all"),
                         placeholder=t("grids.pick.all"))
auto_limit = coverage_for(store.url, ctx.revision, None)[1]  # shown in the box, not blank
threshold = pick[3].number_input(t("grids.pick.threshold"), min_value=1.0,
                                 value=float(auto_limit), step=10.0, format="%.0f",
                                 help=t("grids.pick.threshold_help"), key="grids_threshold")
print_panel.print_action("grids_print", community or street, street)

coverage, limit = coverage_for(store.url, ctx.revision, threshold)
coverage.attrs["threshold"] = limit
scope_ids = [grid] if grid else list(in_community["id"])
scope = coverage[coverage[gc.GRID_ID].isin(scope_ids)]
scope.attrs["threshold"] = limit
summary = gc.coverage_summary(scope)
per = summary[gc.PER_MEMBER]
for col, (key, value) in zip(st.columns(6), [
    ("grids.card.grids", fmt_int(summary["grids"])), ("grids.card.members", fmt_int(summary["members"])),
    ("grids.card.households", fmt_int(summary["households"])),
    ("grids.card.per_member", "-" if per is None else f"{per:,.1f}"),
    ("grids.card.no_member", fmt_int(summary["no_member"])),
    ("grids.card.overloaded", fmt_int(summary["overloaded"])),
]):
    col.metric(t(key), value)
if grid and (flags := scope[gc.FLAGS].iloc[0]):
    st.error(t("grids.flag_banner", flags="、".join(t("grids.flag." + f) for f in flags)), icon="⚠️")
elif grid:
    st.success(t("grids.ok_banner"))

st.subheader(t("grids.map"))
fmap = grid_map.grid_map(grids[grids["id"].isin(in_community["id"])], coverage, streets,
                         selected=[grid] if grid else [])
event = st_folium(fmap, height=460, width=None, key="grids_map",
                  returned_objects=["last_active_drawing"])
st.caption(f"{grid_map.legend_text(coverage)} · {t('grids.map.click')}")
clicked = grid_map.clicked_grid(event)
if clicked in names and clicked != grid and clicked != st.session_state.get("grids_clicked"):
    choose_grid(clicked, "grids_clicked")
    st.rerun()

charts = st.columns(2)
charts[0].caption(t("grids.chart.per_member"))
per_grid = scope.set_index("name")[[gc.PER_MEMBER]].dropna()
if len(per_grid):
    charts[0].bar_chart(per_grid.rename(columns=lambda c: t("grids.col." + c)), height=260,
                        horizontal=len(per_grid) > 30)
placed = gc.reported_vs_placed(communities, grids, members)
placed = placed[placed["id"].isin(in_community["community_id"])].set_index("name")
charts[1].caption(t("grids.chart.reported"))
charts[1].bar_chart(placed[[gc.REPORTED, gc.PLACED]].rename(columns=lambda c: t("grids.col." + c)),
                    stack=False, height=260)
reported = int(placed[gc.REPORTED].sum())
charts[1].caption(f"{t('grids.card.reported')} {fmt_int(reported)} · {t('grids.card.placed_ratio')} "
                  f"{fmt_pct(100 * placed[gc.PLACED].sum() / reported) if reported else '-'}")
table = scope[[gc.GRID_ID, "name", gc.MEMBERS, gc.HOUSEHOLDS, gc.PER_MEMBER, gc.FLAGS]].copy()
table[gc.FLAGS] = table[gc.FLAGS].map(lambda f: "、".join(t("grids.flag." + x) for x in f))
table[gc.PER_MEMBER] = table[gc.PER_MEMBER].map(number)
table_headers = {c: t("grids.col." + c) for c in table.columns} | {"name": t("polish.col.grid_name")}
with st.expander(t("grids.table"), expanded=grid is None):
    st.dataframe(blank_frame(table.rename(columns=table_headers)), hide_index=True)

st.subheader(t("grids.roster"))
seen = rights(principal, scope_ids)
roster = grid_report.roster_frame(members, grids, teams, seen, scope_ids)
if not all(seen.values()) or not seen:
    st.caption(t("grids.roster.masked"))
with st.container(height=420):  # a table has no toolbar: no unaudited "Download as CSV"
    st.table(blank_frame(grid_report.labelled(roster, t)))
st.caption(t("grids.roster.audited"))
exports = st.columns(2)
export_rights = rights(principal, scope_ids, "export_personal")
export_roster = grid_report.roster_frame(members, grids, teams, export_rights, scope_ids)
export_masked = not export_rights or not all(export_rights.values())
tag = "masked" if export_masked else "unmasked"
label = names.get(grid or community or street, t("grids.pick.all"))
audited_download(exports[0], t("grids.export.excel"), grid_report.roster_excel(export_roster, t),
                 f"roster_{tag}_{label}.xlsx", what="members", masked=export_masked,
                 principal=principal, key="grids_excel")
if grid:
    summary_page = grid_report.grid_summary_html(gc.coverage_records(scope)[0], export_roster, t,
                                                 names)
    audited_download(exports[1], t("grids.export.print"), summary_page,
                     f"grid_{tag}_{grid}.html", what="members", masked=export_masked,
                     principal=principal, key="grids_print", mime="text/html")
    with st.expander(t("grids.export.preview")):
        st.iframe(summary_page, height=600)

st.subheader(t("grids.edit"))
member_versions = dict(zip(members["id"], members["version"].astype(int)))
seen_versions = st.session_state.get(KEY_SEEN) or member_versions
if auth.allowed(principal, "edit_members") or principal.role == auth.Role.GRID_LEADER:
    own = [g for g in grids["id"] if auth.allowed(principal, "edit_members", [g])]
    nearby = [g for g in in_community["id"] if g in set(own)]  # neighbours can fill a gap
    movable = grid_report.roster_frame(members, grids, teams, rights(principal, nearby),
                                       nearby).set_index("id")
    targets = [None, *own]
    if st.session_state.get("grids_target_for", "-") != grid:  # default target: chosen grid
        st.session_state.update(grids_target=grid if grid in own else None, grids_target_for=grid)
    with st.form("grids_reassign", clear_on_submit=True):
        chosen = st.multiselect(
            t("grids.edit.members"), list(movable.index), key="grids_members",
            format_func=lambda m: f"{m} · {movable.loc[m, 'name']} · {movable.loc[m, 'grid']}",
            placeholder=t("polish.select.placeholder"), select_all=False)
        target = st.selectbox(
            t("grids.edit.target"), targets, key="grids_target",
            format_func=lambda i: f"{names[i]} ({i})" if i else t("grids.edit.keep"),
            placeholder=t("grids.edit.keep"))
        post, duty = st.columns(2)
        new_post = post.text_input(t("grids.edit.post"), key="grids_post")
        new_duty = duty.text_input(t("grids.edit.duty"), key="grids_duty")
        reason = st.text_input(t("grids.edit.reason"), key="grids_reason")
        if st.form_submit_button(t("grids.edit.submit"), type="primary"):
            expected = {m: seen_versions.get(m, member_versions[m]) for m in chosen}
            run_change(lambda: reassignment.reassign(
                store, chosen, reason, principal.name, grid_id=target, post=new_post,
                duty=new_duty, principal=principal, expected_versions=expected), "edit")
    if notice := st.session_state.pop("grids_notice", None):
        st.success(notice)
    if st.session_state.get(KEY_LAST) and st.button(t("grids.undo"), key="grids_undo"):
        run_change(lambda: reassignment.undo(store, st.session_state[KEY_LAST], principal.name,
                                             principal), "undo")
else:
    st.info(t("grids.edit.readonly"), icon="🔒")
st.session_state[KEY_SEEN] = member_versions
