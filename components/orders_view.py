"""Orders and cases on screen: the work queue, the map layer of open items (ONE clustered
layer at the compounds' representative points, coloured by age), KPI cards, charts and the
timeline of one item."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
import streamlit as st
from folium.plugins import FastMarkerCluster

from components import offline
from components.i18n import fmt_int, get_lang, t
from components.offline import lean_map
from geo import workflow as wf
from geo.masking import escape_html

ORDER, CASE = "order", "case"
AGE_BUCKETS = (("lt1d", 24.0, "#2e7d32"), ("d1_3", 72.0, "#f9a825"),
               ("d3_7", 168.0, "#ef6c00"), ("gt7d", np.inf, "#c62828"))
STREET_LINE = "#616161"
QUEUE_COLUMNS = ("kind", "id", "category", "status", "level", "compound", "street", "started",
                 "age_hours", "age")


def fmt_time(value) -> str:
    if value is None or pd.isna(value):
        return "-"
    ts = pd.Timestamp(value)
    if get_lang() == "zh":
        return f"{ts.year}年{ts.month}月{ts.day}日 {ts:%H:%M}"
    return ts.strftime("%Y-%m-%d %H:%M")


def clock(meta: pd.DataFrame) -> pd.Timestamp:
    """The page's "now": real time, but on the sample's as-of day for a sample store."""
    now = pd.Timestamp.now().floor("min")
    values = dict(zip(meta["key"], meta["value"])) if len(meta) else {}
    if values.get("is_sample") == "true" and values.get("as_of"):
        return pd.Timestamp(values["as_of"]).normalize() + (now - now.normalize())
    return now


def age_bucket(hours: float) -> str:
    return next(key for key, limit, _ in AGE_BUCKETS if hours < limit)


# ---------------------------------------------------------------- the queue
def queue_frame(orders: pd.DataFrame, cases: pd.DataFrame, compounds: pd.DataFrame,
                streets: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Orders and cases in one table: kind, status, compound, street, start and age."""
    names = dict(zip(compounds["id"], compounds["name"]))
    street_of = dict(zip(compounds["id"], compounds["street_id"]))
    street_names = dict(zip(streets["id"], streets["name"]))
    parts = []
    for kind, frame, start, open_states in ((ORDER, orders, "created_at", wf.ORDER_OPEN),
                                            (CASE, cases, "reported_at", wf.CASE_OPEN)):
        part = pd.DataFrame({
            "kind": kind, "id": frame["id"], "category": frame["category"],
            "status": frame["status"],
            "level": frame.get("level", None),
            "compound_id": frame["compound_id"], "grid_id": frame["grid_id"],
            "started": frame[start], "open": frame["status"].isin(open_states),
            "version": frame["version"],
        })
        parts.append(part)
    queue = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    queue["compound"] = queue["compound_id"].map(names)
    queue["street_id"] = queue["compound_id"].map(street_of)
    queue["street"] = queue["street_id"].map(street_names)
    queue["age_hours"] = ((now - queue["started"]).dt.total_seconds() / 3600).round(1)
    queue["age"] = queue["age_hours"].map(lambda h: age_bucket(h) if pd.notna(h) else None)
    return queue.sort_values(["open", "started"], ascending=[False, False]).reset_index(drop=True)


def labelled_queue(queue: pd.DataFrame) -> pd.DataFrame:
    """The queue as shown: translated labels and column names."""
    shown = queue[list(QUEUE_COLUMNS)].copy()
    shown["kind"] = shown["kind"].map(lambda k: t(f"orders.type.{k}"))
    shown["status"] = shown["status"].map(lambda s: t(f"orders.status.{s}"))
    shown["level"] = shown["level"].map(lambda lv: t(f"orders.level.{lv}") if lv else "")
    shown["started"] = shown["started"].map(fmt_time)
    shown["age"] = shown["age"].map(lambda a: t(f"orders.age.{a}") if a else "")
    return shown.rename(columns=lambda c: t(f"orders.col.{c}"))


# ---------------------------------------------------------------- the map
_CALLBACK = """function (row) {
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]),
        {radius: row[4] == 'case' ? 9 : 7, color: row[3], fillColor: row[3], fillOpacity: 0.8,
         weight: row[4] == 'case' ? 3 : 1});
    marker.bindPopup(row[2]);
    return marker;
}"""


