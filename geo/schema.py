"""The data model: every layer and table of the network, its columns, types and constraints.

Identifiers follow the glossary in DOMAIN.md. Every layer's key is ``id``; a reference is
named after its target layer in the singular (``grid_id`` -> ``grids``). Every layer also
carries ``version`` (optimistic locking) and ``is_sample`` (generated sample rows).
Validation of whole datasets lives in :mod:`geo.validation`. The types and constants are in
:mod:`geo.schema_types`, the layers in :mod:`geo.schema_network` and :mod:`geo.schema_work`;
this module puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from geo.schema_network import NETWORK_LAYERS
from geo.schema_types import (  # noqa: F401 - the names every module imports from here
    BRANCH_TYPES,
    BRANDS,
    DISCLOSURE_CATEGORIES,
    GEOMETRY,
    ID,
    ID_LIMIT,
    INSTRUCTOR_KINDS,
    IS_SAMPLE,
    JSON_LIMIT,
    METRIC_CRS,
    NAME_LIMIT,
    PHONE_LIMIT,
    POSITION_STATUSES,
    ROLES,
    STATION_KINDS,
    TEXT_LIMIT,
    TIERS,
    VERSION,
    WGS84,
    Field,
    Layer,
)
from geo.schema_work import WORK_LAYERS

_LAYERS: list[Layer] = [*NETWORK_LAYERS, *WORK_LAYERS]

LAYERS: dict[str, Layer] = {layer.name: layer for layer in _LAYERS}
SPATIAL_LAYERS = [n for n, layer in LAYERS.items() if layer.geometry]
SYSTEM_LAYERS = ("audit", "workflow_events", "accounts", "scenarios", "import_log", "meta")
DATA_LAYERS = [n for n in LAYERS if n not in SYSTEM_LAYERS]


def layer(name: str) -> Layer:
    try:
        return LAYERS[name]
    except KeyError:
        raise KeyError(f"unknown layer {name!r}") from None


@dataclass
class Problem:
    """One problem found in a dataset: which layer, which feature, which field, and why."""

    layer: str
    feature_id: str | None
    field: str | None
    code: str
    message_zh: str
    message_en: str
    row: int | None = None
    file: str | None = None
    sheet: str | None = None
    extra: dict = field(default_factory=dict)

    def describe(self, lang: str = "zh") -> str:
        where = [self.file, self.sheet, self.layer]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.feature_id is not None:
            where.append(f"id={self.feature_id}")
        if self.field:
            where.append(self.field)
        loc = " / ".join(str(w) for w in where if w)
        return f"{loc}: {self.message_zh} | {self.message_en}"
