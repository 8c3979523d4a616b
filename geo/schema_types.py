"""The building blocks of the data model (:mod:`geo.schema`): the constants its layers use,
and the ``Field`` and ``Layer`` types."""

from __future__ import annotations

from dataclasses import dataclass

WGS84 = "EPSG:4326"
METRIC_CRS = "EPSG:4549"  # CGCS2000 / 3-degree Gauss-Kruger CM 120E

ID = "id"
VERSION = "version"
IS_SAMPLE = "is_sample"
GEOMETRY = "geometry"

# Service-position tiers, largest first (一核 三片 四站 二十四点).
TIERS = ("core", "zone", "station", "point")
POSITION_STATUSES = ("existing", "planned")
STATION_KINDS = ("pioneer_post", "joint_duty_station")
BRANDS = ("小桔e站", "民心小筑", "先锋驿站", "邻里之家")
BRANCH_TYPES = ("real", "joint")  # 实体 / 联合
INSTRUCTOR_KINDS = ("community_worker", "law_enforcement")
DISCLOSURE_CATEGORIES = (
    "branch_proposals",  # 小区党支部提议事项
    "joint_meeting",  # 联席会议商议事项
    "owners_assembly",  # 业主大会决议事项
    "property_services",  # 物业服务事项
)
ROLES = ("org", "planner", "grid_leader", "viewer", "big_screen")



@dataclass(frozen=True)
class Field:
    name: str
    dtype: str  # str, int, float, bool, date, datetime, json
    required: bool = True
    ref: str | None = None  # target layer of a reference
    choices: tuple[str, ...] | None = None
    unique: bool = False
    personal: bool = False  # personal information: masked unless the role may see it
    minimum: float | None = None
    max_length: int | None = None  # characters; text fields default to TEXT_LIMIT

    @property
    def length_limit(self) -> int | None:
        """The most characters a value may have (None: not text)."""
        if self.max_length is not None:
            return self.max_length
        return TEXT_LIMIT if self.dtype == "str" else JSON_LIMIT if self.dtype == "json" else None


TEXT_LIMIT = 2000  # any text field (a disclosure's text, a practice description)
JSON_LIMIT = 100_000
NAME_LIMIT, PHONE_LIMIT, ID_LIMIT = 50, 30, 64


@dataclass(frozen=True)
class Layer:
    name: str
    geometry: str | None  # "MultiPolygon", "Point" or None for a table
    fields: tuple[Field, ...]
    label: str = ""  # translation key of the layer's display name
    editable: bool = True

    @property
    def columns(self) -> list[str]:
        cols = [f.name for f in self.all_fields]
        return cols + ([GEOMETRY] if self.geometry else [])

    @property
    def all_fields(self) -> tuple[Field, ...]:
        base = (Field(ID, "str", unique=True, max_length=ID_LIMIT),
                Field(VERSION, "int", minimum=1))
        return base + self.fields + (Field(IS_SAMPLE, "bool"),)

    def field(self, name: str) -> Field:
        for f in self.all_fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name}.{name}")

    @property
    def personal_fields(self) -> list[str]:
        return [f.name for f in self.all_fields if f.personal]


def req(name, dtype="str", **kw) -> Field:
    """A required field."""
    return Field(name, dtype, **kw)


def opt(name, dtype="str", **kw) -> Field:
    """An optional field."""
    return Field(name, dtype, required=False, **kw)
