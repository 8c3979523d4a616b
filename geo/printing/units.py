"""The unit a document is about: the district, a street, a community or a compound, found by
id (or a street's code or name), with its outline and the compounds inside it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.schema import ID

DISTRICT, STREET, COMMUNITY, COMPOUND = "district", "street", "community", "compound"
UNIT_KINDS = (DISTRICT, STREET, COMMUNITY, COMPOUND)
_LAYER_OF = {DISTRICT: "districts", STREET: "streets", COMMUNITY: "communities",
             COMPOUND: "compounds"}


class UnknownUnit(KeyError):
    def __str__(self) -> str:
        return (f"未知单位 {self.args[0]!r}(应为区、街道、社区或小区的编号)| unknown unit "
                f"{self.args[0]!r} (a district, street, community or compound id)")


@dataclass(frozen=True)
class Unit:
    kind: str
    id: str
    name: str
    geometry: object  # shapely, WGS84
    street_id: str | None = None  # the street of a street, community or compound

    @property
    def is_district(self) -> bool:
        return self.kind == DISTRICT


def resolve_unit(frames: dict, unit_id: str | None) -> Unit:
    """The unit with ``unit_id`` (None or "district": the first district on record)."""
    districts = frames["districts"]
    if unit_id in (None, "", DISTRICT):
        if districts.empty:
            raise UnknownUnit(DISTRICT)
        row = districts.iloc[0]
        return Unit(DISTRICT, str(row[ID]), str(row["name"]), row.geometry)
    for kind in UNIT_KINDS:
        frame = frames.get(_LAYER_OF[kind])
        if frame is None or frame.empty:
            continue
        hit = frame[frame[ID].astype(str) == str(unit_id)]
        if kind == STREET and hit.empty:
            hit = frame[(frame["code"].astype(str) == str(unit_id)) | (frame["name"] == unit_id)]
        if len(hit):
            row = hit.iloc[0]
            street = str(row[ID]) if kind == STREET else row.get("street_id")
            return Unit(kind, str(row[ID]), str(row["name"]), row.geometry,
                        None if street is None or pd.isna(street) else str(street))
    raise UnknownUnit(unit_id)


def unit_compounds(frames: dict, unit: Unit) -> set[str]:
    """Ids of the compounds that belong to ``unit`` (by their street/community/own id)."""
    compounds = frames["compounds"]
    if unit.kind == DISTRICT:
        return set(compounds[ID])
    column = {STREET: "street_id", COMMUNITY: "community_id", COMPOUND: ID}[unit.kind]
    return set(compounds.loc[compounds[column].astype(str) == unit.id, ID])
