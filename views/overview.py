"""网络总览: headline figures, the network map with search and filters, compound drill-down.

The URL keeps the view (?street=..&tier=..&indicator=..&compound=..&basemap=..)."""

from urllib.parse import quote

import streamlit as st

from components import (
    basemaps,
    compound_panel,
    legend,
    network_cache,
    network_map,
    print_panel,
    units,
    units_view,
)
from components.context import page_context
from components.data_text import md
from components.headline import show_headline
from components.i18n import t
from geo import network
from geo.schema import TIERS
from geo.store import NotFoundError

ctx = page_context()
query = st.query_params
unit = units.current()
if unit is not None and len(unit.districts) > 1:  # a province or a city: the units below it
    units_view.show(unit)
    st.stop()
if unit is not None:
    units_view.breadcrumb(unit)
data = network_cache.map_data()
if data.grids.empty:
    st.info(t("map.no_data"))
    st.stop()
street_names = dict(zip(data.streets["id"], data.streets["name"]))
state = st.session_state
state.setdefault("ov_compound", query.get("compound") or None)
for key, param, default, choices in (
    ("ov_streets", "street", [], street_names), ("ov_tiers", "tier", [], TIERS),
):
    state.setdefault(key, [v for v in query.get(param, "").split(",") if v in choices] or default)
state.setdefault("ov_indicator", query.get("indicator") if query.get("indicator")
                 in network.INDICATORS else network.INDICATORS[0])
choices = basemaps.available_basemaps()
state.setdefault("ov_basemap", query.get("basemap") if query.get("basemap") in choices
                 else basemaps.OFFLINE)

if state.get("ov_basemap_next"):
    state["ov_basemap"] = state.pop("ov_basemap_next")
show_headline(*network_cache.headline())
search_col, street_col, tier_col, indicator_col, basemap_col = st.columns(
    [2.4, 2, 2, 2, 2], vertical_alignment="bottom")  # one row: the map starts high
hits = network.search(network_cache.search_index(),
                      search_col.text_input(t("map.search"), key="ov_query",
                                            placeholder=t("map.search.hint")))
center = None
if len(hits):
    kind_label = {k: t(f"map.search.kind.{k}") for k in network.SEARCH_KINDS}
    pick = search_col.selectbox(
        t("map.search.pick"), range(len(hits)), index=0, key="ov_hit",
        format_func=lambda i: f"{hits.loc[i, 'name']} · {kind_label[hits.loc[i, 'kind']]}")
    hit = hits.loc[pick]
    center = [float(hit["lat"]), float(hit["lon"])]
    if hit["kind"] == "compound" and state.get("ov_last_hit") != hit["id"]:
        state["ov_compound"] = hit["id"]
    state["ov_last_hit"] = hit["id"]
elif state.get("ov_query"):
    search_col.caption(t("map.search.none"))
street_col.multiselect(t("map.filter.street"), list(street_names), key="ov_streets",
                       format_func=street_names.get, placeholder=t("map.filter.all"),
                       select_all=False)
tier_col.multiselect(t("map.filter.tier"), list(TIERS), key="ov_tiers",
                     format_func=lambda k: t(f"map.tier.{k}"), placeholder=t("map.filter.all"),
                     select_all=False)
indicator_col.selectbox(t("map.filter.indicator"), network.INDICATORS, key="ov_indicator",
                        format_func=lambda k: t(f"map.indicator.{k}"))
basemap_col.selectbox(t("map.filter.basemap"), choices, key="ov_basemap",
                      format_func=lambda k: t(f"map.basemap.{k}"))


@st.fragment
def map_and_panel() -> None:
    """The map and the compound panel: a click on the map reruns only this part."""
    clicked, point = network_map.pending_click(state["ov_basemap"])
    if point is not None:
        clicked = network.compound_at(data.compounds, *point)
    if clicked:
        state["ov_compound"] = clicked
    selected = state["ov_compound"]
    if selected and selected not in set(data.compounds["id"]):
        selected = state["ov_compound"] = None
    view = network_map.MapView(
        basemap=state["ov_basemap"], indicator=state["ov_indicator"],
        streets=tuple(state["ov_streets"]), tiers=tuple(state["ov_tiers"]), selected=selected,
        center=center, zoom=network_map.SEARCH_ZOOM if center else None,
        mode=query.get("map_mode", network_map.SERVED))
    query.from_dict({k: v for k, v in {
        "street": ",".join(view.streets), "tier": ",".join(view.tiers),
        "indicator": view.indicator, "basemap": view.basemap, "compound": selected or "",
        "lang": query.get("lang", ""), "map_mode": query.get("map_mode", ""),
        "unit": query.get("unit", ""),
    }.items() if v})
    map_col, side_col = st.columns([3, 1.25])
    with map_col:
        network_map.render_map(data, view, height=660)
        if view.basemap != basemaps.OFFLINE:  # a blank map when the tile server is unreachable
            hint, switch = st.columns([4, 1])
            hint.caption(t("polish.map.tiles_hint"))
            if switch.button(t("polish.map.use_offline"), key="ov_use_offline"):
                state["ov_basemap_next"] = basemaps.OFFLINE  # set before the picker is drawn
                st.rerun(scope="app")
    with side_col:  # the print action beside the map, not in a row of its own above it
        print_panel.print_action("ov_print", *[print_panel.single(state["ov_streets"])] * 2,
                                 **{k: state[f"ov_{k}"] for k in ("indicator", "tiers", "basemap")})
        if selected:
            show_compound(selected)
        shown = data.compounds if not view.streets else data.compounds[
            data.compounds["street_id"].isin(set(view.streets))]  # the legend counts what is drawn
        counts = shown[view.indicator].astype(str).str.lower().value_counts().to_dict()
        counts[legend.PLANNED] = len(network.planned_positions(data.positions))  # shown apart
        with st.expander(t("map.legend.title"), expanded=not selected):
            legend.show_legend(data.classification, float(data.grids["members_per_100"].min()),
                               view.indicator, counts)


def show_compound(selected: str) -> None:
    try:
        detail, summary, names = ctx.compound(selected)
    except NotFoundError:
        st.warning(t("cp.missing", id=md(selected)))
        return
    with st.container(height=660, key="compound_panel"):
        if st.button(t("cp.close"), key="ov_close"):
            state["ov_compound"] = None
            st.rerun(scope="fragment")
        st.markdown(f"[{t('cp.full_page')} →](./compound?id={quote(str(selected), safe='')})")
        compound_panel.show_panel(detail, summary, names)


map_and_panel()