def map_points(queue: pd.DataFrame, compounds) -> list[list]:
    """[lat, lon, popup html, colour, kind] of every open item at its compound's point."""
    points = compounds.set_index("id").geometry.representative_point()
    colours = {key: colour for key, _, colour in AGE_BUCKETS}
    rows = []
    for item in queue[queue["open"]].itertuples(index=False):
        point = points.get(item.compound_id)
        if point is None:
            continue
        popup = (f"<b>{escape_html(t(f'orders.type.{item.kind}'))} {escape_html(item.id)}</b>"
                 f"<br>{escape_html(item.category)} · {escape_html(t(f'orders.status.{item.status}'))}"
                 f"<br>{escape_html(item.compound)} · {escape_html(t(f'orders.age.{item.age}'))}")
        rows.append([round(point.y, 6), round(point.x, 6), popup, colours[item.age], item.kind])
    return rows


def open_items_map(queue: pd.DataFrame, compounds, streets) -> folium.Map:
    """Open orders and cases as one clustered layer over the street outlines."""
    offline.use_local_assets()  # Leaflet and the cluster plugin from the app, not a CDN
    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    lean_map(fmap)
    if len(streets):
        folium.GeoJson(streets[["name", "geometry"]], name="streets", interactive=False,
                       style_function=lambda _: {"color": STREET_LINE, "weight": 2,
                                                 "fill": False}).add_to(fmap)
    FastMarkerCluster(map_points(queue, compounds), callback=_CALLBACK,
                      name=t("orders.map.layer")).add_to(fmap)
    shown = compounds[compounds["id"].isin(queue.loc[queue["open"], "compound_id"])]
    bounds = (shown if len(shown) else compounds).total_bounds
    if len(compounds):
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap


def map_legend() -> str:
    swatches = " ".join(f"<span style='color:{colour}'>●</span> {t(f'orders.age.{key}')}"
                        for key, _, colour in AGE_BUCKETS)
    return f"{swatches} · {t('orders.map.shape')}"


# ---------------------------------------------------------------- KPIs and charts
def _num(value, suffix: str = "") -> str:
    if value is None:
        return "-"
    return f"{value:,}{suffix}" if isinstance(value, int) else f"{value:,.{_digits(value)}f}{suffix}"


def _digits(value: float) -> int:
    return 2 if round(value, 1) != value else 1


def show_kpi_cards(k: dict) -> None:
    change = k["complaints_change_pct"]
    cards = [
        ("satisfaction", _num(k["satisfaction_pct"], "%"), None),
        ("complaints", _num(change, "%"), t("orders.card.complaints_help", now=fmt_int(
            k["complaints_this_period"]), before=fmt_int(k["complaints_last_period"]))),
        ("median_close", _num(k["median_close_hours"], " h"),
         t("orders.card.p90", p90=_num(k["p90_close_hours"], " h"))),
        ("within_limit", _num(k["closed_within_limit_pct"], "%"),
         t("orders.card.limit", hours=_num(k["limit_hours"]))),
        ("open", f"{k['orders_open']:,} / {k['cases_open']:,}", None),
        ("wishes", _num(k["wishes_fulfilled"]), None),
        ("meetings", _num(k["joint_meetings"]),
         t("orders.card.deliberated", n=fmt_int(k["cases_deliberated"]))),
        ("disclosure", _num(k["disclosure_pct"], "%"),
         t("orders.card.before", pct=_num(k["disclosure_before_pct"], "%"))),
    ]
    for row in (cards[:4], cards[4:]):
        for col, (key, value, help_text) in zip(st.columns(4), row):
            col.metric(t(f"orders.card.{key}"), value, help=help_text)


