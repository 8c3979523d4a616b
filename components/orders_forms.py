"""Forms of the orders page: the next workflow steps of one item (with the step's time on the
display zone's clock, empty meaning now) and new orders and cases."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.display_values import vocab
from components.i18n import t
from components.orders_view import CASE, ORDER, fmt_time
from geo import clock
from geo import workflow as wf


# ---------------------------------------------------------------- forms
def _when(key: str, earliest, latest) -> tuple[object, object]:
    """Date and time of a step on the display zone's clock; both empty means "now" (no default
    value to go stale: the keys carry the item's version, so each step starts empty)."""
    day, clock_col = st.columns(2)
    zone = clock.zone_name()
    low, high = clock.to_local(earliest) if earliest is not None else None, clock.to_local(latest)
    date = day.date_input(t("orders_time.when", zone=zone), value=None, key=f"{key}_date",
                          min_value=low.date() if low is not None else None,
                          max_value=high.date(), format="YYYY-MM-DD")
    time = clock_col.time_input(t("orders_time.when_time"), value=None, step=60,
                                key=f"{key}_time")
    return date, time


def step_time(date, time) -> pd.Timestamp | None:
    """The chosen step time as naive UTC; None (now) when both are empty; ValueError (zh | en)
    when only one is given."""
    if date is None and time is None:
        return None
    if date is None or time is None:
        raise ValueError(t("orders_time.both", lang="zh") + " | " + t("orders_time.both", lang="en"))
    return clock.from_local(pd.Timestamp.combine(date, time))


def _satisfaction(key: str):
    choice = st.radio(t("orders.act.satisfied"), ["unknown", "yes", "no"], horizontal=True,
                      format_func=lambda c: t(f"orders.act.sat.{c}"), key=key)
    return {"unknown": None, "yes": True, "no": False}[choice]


def action_form(kind: str, item: dict, options: dict, previous, now) -> tuple[str, dict] | None:
    """Buttons for the valid next steps only, with the inputs they need; returns the chosen
    (action, parameters) on submit; ``at`` None means now (stamped by geo.workflow).
    ``options``: alliances, teams, members, stations as {id: label}; ``previous`` the time of
    the item's latest step and ``now`` the business clock (bounds of the date picker)."""
    layer = wf.ORDERS if kind == ORDER else wf.CASES
    actions = wf.next_actions(layer, item)
    if not actions:
        st.info(t("orders.act.none"))
        return None

    def pick(label_key, choices, key, default=None):
        ids = [None, *choices]
        return st.selectbox(t(label_key), ids, key=key,
                            index=ids.index(default) if default in ids else 0,
                            format_func=lambda i: choices.get(i, t("orders.act.none_selected")))

    params: dict = {}
    with st.form("orders_act"):
        st.markdown(f"**{t('orders.act.title')}**")
        st.caption(t("orders_time.when_help", previous=fmt_time(previous), zone=clock.zone_name()))
        when = _when(f"orders_act_at_{item['id']}_{item['version']}", previous,
                     max(now, previous) if previous is not None else now)
        if "dispatch" in actions:
            params["party_alliance_id"] = pick("orders.act.alliance", options["alliances"],
                                               "orders_act_alliance",
                                               item.get("party_alliance_hint"))
            params["volunteer_team_id"] = pick("orders.act.team", options["teams"],
                                               "orders_act_team")
        if "take" in actions:
            params["member_id"] = pick("orders.act.member", options["members"],
                                       "orders_act_member")
        if "rate" in actions:
            params["rating"] = st.slider(t("orders.act.rating"), 1, 5, 5, key="orders_act_rating")
        if "accept" in actions or "escalate" in actions:
            params["joint_duty_station_id"] = pick("orders.act.station", options["stations"],
                                                   "orders_act_station")
        if kind == CASE:
            params["reason"] = st.text_input(t("orders.act.reason"), key="orders_act_reason")
        if {"close", "record_satisfaction"} & set(actions):
            params["satisfied"] = _satisfaction("orders_act_satisfied")
        buttons = st.columns(len(actions))
        chosen = [a for col, a in zip(buttons, actions) if col.form_submit_button(
            t(f"orders.action.{a}"), key=f"orders_do_{a}",
            type="primary" if a == actions[0] else "secondary")]
    if not chosen:
        return None
    action = chosen[0]
    wanted = {"dispatch": ("party_alliance_id", "volunteer_team_id"), "take": ("member_id",),
              "rate": ("rating",), "accept": ("joint_duty_station_id",),
              "escalate": ("reason", "joint_duty_station_id"), "close": ("satisfied", "reason"),
              "record_satisfaction": ("satisfied",)}.get(action, ())
    chosen_params = {k: params.get(k) for k in wanted}
    if action == "close":
        chosen_params["note"] = chosen_params.pop("reason") or None
    return action, {"when": when, **chosen_params}


def new_order_form(compounds: dict) -> dict | None:
    """The new order's fields on submit (its time: now, stamped by geo.workflow)."""
    with st.form("orders_new_order", clear_on_submit=True):
        st.markdown(f"**{t('orders.new.order')}**")
        values = {
            "category": st.selectbox(t("orders.new.category"), wf.ORDER_CATEGORIES,
                                     format_func=vocab, key="orders_new_order_category"),
            "compound_id": st.selectbox(t("orders.new.compound"), list(compounds),
                                        format_func=compounds.get, key="orders_new_order_compound"),
            "requester_name": st.text_input(t("orders.new.requester_name"),
                                            key="orders_new_order_name"),
            "requester_phone": st.text_input(t("orders.new.requester_phone"),
                                             key="orders_new_order_phone"),
            "text": st.text_area(t("orders.new.text"), key="orders_new_order_text", height=80),
        }
        submitted = st.form_submit_button(t("orders.new.submit_order"), type="primary",
                                          key="orders_new_order_submit")
    return values if submitted else None


def new_case_form(compounds: dict) -> dict | None:
    """The new case's fields on submit (its time: now, stamped by geo.workflow)."""
    with st.form("orders_new_case", clear_on_submit=True):
        st.markdown(f"**{t('orders.new.case')}**")
        values = {
            "category": st.selectbox(t("orders.new.category"), wf.CASE_CATEGORIES,
                                     format_func=vocab, key="orders_new_case_category"),
            "source": st.selectbox(t("orders.new.source"), wf.CASE_SOURCES,
                                   format_func=lambda s: t(f"orders.source.{s}"),
                                   key="orders_new_case_source"),
            "compound_id": st.selectbox(t("orders.new.compound"), list(compounds),
                                        format_func=compounds.get, key="orders_new_case_compound"),
            "text": st.text_area(t("orders.new.text"), key="orders_new_case_text", height=80),
            "hard_problem": st.checkbox(t("orders.new.hard"), key="orders_new_case_hard"),
        }
        submitted = st.form_submit_button(t("orders.new.submit_case"), type="primary",
                                          key="orders_new_case_submit")
    return values if submitted else None
