"""Cached inputs of the overview and compound pages, keyed on the store's revision."""

from __future__ import annotations

import streamlit as st

from components.data import get_store, load_layers
from components.map_payloads import MapData, prepare
from geo import kpis, network

MAP_LAYERS = ("districts", "counties", "streets", "communities", "grids", "compounds",
              "property_firms", "party_branches", "disclosures", "service_positions",
              "joint_duty_stations", "members")


def _revision() -> str:
    return get_store().revision()


@st.cache_resource(show_spinner=False, max_entries=4)
def _map_data(url: str, revision: str) -> MapData:
    return prepare(revision, load_layers(*MAP_LAYERS))


def map_data() -> MapData:
    store = get_store()
    return _map_data(store.url, store.revision())


@st.cache_resource(show_spinner=False, max_entries=4)
def _index(url: str, revision: str):
    frames = load_layers("compounds", "service_positions", "streets")
    return network.search_index(frames["compounds"], frames["service_positions"],
                                frames["streets"])


def search_index():
    store = get_store()
    return _index(store.url, store.revision())


@st.cache_data(show_spinner=False, max_entries=4)
def _headline(url: str, revision: str) -> tuple[dict, dict | None]:
    names = ("compounds", "party_branches", "grids", "members", "service_positions", "events",
             "disclosures")
    figures = network.headline_figures(load_layers(*names))
    frames = load_layers(*[n for n in kpis.KPI_LAYERS if n != "meta"])
    frames["meta"] = load_layers("meta")["meta"]
    try:
        return figures, kpis.compute_kpis(frames)
    except (KeyError, ValueError):  # outcome records missing: show the network figures only
        return figures, None


def headline():
    store = get_store()
    return _headline(store.url, store.revision())


@st.cache_resource(show_spinner=False, max_entries=32)
def _compound(url: str, revision: str, compound_id: str):
    detail = get_store().load_compound(compound_id)
    data = map_data()
    members = load_layers("members")["members"]
    summary = network.compound_summary(detail, data.grids, members, data.positions)
    names = {"street": _name(data.streets, detail.compound.get("street_id")),
             "community": _name(data.communities, detail.compound.get("community_id"))}
    return detail, summary, names


def _name(frame, key) -> str:
    hit = frame.loc[frame["id"] == key, "name"]
    return str(hit.iloc[0]) if len(hit) else "—"


def compound(compound_id: str):
    """(CompoundDetail, summary, names) or raises geo.store.NotFoundError."""
    store = get_store()
    return _compound(store.url, store.revision(), compound_id)