def _series(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return frame[columns].rename(columns=lambda c: t(f"orders.series.{c}"))


def show_charts(by_street: pd.DataFrame, by_compound: pd.DataFrame, trend: pd.DataFrame) -> None:
    streets = by_street.set_index("name")
    left, right = st.columns(2)
    left.caption(t("orders.chart.street"))
    left.bar_chart(_series(streets, ["orders", "cases"]), stack=False, height=280)
    right.caption(t("orders.chart.complaints"))
    right.bar_chart(_series(streets, ["complaints_last_period", "complaints_this_period"]),
                    stack=False, height=280)
    st.caption(t("orders.chart.trend"))
    st.line_chart(_series(trend.set_index("month"), ["orders_created", "cases_reported",
                                                     "complaints"]), height=280)
    st.caption(t("orders.chart.compound"))
    table = by_compound.drop(columns=["compound"]).sort_values("cases", ascending=False)
    st.dataframe(table.rename(columns=lambda c: t(f"orders.series.{c}")), hide_index=True,
                 height=320)


# ---------------------------------------------------------------- one item
def timeline_frame(events: pd.DataFrame) -> pd.DataFrame:
    events = events.sort_values(["at", "id"])
    return pd.DataFrame({
        t("orders.col.at"): events["at"].map(fmt_time),
        t("orders.col.step"): [
            (t(f"orders.status.{a}") + " → " if isinstance(a, str) else "")
            + t(f"orders.status.{b}") for a, b in zip(events["from_status"], events["to_status"])],
        t("orders.col.level"): events["level"].map(
            lambda lv: t(f"orders.level.{lv}") if isinstance(lv, str) else ""),
        t("orders.col.actor"): events["actor"],
        t("orders.col.note"): events["note"].fillna(""),
    })


def show_item(item: dict, kind: str, events: pd.DataFrame, names: dict) -> None:
    """Fields of one order or case (personal fields already masked) and its timeline."""
    fields = [("category", item.get("category")),
              ("status", t(f"orders.status.{item['status']}")),
              ("compound", names.get(item.get("compound_id"), item.get("compound_id"))),
              ("text", item.get("text"))]
    if kind == ORDER:
        fields += [("requester", f"{item.get('requester_name')} {item.get('requester_phone')}"),
                   ("rating", item.get("rating"))]
    else:
        fields += [("level", t(f"orders.level.{item.get('level')}")),
                   ("source", t(f"orders.source.{item.get('source')}")),
                   ("handler", t(f"orders.handler.{item.get('handler')}")),
                   ("satisfied", {True: "✔", False: "✘"}.get(item.get("satisfied"), "-"))]
    cols = st.columns(3)
    for i, (key, value) in enumerate(fields):
        cols[i % 3].markdown(f"**{t(f'orders.col.{key}')}**")
        cols[i % 3].text("-" if value is None or (isinstance(value, float) and pd.isna(value))
                         else str(value))
    st.caption(t("orders.detail.timeline"))
    st.dataframe(timeline_frame(events), hide_index=True)



# ---------------------------------------------------------------- forms
def _when(key: str, default: pd.Timestamp) -> pd.Timestamp:
    day, clock_col = st.columns(2)
    date = day.date_input(t("orders.act.at"), value=default.date(), key=f"{key}_date")
    time = clock_col.time_input(" ", value=default.time(), step=60, key=f"{key}_time")
    return pd.Timestamp.combine(date, time)


def _satisfaction(key: str):
    choice = st.radio(t("orders.act.satisfied"), ["unknown", "yes", "no"], horizontal=True,
                      format_func=lambda c: t(f"orders.act.sat.{c}"), key=key)
    return {"unknown": None, "yes": True, "no": False}[choice]


def action_form(kind: str, item: dict, options: dict, default_at) -> tuple[str, dict] | None:
    """Buttons for the valid next steps only, with the inputs they need; returns the chosen
    (action, parameters) on submit. ``options``: alliances, teams, members, stations as
    {id: label}."""
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
        at = _when("orders_act_at", default_at)
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
    return action, {"at": at, **chosen_params}


def new_order_form(compounds: dict, default_at) -> dict | None:
    with st.form("orders_new_order", clear_on_submit=True):
        st.markdown(f"**{t('orders.new.order')}**")
        values = {
            "category": st.selectbox(t("orders.new.category"), wf.ORDER_CATEGORIES,
                                     key="orders_new_order_category"),
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
    return {**values, "at": default_at} if submitted else None


def new_case_form(compounds: dict, default_at) -> dict | None:
    with st.form("orders_new_case", clear_on_submit=True):
        st.markdown(f"**{t('orders.new.case')}**")
        values = {
            "category": st.selectbox(t("orders.new.category"), wf.CASE_CATEGORIES,
                                     key="orders_new_case_category"),
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
    return {**values, "at": default_at} if submitted else None
