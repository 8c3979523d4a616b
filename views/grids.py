"""Grid members (网格党员): who covers the grids, where the gaps are, reassignment, rosters.

A grid leader opens on his own grids (a card each: members, households per member, flags),
then their roster and the reassignment form, the map below; the whole district is one choice
away. Everyone else opens on the district summary (flags and counts by street, how households
per member are spread, the heaviest grids) and picks a street, community or grid to see its
roster. Arrive with ?grid=ID or click a grid on the map to choose it. Files (roster Excel,
printable summary) are made only when asked for. The threshold and the figures it changes
run as a fragment: a threshold change reruns nothing else."""

from __future__ import annotations

import streamlit as st

from components import grid_map, grids_data, grids_view, print_panel
from components.context import page_context
from components.data_text import md
from components.exports import audited_download
from components.i18n import t
from components.map_controls import draw_map
from components.session import localized
from geo import auth, grid_report, reassignment
from geo import grid_coverage as gc
from geo.store import ConflictError, StoreError

KEY_STREET, KEY_COMMUNITY, KEY_GRID = "grids_street", "grids_community", "grids_grid"
KEY_VIEW, MINE, DISTRICT = "grids_view", "mine", "district"
PAGE_LAYERS = ("grids", "streets", "communities", "members", "volunteer_teams", "compounds")
KEY_LAST = "grids_last_change"
KEY_SEEN = "grids_seen_versions"  # member versions as shown by the previous run (the form's read)


def rights(grid_ids, action: str | None = None) -> dict[str, bool]:
    """grid_id -> may the user see members' names and phones there (and do ``action``)."""
    if action and not auth.allowed(principal, action):
        return {}
    return {g: ctx.can_see_personal(g) for g in grid_ids}


def choose_grid(grid_id: str, marker: str) -> None:
    """Select a grid before the pickers are drawn: in the leader's own view if it is his, else
    in the district view with its street and community."""
    row = grids.set_index("id").loc[grid_id]
    if grid_id in mine_ids:
        st.session_state.update({KEY_VIEW: MINE, KEY_GRID: grid_id, marker: grid_id})
        return
    st.session_state.update({KEY_VIEW: DISTRICT, KEY_STREET: row["street_id"], marker: grid_id,
                             KEY_COMMUNITY: row["community_id"], KEY_GRID: grid_id})


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
                                        else t("grids.edit.done", n=len(changes)))
    st.rerun()


@st.fragment
def status(area_ids: list[str], title: str | None, level: str | None) -> None:
    """The figures the threshold changes: cards (or the summary), the threshold box, the
    table by ``level`` (street, community, or the grids of a community) and the charts."""
    top = st.container()
    limit = grids_view.threshold_input(base.attrs["default_threshold"], folded=mine)
    cover = grids_data.coverage(base, limit)
    area = cover[cover[gc.GRID_ID].isin(area_ids)]
    with top:
        if title:
            st.subheader(md(title))
        if mine or grid:
            grids_view.grid_cards(area)
        else:
            grids_view.summary_metrics(gc.coverage_summary(area))
    if level == "grid":
        grids_view.grid_table(area)
    elif level:
        placed = grids_data.placed(url, revision, level, communities, grids, members, streets)
        grids_view.area_table(grids_data.area_table(area, level, placed), level)
    if level:
        grids_view.charts(area, limit)


ctx = page_context()
layers = ctx.layers(*PAGE_LAYERS)
grids, streets, communities = layers["grids"], layers["streets"], layers["communities"]
members, teams = layers["members"], layers["volunteer_teams"]
principal, store = ctx.principal, ctx.store
url, revision = store.url, ctx.revision_of(*PAGE_LAYERS)  # another layer's write keeps it
base = grids_data.coverage_base(url, revision, grids, members, layers["compounds"])
names = {**dict(zip(streets["id"], streets["name"])),
         **dict(zip(communities["id"], communities["name"])), **dict(zip(grids["id"], grids["name"]))}
