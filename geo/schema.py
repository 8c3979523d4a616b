"""The data model: every layer and table of the network, its columns, types and constraints.

Identifiers follow the glossary in DOMAIN.md. Every layer's key is ``id``; a reference is
named after its target layer in the singular (``grid_id`` -> ``grids``). Every layer also
carries ``version`` (optimistic locking) and ``is_sample`` (generated sample rows).
Validation of whole datasets lives in :mod:`geo.validation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def _f(name, dtype="str", **kw) -> Field:
    return Field(name, dtype, **kw)


def _opt(name, dtype="str", **kw) -> Field:
    return Field(name, dtype, required=False, **kw)


_LAYERS: list[Layer] = [
    # The county-level units that run a network (one: Huangyan; a city's or a province's
    # many), with the city and province above them (the hierarchy, see geo.hierarchy).
    Layer("districts", "MultiPolygon", (
        _f("name"), _f("adcode"), _opt("source"), _opt("city"), _opt("city_adcode"),
        _opt("province"), _opt("province_adcode"),
    ), "districts"),
    Layer("counties", "MultiPolygon", (_f("name"), _f("adcode"), _opt("source")), "counties"),
    Layer("streets", "MultiPolygon", (
        _f("name"), _f("code", unique=True),
        _opt("district_id", ref="districts"),  # empty: the store's only district
    ), "streets"),
    Layer(
        "communities",
        "MultiPolygon",
        (
            _f("name"),
            _f("street_id", ref="streets"),
            _f("members_reported", "int", minimum=0),  # 在职党员报到
            _f("volunteers_registered", "int", minimum=0),
        ),
        "communities",
    ),
    Layer(
        "grids",
        "MultiPolygon",
        (
            _f("name"),
            _f("community_id", ref="communities"),
            _f("street_id", ref="streets"),
            _f("households", "int", minimum=0),
            _f("residents", "int", minimum=0),
        ),
        "grids",
    ),
    Layer(
        "property_firms",
        None,
        (
            _f("name", unique=True),
            _f("red_property", "bool"),  # 省级红色物业
            _f("rating"),
            _f("score", "float", minimum=0),
            _f("party_members", "int", minimum=0),
            _f("association_member", "bool"),
        ),
        "property_firms",
    ),
    Layer(
        "party_instructors",
        None,
        (
            _f("name", personal=True, max_length=NAME_LIMIT),
            _f("phone", personal=True, max_length=PHONE_LIMIT),
            _f("kind", choices=INSTRUCTOR_KINDS),
            _f("organisation"),
        ),
        "party_instructors",
    ),
    Layer(
        "party_alliances",
        None,
        (
            _f("name"),
            _f("street_id", ref="streets"),
            _f("founded", "date"),
            _f("business_districts", "int", minimum=0),
            _f("commercial_streets", "int", minimum=0),
            _f("mass_organisations", "int", minimum=0),
            _f("platforms"),
        ),
        "party_alliances",
    ),
    Layer(
        "compounds",
        "MultiPolygon",
        (
            _f("name"),
            _f("pinyin"),
            _f("street_id", ref="streets"),
            _f("community_id", ref="communities"),
            _f("grid_id", ref="grids"),
            _f("households", "int", minimum=1),
            _f("buildings", "int", minimum=1),
            _f("built_year", "int"),
            _f("property_firm_id", ref="property_firms"),
            _f("party_instructor_id", ref="party_instructors"),
            _opt("party_alliance_id", ref="party_alliances"),
            _opt("practice"),  # named working method, e.g. 四方会谈、五步议事
        ),
        "compounds",
    ),
    Layer(
        "party_branches",
        None,
        (
            _f("compound_id", ref="compounds", unique=True),
            _f("name"),
            _f("secretary_name", personal=True, max_length=NAME_LIMIT),
            _f("branch_type", choices=BRANCH_TYPES),
            _f("party_members", "int", minimum=1),
            _f("party_groups", "int", minimum=0),  # 楼栋党小组
            _f("founded", "date"),
        ),
        "party_branches",
    ),
    Layer(
        "owners_committees",
        None,
        (
            _f("compound_id", ref="compounds", unique=True),
            _f("director_name", personal=True, max_length=NAME_LIMIT),
            _f("term_start", "date"),
            _f("term_end", "date"),
            _f("seats", "int", minimum=1),
            _f("party_seats", "int", minimum=0),
            _f("one_shoulder", "bool"),  # 一肩挑: branch secretary is also director
        ),
        "owners_committees",
    ),
    Layer(
        "supervisory_committees",
        None,
        (
            _f("compound_id", ref="compounds", unique=True),
            _f("director_name", personal=True, max_length=NAME_LIMIT),
            _f("term_start", "date"),
            _f("seats", "int", minimum=1),
            _f("party_seats", "int", minimum=0),
        ),
        "supervisory_committees",
    ),
    Layer(
        "service_positions",
        "Point",
        (
            _f("name"),
            _f("tier", choices=TIERS),
            _opt("kind", choices=STATION_KINDS),
            _opt("brand"),
            _f("status", choices=POSITION_STATUSES),
            _f("street_id", ref="streets"),
            _opt("community_id", ref="communities"),
            _opt("compound_id", ref="compounds"),
            _f("floor_area_m2", "float", minimum=0),
            _f("functions"),
            _f("opening_hours"),
            _opt("opened", "date"),
        ),
        "service_positions",
    ),
    Layer(
        "joint_duty_stations",
        "MultiPolygon",  # the station's dispatch area (片区)
        (
            _f("name"),
            _f("service_position_id", ref="service_positions", unique=True),
            _f("departments"),  # 、-separated
            _f("department_count", "int", minimum=1),
            _f("team_size", "int", minimum=1),
        ),
        "joint_duty_stations",
    ),
    Layer(
        "volunteer_teams",
        None,
        (
            _f("name"),
            _f("kind"),
            _f("community_id", ref="communities"),
            _opt("compound_id", ref="compounds"),
            _f("volunteers", "int", minimum=1),
            _f("activities", "int", minimum=0),
        ),
        "volunteer_teams",
    ),
    Layer(
        "members",
        "Point",
        (
            _f("name", personal=True, max_length=NAME_LIMIT),
            _f("phone", personal=True, max_length=PHONE_LIMIT),
            _f("gender", choices=("男", "女")),
            _f("grid_id", ref="grids"),
            _opt("compound_id", ref="compounds"),  # home compound (None: unmanaged housing)
            _f("work_unit"),
            _f("post"),  # 岗位
            _f("duty"),  # 职责
            _opt("volunteer_team_id", ref="volunteer_teams"),
            _f("reported_on", "date"),
            _f("joined_party", "date"),
        ),
        "members",
    ),
    Layer(
        "pairings",
        None,
        (_f("office_branch"), _f("compound_id", ref="compounds"), _f("since", "date")),
        "pairings",
    ),
    Layer(
        "joint_meetings",
        None,
        (
            _f("compound_id", ref="compounds"),
            _f("held_on", "date"),
            _f("topic"),
            _f("attendees", "int", minimum=1),
        ),
        "joint_meetings",
    ),
    Layer(
        "disclosures",
        None,
        (
            _f("compound_id", ref="compounds"),
            _f("category", choices=DISCLOSURE_CATEGORIES),
            _f("month"),  # YYYY-MM
            _f("disclosed", "bool"),
        ),
        "disclosures",
    ),
    Layer(
        "events",
        None,
        (
            _f("service_position_id", ref="service_positions"),
            _f("held_on", "date"),
            _f("kind"),
            _f("title"),
            _f("attendees", "int", minimum=1),
        ),
        "events",
    ),
    Layer(
        "service_orders",
        None,
        (
            _f("category"),
            _f("compound_id", ref="compounds"),
            _f("grid_id", ref="grids"),
            _f("requester_name", personal=True, max_length=NAME_LIMIT),
            _f("requester_phone", personal=True, max_length=PHONE_LIMIT),
            _f("text"),
            _f("status"),
            _f("created_at", "datetime"),
            _opt("dispatched_at", "datetime"),
            _opt("party_alliance_id", ref="party_alliances"),
            _opt("volunteer_team_id", ref="volunteer_teams"),
            _opt("taken_at", "datetime"),
            _opt("member_id", ref="members"),
            _opt("done_at", "datetime"),
            _opt("rated_at", "datetime"),
            _opt("rating", "int", minimum=1),
        ),
        "service_orders",
    ),
    Layer(
        "cases",
        None,
        (
            _f("category"),
            _f("source"),  # complaint 投诉 / patrol 巡查 / report 上报
            _f("compound_id", ref="compounds"),
            _f("grid_id", ref="grids"),
            _f("text"),
            _f("status"),
            _f("level"),  # compound -> community -> street -> district
            _f("handler"),  # instructor / joint_duty_station / department
            _opt("joint_duty_station_id", ref="joint_duty_stations"),
            _opt("joint_meeting_id", ref="joint_meetings"),
            _f("hard_problem", "bool"),
            _f("reported_at", "datetime"),
            _opt("accepted_at", "datetime"),
            _opt("closed_at", "datetime"),
            _opt("satisfied", "bool"),
        ),
        "cases",
    ),
    Layer(
        "workflow_events",
        None,
        (
            _f("object_layer", choices=("service_orders", "cases")),
            _f("object_id"),
            _f("at", "datetime"),
            _f("actor"),
            _opt("from_status"),
            _f("to_status"),
            _opt("level"),
            _opt("note"),
        ),
        "workflow_events",
        editable=False,
    ),
    Layer(
        "audit",
        None,
        (
            _f("at", "datetime"),
            _f("account"),
            _f("action"),
            _opt("object_layer"),
            _opt("object_id"),
            _opt("before", "json"),
            _opt("after", "json"),
            _opt("reason"),
            _f("outcome", choices=("ok", "refused")),
        ),
        "audit",
        editable=False,
    ),
    Layer(
        "accounts",
        None,
        (
            _f("name", unique=True),
            _f("role", choices=ROLES),
            _opt("grids"),  # comma-separated grid ids for grid leaders
            _f("password_hash"),
            _f("disabled", "bool"),
            _f("failed_attempts", "int", minimum=0),
            _opt("locked_until", "datetime"),
        ),
        "accounts",
        editable=False,
    ),
    Layer(
        "scenarios",
        None,
        (
            _f("name"),
            _f("created_at", "datetime"),
            _f("account"),
            _f("radius_m", "float", minimum=1),
            _f("payload", "json"),
        ),
        "scenarios",
    ),
    Layer(
        "import_log",
        None,
        (
            _f("at", "datetime"),
            _f("account"),
            _f("files"),
            _f("checksum"),
            _f("counts", "json"),
            _f("status", choices=("applied", "rolled_back")),
            _opt("backup"),
        ),
        "import_log",
        editable=False,
    ),
    Layer("roads", "MultiLineString", (_f("name"), _opt("kind")), "roads"),
    Layer("meta", None, (_f("key", unique=True), _f("value")), "meta"),
]

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
