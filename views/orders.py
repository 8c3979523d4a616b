"""Service orders and escalated cases (工单与事件): KPI cards, the map of open items, the
queue with filters, one item's timeline and next steps, new orders and cases, charts."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import orders_forms as of
from components import orders_view as ov
from components import print_panel
from components.context import page_context
from components.i18n import fmt_int, t
from components.map_controls import draw_map
from components.session import localized
from geo import auth, clock, kpis
from geo import workflow as wf
from geo.store import StoreError

LAYERS = (*kpis.KPI_LAYERS, "workflow_events", "party_alliances", "volunteer_teams", "members",
          "joint_duty_stations", "districts")


@st.cache_data(show_spinner=False, max_entries=32)
def figures(url: str, revision: str, street: str | None, limit: float):
    frames = {name: layers[name] for name in (*kpis.KPI_LAYERS, "districts")}
    return (kpis.compute_kpis(frames, street=street, limit_hours=limit),
            kpis.by_area(frames, AREA, limit_hours=limit),
            kpis.by_area(frames, "compound", limit_hours=limit), kpis.monthly_trend(frames))


ctx = page_context()
principal = ctx.principal
layers = ctx.layers(*LAYERS)
AREA = "district" if len(layers["districts"]) > 1 else "street"  # a city: per county
store = ctx.store
now = clock.business_now(layers["meta"])  # ages and the latest allowed step time
compounds, streets = layers["compounds"], layers["streets"]
compound_names = dict(zip(compounds["id"], compounds["name"]))
if pending := st.session_state.pop("orders_pending_item", None):  # just created: show it
    st.session_state["orders_item"] = pending

st.title(t("orders.title"))
st.caption(t("orders.caption"))
top = st.columns([2, 1, 3])
street = top[0].selectbox(t("orders.street"), [None, *streets["id"]], key="orders_street",
                          format_func=lambda s: dict(zip(streets["id"], streets["name"])).get(
                              s, t("orders.all")))
limit = top[1].number_input(t("orders.limit_hours"), 1.0, 2000.0, kpis.DEFAULT_LIMIT_HOURS,
                            step=12.0, key="orders_limit")
k, by_street, by_compound, trend = figures(store.url, ctx.revision_of(*kpis.KPI_LAYERS, "districts"),
                                          street, limit)
top[2].caption(t("orders.as_of", date=k["as_of"]) + " · " + ov.zone_caption())
ov.show_kpi_cards(k)
print_panel.print_action("orders_print", street, street)
notice_slot = st.empty()  # always there: a notice must not shift the tabs (their map reloads)
if notice := st.session_state.pop("orders_notice", None):
    notice_slot.success(notice)

all_items = ov.queue_frame(layers["service_orders"], layers["cases"], compounds, streets, now)
queue = all_items
if street:
    queue = queue[queue["street_id"] == street]
tab_queue, tab_detail, tab_new, tab_charts = st.tabs(
    [t(f"orders.tab.{k}") for k in ("queue", "detail", "new", "charts")])

with tab_queue:
    cols = st.columns([1, 2, 2, 2, 1])
    kinds = cols[0].multiselect(t("orders.filter.type"), [ov.ORDER, ov.CASE], key="orders_f_type",
                                format_func=lambda k: t(f"orders.type.{k}"),
                                placeholder=t("map.filter.all"), select_all=False)
    statuses = cols[1].multiselect(t("orders.filter.status"), sorted(set(queue["status"])),
                                   key="orders_f_status",
                                   format_func=lambda s: t(f"orders.status.{s}"),
                                   placeholder=t("map.filter.all"), select_all=False)
    categories = cols[2].multiselect(t("orders.filter.category"), sorted(set(queue["category"])),
                                     key="orders_f_category", placeholder=t("map.filter.all"),
                                     select_all=False)
    ages = cols[3].multiselect(t("orders.filter.age"), [b[0] for b in ov.AGE_BUCKETS],
                               key="orders_f_age", format_func=lambda a: t(f"orders.age.{a}"),
                               placeholder=t("map.filter.all"), select_all=False)
    open_only = cols[4].toggle(t("orders.filter.open"), value=True, key="orders_f_open")
    for column, chosen in (("kind", kinds), ("status", statuses), ("category", categories),
                           ("age", ages)):
        if chosen:
            queue = queue[queue[column].isin(chosen)]
    if open_only:
        queue = queue[queue["open"]]
    open_items = queue[queue["open"]]
    st.caption(t("orders.map.count", n=fmt_int(len(open_items)),
                 orders=fmt_int((open_items["kind"] == ov.ORDER).sum()),
                 cases=fmt_int((open_items["kind"] == ov.CASE).sum())))
    items_map, items = ov.open_items_map(queue, compounds, streets)
    draw_map(items_map, feature_group_to_add=items, height=420, key="orders_map",
              width=None, returned_objects=[])
    st.markdown(ov.map_legend(), unsafe_allow_html=True)
    st.caption(t("orders.queue.count", n=fmt_int(len(queue))))
    st.dataframe(ov.labelled_queue(queue.head(2000)), hide_index=True, height=320)

with tab_detail:
    selected = all_items[all_items["id"] == st.session_state.get("orders_item")]
    choices = pd.concat([selected, queue.head(500)]).drop_duplicates("id")  # keep the chosen
    labels = {r.id: f"{t(f'orders.type.{r.kind}')} {r.id} · {r.category} · {r.compound}"
              for r in choices.itertuples()}  # stable labels: the widget matches by label
    if st.session_state.get("orders_item") not in labels:
        st.session_state.pop("orders_item", None)
    item_id = st.selectbox(t("orders.detail.pick"), list(labels), format_func=labels.get,
                           key="orders_item")
    if item_id is None:
        st.info(t("orders.detail.none"))
    else:
        kind = choices.set_index("id").loc[item_id, "kind"]
        layer = wf.ORDERS if kind == ov.ORDER else wf.CASES
        row = layers[layer][layers[layer]["id"] == item_id]
        item = row.iloc[0].to_dict()  # masked by the page context
        events = layers["workflow_events"]
        ov.show_item(item, kind, events[events["object_id"] == item_id], compound_names)
        if not auth.allowed(principal, wf.PERMISSION, [item["grid_id"]]):
            st.caption(t("orders.readonly"))
        else:
            members = layers["members"]
            local = members[members["compound_id"] == item["compound_id"]]
            options = {
                "alliances": dict(zip(layers["party_alliances"]["id"],
                                      layers["party_alliances"]["name"])),
                "teams": dict(zip(layers["volunteer_teams"]["id"],
                                  layers["volunteer_teams"]["name"])),
                "members": dict(zip(local["id"],
                                    local["name"].astype(str).radd(local["id"] + " · "))),
                "stations": dict(zip(layers["joint_duty_stations"]["id"],
                                     layers["joint_duty_stations"]["name"])),
            }
            item["party_alliance_hint"] = compounds.set_index("id")["party_alliance_id"].get(
                item["compound_id"])
            previous = wf.last_time(layer, item, events[events["object_id"] == item_id])
            submitted = of.action_form(kind, item, options, previous, now)
            if submitted:
                action, params = submitted
                try:
                    params["at"] = of.step_time(*params.pop("when"))
                    wf.advance(store, layer, item_id, action, principal=principal,
                               expected_version=int(item["version"]), **params)
                except (ValueError, StoreError, PermissionError) as exc:  # WorkflowError too
                    st.error(t("orders.act.failed", reason=localized(str(exc))), icon="⛔")
                else:
                    st.session_state["orders_notice"] = t(
                        "orders.act.done", id=item_id, action=t(f"orders.action.{action}"))
                    st.rerun()

with tab_new:
    mine = compounds if principal is None or principal.role != auth.Role.GRID_LEADER else (
        compounds[compounds["grid_id"].isin(principal.grids)])
    if mine.empty or not auth.allowed(principal, wf.PERMISSION, list(mine["grid_id"])[:1]):
        st.caption(t("orders.readonly"))
    else:
        names = dict(zip(mine["id"], mine["name"]))
        left, right = st.columns(2)
        with left:
            order = of.new_order_form(names)
        with right:
            case = of.new_case_form(names)
        try:
            created = (wf.create_order(store, principal=principal, **order) if order else
                       wf.create_case(store, principal=principal, **case) if case else None)
        except (wf.WorkflowError, StoreError, PermissionError) as exc:
            st.error(t("orders.act.failed", reason=localized(str(exc))), icon="⛔")
        else:
            if created:
                st.session_state["orders_pending_item"] = created["id"]
                st.session_state["orders_notice"] = t("orders.new.created", id=created["id"])
                st.rerun()

with tab_charts:
    ov.show_charts(by_street, by_compound, trend, AREA)