leader = principal.role == auth.Role.GRID_LEADER
mine_ids = [g for g in grids["id"] if g in principal.grids] if leader else []
arrived = st.query_params.get("grid")
if arrived in set(grids["id"]) and st.session_state.get("grids_arrived") != arrived:
    choose_grid(arrived, "grids_arrived")

st.title(t("grids.title"))
st.caption(t("grids.caption"))
mine = bool(mine_ids) and st.radio(
    t("grids.view"), (MINE, DISTRICT), key=KEY_VIEW, horizontal=True,
    format_func=lambda v: t("grids.view." + v), label_visibility="collapsed") == MINE
if leader and not mine_ids:
    st.info(t("grids.mine.none"))
street = community = None
if mine:
    in_community = grids[grids["id"].isin(mine_ids)]
    grid = st.session_state.get(KEY_GRID) if st.session_state.get(KEY_GRID) in mine_ids else None
else:
    pick = st.columns(3)
    street = pick[0].selectbox(t("grids.pick.street"), [None, *streets["id"]], key=KEY_STREET,
                               format_func=lambda i: names.get(i, t("grids.pick.all")),
                               placeholder=t("grids.pick.all"),  # None reads as "no choice"
                               on_change=st.session_state.update,  # a new street: choose again
                               kwargs={KEY_COMMUNITY: None, KEY_GRID: None})
    in_street = grids if street is None else grids[grids["street_id"] == street]
    community_ids = [c for c in communities["id"] if c in set(in_street["community_id"])]
    if st.session_state.get(KEY_COMMUNITY) not in (None, *community_ids):
        st.session_state[KEY_COMMUNITY] = None
    community = pick[1].selectbox(t("grids.pick.community"), [None, *community_ids],
                                  key=KEY_COMMUNITY, placeholder=t("grids.pick.all"),
                                  format_func=lambda i: names.get(i, t("grids.pick.all")),
                                  on_change=st.session_state.update, kwargs={KEY_GRID: None})
    in_community = (in_street if community is None
                    else in_street[in_street["community_id"] == community])
    if st.session_state.get(KEY_GRID) not in (None, *in_community["id"]):
        st.session_state[KEY_GRID] = None
    grid = pick[2].selectbox(t("grids.pick.grid"), [None, *in_community["id"]], key=KEY_GRID,
                             format_func=lambda i: f"{names[i]} ({i})" if i else t("grids.pick.all"),
                             placeholder=t("grids.pick.all"))
area_ids = list(in_community["id"])
where = names.get(grid or community or street)
if mine:
    st.subheader(t("grids.mine"))
    status(area_ids, None, None)
    grid = st.selectbox(t("grids.pick.grid"), [None, *mine_ids], key=KEY_GRID,
                        format_func=lambda i: f"{names[i]} ({i})" if i else t("grids.pick.mine"))
else:
    title = t("grids.summary.area", name=where) if where else t("grids.summary.district")
    status([grid] if grid else area_ids, title,
           None if grid else "grid" if community else "community" if street else "street")
scope_ids = [grid] if grid else (area_ids if mine or street or community else None)


def show_map() -> None:
    st.subheader(t("grids.map"))
    layer = grids_data.map_layer(url, revision, tuple(area_ids), (grid,) if grid else (),
                                 ctx.lang, grids, base)
    fmap = grid_map.grid_map(layer, grids_data.outlines(url, revision, streets),
                             base.attrs["default_threshold"])
    event = draw_map(fmap, height=460, width=None, key="grids_map",
                      returned_objects=["last_active_drawing"])
    st.caption(f"{grid_map.legend_text(base.attrs['default_threshold'])} · {t('grids.map.click')}")
    clicked = grid_map.clicked_grid(event)
    if clicked in names and clicked != grid and clicked != st.session_state.get("grids_clicked"):
        choose_grid(clicked, "grids_clicked")
        st.rerun()


if not mine:
    show_map()
st.subheader(t("grids.roster"))
if scope_ids is None:
    st.info(t("grids.summary.pick"), icon="👆")
