"""One compound with every record attached to it, read from a store or from cached layers."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo.schema import GEOMETRY, ID
from geo.store.base import NotFoundError


@dataclass
class CompoundDetail:
    """One compound with every record attached to it."""

    compound: dict
    party_branch: dict | None
    owners_committee: dict | None
    supervisory_committee: dict | None
    property_firm: dict | None
    party_instructor: dict | None
    party_alliance: dict | None
    geometry: object  # shapely geometry, WGS84
    related: dict[str, pd.DataFrame] = field(default_factory=dict)


COMPOUND_RELATED = ("members", "joint_meetings", "disclosures", "service_orders", "cases",
                    "pairings", "volunteer_teams", "service_positions")
COMPOUND_LAYERS = ("compounds", "party_branches", "owners_committees", "supervisory_committees",
                   "property_firms", "party_instructors", "party_alliances", *COMPOUND_RELATED)


def compound_detail(compound_id: str, load) -> CompoundDetail:
    """One compound with everything attached, read with ``load(name, where={column: value})``
    (:meth:`Store.load`, or a filter of cached layers: components.network_cache)."""
    compounds = load("compounds", where={ID: compound_id})
    if compounds.empty:
        raise NotFoundError("compounds", compound_id)
    row = compounds.iloc[0]

    def one(name: str, key: str, value) -> dict | None:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return None
        frame = load(name, where={key: value})
        return _plain(frame.iloc[0]) if len(frame) else None

    related = {name: load(name, where={"compound_id": compound_id}) for name in COMPOUND_RELATED}
    return CompoundDetail(
        compound=_plain(row.drop(labels=[GEOMETRY])),
        party_branch=one("party_branches", "compound_id", compound_id),
        owners_committee=one("owners_committees", "compound_id", compound_id),
        supervisory_committee=one("supervisory_committees", "compound_id", compound_id),
        property_firm=one("property_firms", ID, row["property_firm_id"]),
        party_instructor=one("party_instructors", ID, row["party_instructor_id"]),
        party_alliance=one("party_alliances", ID, row.get("party_alliance_id")),
        geometry=row[GEOMETRY],
        related=related,
    )


def _plain(row: pd.Series) -> dict:
    out = {}
    for key, value in row.items():
        if key == GEOMETRY:
            continue
        if value is pd.NA or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
            value = None
        elif hasattr(value, "item"):
            value = value.item()
        out[key] = value
    return out
