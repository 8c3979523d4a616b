"""Position planner (阵地规划): coverage of the compounds by service positions, candidates
dropped on the map, optimiser suggestions, scenarios saved, compared, exported, promoted."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from components import planner_map
from components.context import page_context
from components.display_values import label, scenario_excel_labels
from components.exports import audited_download
from components.i18n import fmt_int, fmt_pct, t
from components.map_controls import draw_map
from components.session import localized
from geo import auth, siting
from geo import coverage as cov
from geo import scenarios as sc
from geo.schema import TIERS

K_CANDS, K_NEXT, K_CLICK, K_SAVED = "planner_cands", "planner_next", "planner_click", "planner_saved"
K_PICK, K_RADIUS, K_METRES = "planner_pick", "planner_radius", "planner_metres"
K_DEMAND = "planner_demand"
NEW = "__new__"
FIGURE_LAYERS = ("compounds", "grids", "service_positions", "roads")  # what figures() reads
PRESETS = [*cov.RADIUS_PRESETS, "custom"]


@st.cache_data(show_spinner=False, max_entries=32)
def figures(url, revision, demand, radius, tiers, planned, cands_json, removed):
    data = ctx.layers(*FIGURE_LAYERS)
    scenario = sc.Scenario("", radius, json.loads(cands_json), list(removed), list(tiers) or None,
                           planned, demand)
    result = sc.evaluate(scenario, data["compounds"], data["service_positions"], data["roads"],
                         data["grids"])
    kept = data["service_positions"][~data["service_positions"]["id"].isin(removed)]
    supply = cov.supply_points(kept, scenario.tiers, planned, scenario.candidate_frame())
    return result, cov.demand_points(data[demand], demand), supply


def tu(key: str, **values) -> str:
    """Text whose wording follows the demand: households of compounds, or residents of grids."""
    return t(planner_map.demand_key(key, st.session_state.get(K_DEMAND)), **values)


def metres(value) -> str:
    return "-" if value is None or pd.isna(value) or value == float("inf") else f"{value:,.0f}"


def add_candidate(lon, lat, **fields) -> str:
    n = st.session_state.get(K_NEXT, 1)
    st.session_state[K_NEXT] = n + 1
    cand = {"id": f"X{n}", "name": t("planner.candidate.default_name", n=n), "tier": "point",
            "lon": lon, "lat": lat, **fields}
    st.session_state[K_CANDS] = [*st.session_state.get(K_CANDS, []), cand]
    return cand["id"]


def load_scenario(scenario: sc.Scenario) -> None:
    st.session_state[K_CANDS] = [dict(c) for c in scenario.candidates]
    preset = next((k for k, v in cov.RADIUS_PRESETS.items() if v == scenario.radius_m), "custom")
    st.session_state.update({K_RADIUS: preset, K_METRES: float(scenario.radius_m),
                             K_DEMAND: scenario.demand,
                             "planner_tiers": scenario.tiers or [],
                             "planner_planned": scenario.include_planned,
                             "planner_removed": scenario.removed, K_PICK: NEW})


ctx = page_context()
principal = ctx.principal
store = ctx.store
layers = ctx.layers("compounds", "grids", "service_positions", "roads", "streets", "districts",
                     "scenarios")
positions = layers["service_positions"]
candidates = st.session_state.setdefault(K_CANDS, [])
st.session_state.setdefault(K_RADIUS, "walk_10")
st.session_state.setdefault(K_METRES, 800.0)
st.session_state.setdefault(K_DEMAND, cov.DEMAND_COMPOUNDS)

st.title(t("planner.title"))
st.caption(t("planner.caption"))
controls = st.columns([2, 1, 3, 2, 2])
demand_kind = controls[4].selectbox(t("planner.demand"), list(cov.DEMAND_WEIGHT), key=K_DEMAND,
                                    format_func=lambda d: t(f"planner.demand.{d}"))
preset = controls[0].selectbox(t("planner.radius"), PRESETS, key=K_RADIUS,
                               format_func=lambda p: t(f"planner.radius.{p}"))
radius = cov.RADIUS_PRESETS.get(preset) or controls[1].number_input(
    t("planner.radius.metres"), min_value=50.0, max_value=5000.0, step=50.0, key=K_METRES)
tiers = controls[2].multiselect(t("planner.tiers"), TIERS, key="planner_tiers",
                                placeholder=t("planner.tiers.all"), select_all=False,
                                format_func=lambda x: t(f"planner.tier.{x}"))
planned = controls[3].toggle(t("planner.include_planned"), key="planner_planned")
existing = positions[positions["status"] == cov.STATUS_EXISTING]
removed = st.multiselect(t("planner.remove"), list(existing["id"]), key="planner_removed",
                         placeholder=t("planner.remove.none"), select_all=False,
                         format_func=dict(zip(existing["id"], existing["name"])).get)

args = (store.url, ctx.revision_of(*FIGURE_LAYERS), demand_kind, float(radius), tuple(tiers), planned)
today, _, _ = figures(*args, "[]", ())
result, demand, supply = figures(*args, json.dumps(candidates, sort_keys=True), tuple(removed))
cards = st.columns(5)
delta = result.covered_households - today.covered_households
cards[0].metric(tu("planner.card.covered"), fmt_int(result.covered_households),
                delta=f"{delta:+,}" if delta else None)
cards[1].metric(t("planner.card.share"), fmt_pct(100 * result.share_covered))
cards[2].metric(tu("planner.card.uncovered"), fmt_int(len(result.uncovered_compounds)))
for col, key, value in ((cards[3], "mean", result.mean_distance_m),
                        (cards[4], "p90", result.p90_distance_m)):
    col.metric(tu(f"planner.card.{key}"), f"{metres(value)} m")
st.caption(tu("planner.kind_note", kind=t(f"planner.kind.{result.distance_kind}"),
             total=fmt_int(result.households_total)))
wide = cov.is_wide(len(demand), len(demand) + len(supply))  # default candidates: every point
if wide:
    st.caption(t("planner.wide_note", points=fmt_int(len(demand))))

left, right = st.columns([3, 2])
with left:
    fmap = planner_map.planner_map(result, demand, supply,
                                   [layers["districts"], layers["streets"]], uncovered_only=wide)
    event = draw_map(fmap, height=520, width=None, key="planner_map",
                      returned_objects=["last_clicked"])
    st.caption(tu("planner.map.click"))
    point = planner_map.clicked_point(event)
    if point and point != st.session_state.get(K_CLICK):
        st.session_state[K_CLICK] = point
        st.session_state[K_PICK] = add_candidate(*point)
        st.rerun()

with right:
    st.subheader(t("planner.candidates"))
    by_id = {c["id"]: c for c in candidates}
    if st.session_state.get(K_PICK) not in (NEW, *by_id):
        st.session_state[K_PICK] = NEW
    pick = st.selectbox(t("planner.candidate.pick"), [NEW, *by_id], key=K_PICK,
                        format_func=lambda i: t("planner.candidate.add") if i == NEW
                        else f"{by_id[i]['name']} ({i})")
    minx, miny, maxx, maxy = demand.to_crs("EPSG:4326").total_bounds if len(demand) else (
        121.26, 28.65, 121.26, 28.65)
    chosen = by_id.get(pick, {"name": "", "tier": "point", "lon": round((minx + maxx) / 2, 6),
                              "lat": round((miny + maxy) / 2, 6)})
    with st.form(f"planner_edit_{pick}"):
        name = st.text_input(t("planner.candidate.name"), chosen["name"])
        tier = st.selectbox(t("planner.candidate.tier"), TIERS, index=TIERS.index(chosen["tier"]),
                            format_func=lambda x: t(f"planner.tier.{x}"))
        lon = st.number_input(t("planner.candidate.lon"), value=float(chosen["lon"]),
                              format="%.6f", step=0.0005)
        lat = st.number_input(t("planner.candidate.lat"), value=float(chosen["lat"]),
                              format="%.6f", step=0.0005)
        buttons = st.columns(2)
        if buttons[0].form_submit_button(t("planner.candidate.save"), type="primary"):
            if pick == NEW:
                add_candidate(lon, lat, **({"name": name} if name else {}), tier=tier)
            else:
                by_id[pick].update(name=name or pick, tier=tier, lon=lon, lat=lat)
            st.rerun()
        if buttons[1].form_submit_button(t("planner.candidate.delete"), disabled=pick == NEW):
            st.session_state[K_CANDS] = [c for c in candidates if c["id"] != pick]
            st.rerun()
    if candidates:
        shown_candidates = pd.DataFrame(candidates).assign(
            tier=lambda f: f["tier"].map(lambda x: label("planner.tier.", x)))
        st.dataframe(shown_candidates.rename(columns=lambda c: t(f"planner.col.{c}")),
                     hide_index=True, height=160)
        st.caption(tu("planner.gain", households=fmt_int(delta)))
    else:
        st.caption(t("planner.candidates.none"))

    st.subheader(t("planner.suggest"))
    mode = st.radio(t("planner.suggest.mode"), ["k", "share"], horizontal=True,
                    format_func=lambda m: t(f"planner.suggest.mode.{m}"), key="planner_mode")
    amount = (st.number_input(t("planner.suggest.k"), 1, 20, 3, key="planner_k") if mode == "k"
              else st.slider(t("planner.suggest.share"), 50, 100, 90, key="planner_share"))
    if st.button(t("planner.suggest.run"), key="planner_suggest"):
        with st.status(t("planner.suggest.running"), expanded=False) as status:
            kept = positions[~positions["id"].isin(removed)]
            common = {"radius": float(radius), "tiers": tiers or None, "include_planned": planned,
                      "roads": layers["roads"], "fixed": siting.candidates_from_points(candidates),
                      "demand": demand_kind}
            found = (siting.suggest_positions(layers[demand_kind], kept, int(amount), **common)
                     if mode == "k" else siting.fewest_positions(
                         layers[demand_kind], kept, amount / 100, **common))
            status.update(label=t("planner.suggest.done"), state="complete")
        for row in found.chosen.to_dict(orient="records"):
            add_candidate(row["lon"], row["lat"], name=row["name"], tier=row["tier"])
        st.session_state["planner_report"] = found.to_dict()
        st.rerun()
    if report := st.session_state.get("planner_report"):
        st.info(tu("planner.suggest.report", after=fmt_int(report["covered_after"]),
                  before=fmt_int(report["covered_before"]),
                  greedy=fmt_int(report["greedy_after"]),
                  status=label("polish.solver.", report["solver_status"]),
                  seconds=f"{report['seconds']:.2f}"))
        if report["solver_status"] == "Infeasible":
            st.warning(t("planner.suggest.infeasible"))

st.subheader(t("planner.scenarios"))
session_saved = st.session_state.setdefault(K_SAVED, {})
saved = {s.id: s for s in sc.scenarios_from_frame(layers["scenarios"])} | session_saved
save_row = st.columns([3, 1])
names = [t("planner.scenario.baseline"), *(s.name for s in saved.values())]
default_name = sc.free_default_name(lambda n: t("planner.scenario.default_name", n=n), names)
scenario_name = save_row[0].text_input(
    t("planner.scenario.name"), key="planner_scenario_name", placeholder=default_name)
if save_row[1].button(t("planner.scenario.save"), key="planner_save", type="primary"):
    try:
        scenario = sc.Scenario(sc.check_new_name(scenario_name or default_name, names),
                               float(radius), [dict(c) for c in candidates], list(removed),
                               list(tiers) or None, planned, demand_kind)
        if auth.allowed(principal, sc.ACTION_SAVE):
            sc.save_scenario(store, scenario, principal)
        else:
            scenario.id = sc.new_id("session")
            st.session_state["planner_note"] = t("planner.scenario.session_only")
    except sc.ScenarioNameTaken as taken:
        st.error(t("planner.scenario.duplicate", name=taken.name))
    else:
        session_saved[scenario.id] = scenario
        st.session_state["planner_note_saved"] = t("planner.scenario.saved", name=scenario.name)
        st.rerun()
for key in ("planner_note_saved", "planner_note"):
    if note := st.session_state.pop(key, None):
        st.info(note)

if not saved:
    st.caption(t("planner.scenario.none"))
else:
    table = sc.compare(list(saved.values()), layers["compounds"], positions, layers["roads"],
                       baseline_name=t("planner.scenario.baseline"), baseline_radius=radius,
                       grids=layers["grids"], baseline_demand=demand_kind)
    shown = table.assign(share_covered=(100 * table["share_covered"]).round(1))
    st.table(shown.assign(
        demand=shown["demand"].map(lambda d: t(f"planner.demand.{d}")),
        covered_households=shown["covered_households"].map(fmt_int),
        households_total=shown["households_total"].map(fmt_int),
        share_covered=shown["share_covered"].map(fmt_pct),
        **{c: shown[c].map(metres) for c in ("radius_m", "mean_distance_m", "p90_distance_m")},
    ).rename(columns=lambda c: t(f"planner.col.{c}")).set_index(t("planner.col.scenario")))
    charts = st.columns(2)
    by_name = shown.set_index("scenario")
    charts[0].caption(t("planner.chart.share"))
    charts[0].bar_chart(by_name[["share_covered"]].rename(columns=lambda c: t(f"planner.col.{c}")),
                        height=240, sort=False)
    charts[1].caption(t("planner.chart.distance"))
    charts[1].bar_chart(by_name[["mean_distance_m", "p90_distance_m"]].rename(
        columns=lambda c: t(f"planner.col.{c}")), stack=False, height=240, sort=False)

    actions = st.columns(4)
    sid = actions[0].selectbox(t("planner.scenario.pick"), list(saved), key="planner_pick_saved",
                               format_func=lambda i: saved[i].name, label_visibility="collapsed")
    scenario = saved[sid]
    actions[0].button(t("planner.scenario.load"), key="planner_load", on_click=load_scenario,
                      args=(scenario,))
    audited_download(actions[1], t("planner.scenario.geojson"), sc.to_geojson(scenario),
                     f"{scenario.name}.geojson", what="scenarios", masked=True,
                     principal=principal, key="planner_geojson", mime="application/geo+json")
    evaluated = sc.evaluate(scenario, layers["compounds"], positions, layers["roads"],
                            layers["grids"])
    audited_download(actions[2], t("planner.scenario.excel"),
                     sc.to_excel(scenario, evaluated, **scenario_excel_labels()),
                     f"{scenario.name}.xlsx", what="scenarios", masked=True,
                     principal=principal, key="planner_excel")
    may_promote = auth.allowed(principal, sc.ACTION_PROMOTE)
    done = sc.promoted_already(scenario, positions)  # promotion writes each spot once
    confirmed = actions[3].checkbox(
        t("planned.confirm", name=scenario.name, n=fmt_int(len(scenario.candidates))),
        key=f"planner_promote_confirm_{sid}",
        disabled=not (may_promote and scenario.candidates) or done == len(scenario.candidates))
    if done and done == len(scenario.candidates):
        actions[3].caption(t("planned.already", name=scenario.name, n=fmt_int(done)))
    if actions[3].button(t("planner.scenario.promote"), key="planner_promote",
                         disabled=not (may_promote and scenario.candidates and confirmed)):
        try:
            ids = sc.promote(store, scenario, principal)
            st.success(t("planner.scenario.promoted", n=len(ids)) if ids else
                       t("planned.already", name=scenario.name, n=fmt_int(done)))
        except auth.PermissionDenied as denied:
            st.error(t("planner.scenario.promote_refused", reason=localized(denied.message)))
