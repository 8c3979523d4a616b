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
from components.display_values import vocab
from components.i18n import fmt_int, get_lang, t
from components.map_controls import add_metric_scale
from components.map_layers import ClusterAssets
from components.network_map import MAX_ZOOM, MIN_ZOOM
from components.offline import lean_map
from geo import clock
from geo import workflow as wf
from geo.masking import escape_html

ORDER, CASE = "order", "case"
AGE_BUCKETS = (("lt1d", 24.0, "#2e7d32"), ("d1_3", 72.0, "#f9a825"),
               ("d3_7", 168.0, "#ef6c00"), ("gt7d", np.inf, "#c62828"))
STREET_LINE = "#616161"
QUEUE_COLUMNS = ("kind", "id", "category", "status", "level", "compound", "street", "started",
                 "age_hours", "age")


def fmt_time(value) -> str:
    """A stored (UTC) time on the display zone's clock."""
    if value is None or pd.isna(value):
        return "-"
    ts = clock.to_local(value)
    if get_lang() == "zh":
        return f"{ts.year}年{ts.month}月{ts.day}日 {ts:%H:%M}"
    return ts.strftime("%Y-%m-%d %H:%M")


def zone_caption() -> str:
    return t("orders_time.zone", zone=clock.zone_name())


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
            "kind": kind, "id": frame["id"], "category": frame["category"].map(vocab),
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
    queue["age_hours"] = clock.age_hours(queue["started"], now)
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


def open_items_map(queue: pd.DataFrame, compounds, streets) -> tuple[folium.Map,
                                                                     folium.FeatureGroup]:
    """(map, items): the street outlines over the area's compounds, and the open orders and
    cases as one clustered feature group. The map's script holds no item, so a new or closed
    item redraws the group in the open map (its zoom kept) instead of re-creating the map."""
    offline.use_local_assets()  # Leaflet and the cluster plugin from the app, not a CDN
    fmap = add_metric_scale(folium.Map(tiles=None, prefer_canvas=True))  # metres only
    # no tile layer: the map itself needs a maxZoom (folium hands max_zoom to the tiles only),
    # or the cluster layer throws "Map has no maxZoom specified" and nothing is drawn
    fmap.options.update(max_zoom=MAX_ZOOM, min_zoom=MIN_ZOOM)
    lean_map(fmap)
    ClusterAssets().add_to(fmap)
    if len(streets):
        folium.GeoJson(streets[["name", "geometry"]], name="streets", interactive=False,
                       style_function=lambda _: {"color": STREET_LINE, "weight": 2,
                                                 "fill": False}).add_to(fmap)
    if len(compounds):
        bounds = compounds.total_bounds
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    items = folium.FeatureGroup(name=t("orders.map.layer"))
    FastMarkerCluster(map_points(queue, compounds), callback=_CALLBACK).add_to(items)
    return fmap, items


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


def show_charts(by_area: pd.DataFrame, by_compound: pd.DataFrame, trend: pd.DataFrame,
                area: str = "street") -> None:
    """Charts per street (per county when ``area`` is "district"), the trend and compounds."""
    streets = by_area.set_index("name")
    left, right = st.columns(2)
    left.caption(t(f"orders.chart.{area}"))
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
    fields = [("category", vocab(item.get("category"))),
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
