"""The administrative hierarchy: province -> city -> county -> street -> community -> grid.

The county-level units that run a network are the ``districts`` layer (Huangyan alone, or a
city's or a province's many); each carries its city and province (``city_adcode``,
``province_adcode``). A street belongs to a district by ``streets.district_id`` (empty: the
store's only district). Everything below a street reaches it through the schema's references
(a community's ``street_id``, a member's ``grid_id``, an order's ``compound_id``...).

A *unit* is a code: a province's, a city's or a district's adcode. :func:`units` lists them;
:func:`unit_keys` works out which rows of the anchor layers lie in a unit, and
:func:`filter_layer` cuts any layer to those rows. Pure functions on frames, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo import schema

PROVINCE, CITY, COUNTY = "province", "city", "county"
LEVELS = (PROVINCE, CITY, COUNTY)
ID, DISTRICT_ID, STREET_ID = "id", "district_id", "street_id"
CODE_FIELDS = {PROVINCE: ("province_adcode", "province"), CITY: ("city_adcode", "city"),
               COUNTY: ("adcode", "name")}
# Which reference places a row in a unit, in order of preference: the first one a layer has.
PARENT_REFS = ("street_id", "community_id", "grid_id", "compound_id", "service_position_id",
               "joint_duty_station_id", "member_id")
# Layers a unit cuts by the rows that point at them (a firm serves compounds, not a street).
REFERENCED_BY = {"property_firms": ("compounds", "property_firm_id"),
                 "party_instructors": ("compounds", "party_instructor_id")}
WORKFLOW_OBJECTS = ("service_orders", "cases")
# Layers the same in every unit: context outlines, accounts, the system's own tables.
UNSCOPED = frozenset({"counties", "roads", "meta", "accounts", "audit", "scenarios",
                      "import_log"})


@dataclass(frozen=True)
class Unit:
    code: str  # adcode of the province, city or county
    level: str  # one of LEVELS
    name: str
    parent: str | None  # the code of the unit above (None at the top)
    districts: tuple[str, ...]  # the district ids inside it

    @property
    def depth(self) -> int:
        return LEVELS.index(self.level)


def units(districts: pd.DataFrame) -> list[Unit]:
    """Every unit of ``districts``, top-down (province, its cities, their counties), sorted by
    code. A district without a city or province has no unit above it."""
    if districts.empty:
        return []
    frame = districts.copy()
    for level in LEVELS:
        code, name = CODE_FIELDS[level]
        if code not in frame.columns:
            frame[code] = None
        if name not in frame.columns:
            frame[name] = None
    frame["adcode"] = frame["adcode"].fillna(frame[ID]).astype(str)
    out: list[Unit] = []
    for level in LEVELS:
        code_col, name_col = CODE_FIELDS[level]
        rows = frame[frame[code_col].notna() & (frame[code_col].astype(str) != "")]
        for code, group in rows.groupby(rows[code_col].astype(str), sort=True):
            parent = _parent(group.iloc[0], level)
            out.append(Unit(code, level, str(group[name_col].iloc[0]), parent,
                            tuple(sorted(group[ID].astype(str)))))
    return _drop_above_top(sorted(out, key=lambda u: (_path(out, u), u.code)))


def _drop_above_top(all_units: list[Unit]) -> list[Unit]:
    """Without the units above the smallest one holding every district (a store of Taizhou's
    counties starts at the city, not at a province holding nothing else)."""
    everything = {d for u in all_units for d in u.districts}
    whole = [u for u in all_units if set(u.districts) == everything]
    if len(whole) < 2:
        return all_units
    deepest = max(whole, key=lambda u: u.depth)
    dropped = {u.code for u in whole if u.depth < deepest.depth}
    return [Unit(u.code, u.level, u.name, None, u.districts) if u is deepest else u
            for u in all_units if u.code not in dropped]


def _parent(row: pd.Series, level: str) -> str | None:
    for above in reversed(LEVELS[: LEVELS.index(level)]):
        value = row.get(CODE_FIELDS[above][0])
        if value is not None and not pd.isna(value) and str(value):
            return str(value)
    return None


def _path(all_units: list[Unit], unit: Unit) -> tuple[str, ...]:
    by_code = {u.code: u for u in all_units}
    path = [unit.code]
    while by_code.get(path[-1]) and by_code[path[-1]].parent \
            and by_code[path[-1]].parent not in path:  # a unit its own ancestor: stop
        path.append(by_code[path[-1]].parent)
    return tuple(reversed(path))


def find(all_units: list[Unit], code: str | None) -> Unit | None:
    return next((u for u in all_units if u.code == code), None) if code else None


def top(all_units: list[Unit]) -> Unit | None:
    """The unit holding every district, if there is one (the province, or the one city)."""
    everything = {d for u in all_units for d in u.districts}
    whole = [u for u in all_units if set(u.districts) == everything]
    return max(whole, key=lambda u: u.depth) if whole else None


def children(all_units: list[Unit], unit: Unit) -> list[Unit]:
    return [u for u in all_units if u.parent == unit.code]


def breadcrumb(all_units: list[Unit], unit: Unit) -> list[Unit]:
    """The units from the top down to ``unit``."""
    by_code = {u.code: u for u in all_units}
    return [by_code[c] for c in _path(all_units, unit) if c in by_code]


def street_districts(streets: pd.DataFrame, districts: pd.DataFrame) -> pd.Series:
    """Each street's district id (index: street id); an empty ``district_id`` means the store's
    only district, or none when there are several."""
    only = str(districts[ID].iloc[0]) if len(districts) == 1 else None
    values = streets[DISTRICT_ID] if DISTRICT_ID in streets.columns else pd.Series(
        None, index=streets.index, dtype=object)
    values = values.astype(object).where(values.notna() & (values.astype(str) != ""), only)
    return pd.Series(values.to_numpy(), index=streets[ID].astype(str).to_numpy())


def unit_keys(frames: dict[str, pd.DataFrame], district_ids) -> dict[str, frozenset]:
    """The ids of each anchor layer's rows inside the districts ``district_ids``.

    ``frames`` holds the layers to work through (at least ``districts`` and ``streets``);
    each later one is cut by a layer already worked out, so pass them parents first
    (:data:`ANCHOR_ORDER`)."""
    keys: dict[str, frozenset] = {"districts": frozenset(str(d) for d in district_ids)}
    by_street = street_districts(frames["streets"], frames["districts"])
    keys["streets"] = frozenset(by_street.index[by_street.isin(keys["districts"])])
    for name in ANCHOR_ORDER[2:]:
        if name in frames:
            kept = filter_layer(name, frames[name], keys)
            keys[name] = frozenset(kept[ID].astype(str))
            if name == "compounds":
                keys = with_references(keys, frames[name])
    return keys


ANCHOR_ORDER = ("districts", "streets", "communities", "grids", "compounds", "service_positions",
                "joint_duty_stations", "members", "service_orders", "cases")


def filter_layer(name: str, frame: pd.DataFrame, keys: dict[str, frozenset]) -> pd.DataFrame:
    """The rows of layer ``name`` inside the unit whose anchor ids are ``keys``."""
    if name in UNSCOPED or frame.empty:
        return frame
    if name == "districts":
        return _keep(frame, frame[ID], keys["districts"])
    if name == "streets":
        return _keep(frame, frame[ID], keys["streets"])
    if name in REFERENCED_BY:
        source, column = REFERENCED_BY[name]
        return _keep(frame, frame[ID], _referenced(keys, source, column))
    if name == "workflow_events":
        objects = frozenset().union(*(keys.get(n, frozenset()) for n in WORKFLOW_OBJECTS))
        return _keep(frame, frame["object_id"], objects)
    ref = parent_ref(name)
    if ref is None or ref not in frame.columns:
        return frame
    return _keep(frame, frame[ref], keys[schema.layer(name).field(ref).ref])


def parent_ref(name: str) -> str | None:
    """The required reference of layer ``name`` that places its rows in a unit."""
    spec = schema.layer(name)
    refs = {f.name for f in spec.fields if f.ref and f.required}
    return next((r for r in PARENT_REFS if r in refs), None)


def _referenced(keys: dict, source: str, column: str) -> frozenset:
    return keys.get(f"{source}.{column}", frozenset())


def _keep(frame: pd.DataFrame, values: pd.Series, allowed: frozenset) -> pd.DataFrame:
    return frame[values.astype(str).isin(allowed).to_numpy()].reset_index(drop=True)


def with_references(keys: dict[str, frozenset], compounds: pd.DataFrame) -> dict:
    """``keys`` plus the firms and instructors the unit's compounds point at."""
    inside = compounds[compounds[ID].astype(str).isin(keys.get("compounds", frozenset()))]
    out = dict(keys)
    for source, column in REFERENCED_BY.values():
        out[f"{source}.{column}"] = frozenset(inside[column].dropna().astype(str))
    return out