else:
    seen = rights(scope_ids)
    if not seen or not all(seen.values()):
        st.caption(t("grids.roster.masked"))
    grids_view.roster_table(grids_data.roster(url, revision, tuple(scope_ids),
                                              tuple(sorted(seen.items())), members, grids, teams),
                            several_grids=len(scope_ids) > 1)

member_versions = dict(zip(members["id"], members["version"].astype(int)))
seen_versions = st.session_state.get(KEY_SEEN) or member_versions
if auth.allowed(principal, "edit_members") or leader:
    st.subheader(t("grids.edit"))
    targets = [None, *(mine_ids if leader else grids["id"])]
    # members to move: from the user's grids of what is shown (his own grids, or the chosen
    # community's or street's: neighbours can fill a gap)
    editable = [g for g in (area_ids if scope_ids else ())
                if auth.allowed(principal, "edit_members", [g])]
    if scope_ids is None:
        st.info(t("grids.summary.pick"), icon="👆")
    elif not editable:
        st.info(t("grids.edit.not_yours"), icon="🔒")
    else:
        movable = grids_data.roster(url, revision, tuple(editable),
                                    tuple(sorted(rights(editable).items())), members, grids,
                                    teams).set_index("id")
        if st.session_state.get("grids_target_for", "-") != grid:  # default target: chosen grid
            st.session_state.update(grids_target=grid if grid in targets else None,
                                    grids_target_for=grid)
        # one label per member, made once (not two lookups per member per run); a label the
        # browser kept from before a move (no longer an option) is shown as it is
        choices = {m: f"{m} · {name} · {where}"
                   for m, name, where in zip(movable.index, movable["name"], movable["grid"])}
        with st.form("grids_reassign", clear_on_submit=True):
            chosen = st.multiselect(
                t("grids.edit.members"), list(choices), key="grids_members",
                format_func=lambda m: choices.get(m, str(m)),
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

st.subheader(t("grids.export"))
export_ids = scope_ids if scope_ids is not None else list(grids["id"])
export_rights = rights(export_ids, "export_personal")
masked = not export_rights or not all(export_rights.values())
tag, label = ("masked" if masked else "unmasked"), where or t("grids.pick.all")
stamp = (revision, tuple(export_ids), masked, ctx.lang)


@st.fragment
def files() -> None:
    """The roster workbook and the printable summary, made when asked; a fragment: a click on
    "make" or "download" reruns only this part of the page."""
    exports = st.columns(3)
    excel = grids_view.made_on_request(exports[0], "grids_excel", stamp, t("grids.export.excel_make"),
                                       lambda: grid_report.roster_excel(grids_view.roster_words(
                                           grids_data.roster(url, revision, tuple(export_ids),
                                                             tuple(sorted(export_rights.items())),
                                                             members, grids, teams)), t))
    if excel is not None:
        audited_download(exports[0], t("grids.export.excel"), excel, f"roster_{tag}_{label}.xlsx",
                         what="members", masked=masked, principal=principal, key="grids_excel",
                         mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if grid:
        summary_page = grids_view.made_on_request(
            exports[1], "grids_summary", (*stamp, grid), t("grids.export.print_make"),
            lambda: grid_report.grid_summary_html(
                gc.coverage_records(grids_view.one_grid(grids_data.coverage(
                    base, grids_view.threshold_now(base.attrs["default_threshold"])), grid))[0],
                grids_view.roster_words(grids_data.roster(
                    url, revision, (grid,), tuple(sorted(export_rights.items())), members, grids,
                    teams)), t, names).encode())
        if summary_page is not None:
            audited_download(exports[1], t("grids.export.print"), summary_page,
                             f"grid_{tag}_{grid}.html", what="members", masked=masked,
                             principal=principal, key="grids_summary_download", mime="text/html")
            with st.expander(t("grids.export.preview")):
                st.iframe(summary_page.decode(), height=600)
    with exports[2]:
        print_panel.print_action("grids_print", community or street, street)


files()
if mine:
    show_map()
