"""Cached inputs of the overview and compound pages: the map's data and a compound's keyed on
the store's revision (the map's layer files are named by it), the rest on the revision that
last changed the layers each is made of (``components.data.layers_key``)."""

from __future__ import annotations

import streamlit as st

from components.data import (
    _raw_layer_at,
    get_store,
    layers_key,
    scoped_revision,
    session_layers_key,
    session_scope,
    split_revision,
    units_at,
)
from components.map_payloads import PAYLOAD_LAYERS, MapData, prepare
from components.revision_cache import cached_by_revision
from geo import kpis, network, unit_figures
from geo.store.compound_detail import compound_detail

MAP_LAYERS = ("districts", "counties", "streets", "communities", "grids", "compounds",
              "property_firms", "party_branches", "disclosures", "service_positions",
              "joint_duty_stations", "members")
INDEX_LAYERS = ("compounds", "service_positions", "streets")
HEADLINE_LAYERS = ("compounds", "party_branches", "grids", "members", "service_positions",
                   "events", "disclosures")
UNIT_SHAPE_TOLERANCE_M = 200.0  # a county on a province or city map: 200 m is under a pixel


def _revision() -> str:
    """The store's revision marked with the session's unit (see components.data)."""
    return scoped_revision(get_store().revision())


def _layers(url: str, revision: str, *names: str) -> dict:
    return {n: _raw_layer_at(url, revision, n) for n in names}


@st.cache_resource(show_spinner=False, max_entries=4)
def _map_data(url: str, revision: str) -> MapData:
    base, unit = split_revision(revision)
    keys = {name: layers_key(url, revision, layers)  # read before the layers: never newer
            for name, layers in PAYLOAD_LAYERS.items()}
    return prepare(base, _layers(url, revision, *MAP_LAYERS), unit=unit, layer_keys=keys)


def map_data() -> MapData:
    store = get_store()
    return _map_data(store.url, _revision())


def map_data_at(revision: str, unit: str = "") -> MapData:
    """The map data of ``unit`` at the store's ``revision``, outside a page's run (the layer
    route writing a missing file): the same cache entry as the page's ``map_data``."""
    store = get_store()
    return _map_data(store.url, scoped_revision(revision, unit))


@st.cache_resource(show_spinner=False, max_entries=4)
def _index(url: str, key: str):
    frames = _layers(url, key, *INDEX_LAYERS)
    return network.search_index(frames["compounds"], frames["service_positions"],
                                frames["streets"])


def search_index():
    store = get_store()
    return _index(store.url, session_layers_key(INDEX_LAYERS))


@st.cache_data(show_spinner=False, max_entries=4)
def _headline(url: str, key: str) -> tuple[dict, dict | None]:
    figures = network.headline_figures(_layers(url, key, *HEADLINE_LAYERS))
    frames = _layers(url, key, *kpis.KPI_LAYERS)
    try:
        return figures, kpis.compute_kpis(frames)
    except (KeyError, ValueError):  # outcome records missing: show the network figures only
        return figures, None


def headline(scope: str | None = None):
    """The headline figures of the session's unit (of ``scope``: "@<unit>", "" the store)."""
    store = get_store()
    scope = session_scope() if scope is None else scope
    return _headline(store.url, layers_key(store.url, scope, (*HEADLINE_LAYERS, *kpis.KPI_LAYERS)))


def _cached_rows(url: str):
    """``load(name, where)`` over the cached layers of the whole store (as Store.load would
    read them): a compound's panel without a query per layer (issue #27)."""
    def load(name: str, where: dict):
        frame = _raw_layer_at(url, "", name)
        for column, value in where.items():
            frame = frame[frame[column] == value] if column in frame.columns else frame.iloc[:0]
        return frame.reset_index(drop=True)
    return load


@cached_by_revision(max_entries=32)
def _compound(url: str, revision: str, compound_id: str):
    detail = compound_detail(compound_id, _cached_rows(url))
    data = map_data()
    members = _raw_layer_at(url, revision, "members")
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
    return _compound(store.url, _revision(), compound_id)


@st.cache_resource(show_spinner=False, max_entries=4)
def _unit_counts(url: str, key: str):
    return unit_figures.district_counts(_layers(url, "", *unit_figures.FIGURE_LAYERS))


def unit_counts():
    """Each district's counts (geo.unit_figures), over the whole store (every unit)."""
    store = get_store()
    return _unit_counts(store.url, layers_key(store.url, "", unit_figures.FIGURE_LAYERS))


@st.cache_resource(show_spinner=False, max_entries=32)
def _unit_shapes(url: str, key: str, codes: tuple[str, ...]):
    districts = _raw_layer_at(url, "", "districts")
    return unit_figures.unit_shapes(districts, list(units_at(url)), codes,
                                    tolerance_m=UNIT_SHAPE_TOLERANCE_M)


def unit_shapes(codes) -> object:
    """The outlines of the units ``codes`` (merged districts, simplified for drawing)."""
    store = get_store()
    return _unit_shapes(store.url, store.layer_revision(("districts",)), tuple(codes))
