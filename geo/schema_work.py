"""The work done on the network and the system's own tables: pairings, meetings, disclosures,
events, orders, cases, their workflow events, audit, accounts, scenarios, imports, roads, meta."""

from __future__ import annotations

from geo.schema_types import (
    DISCLOSURE_CATEGORIES,
    NAME_LIMIT,
    PHONE_LIMIT,
    ROLES,
    Layer,
    opt,
    req,
)

WORK_LAYERS: list[Layer] = [
    Layer(
        "pairings",
        None,
        (req("office_branch"), req("compound_id", ref="compounds"), req("since", "date")),
        "pairings",
    ),
    Layer(
        "joint_meetings",
        None,
        (
            req("compound_id", ref="compounds"),
            req("held_on", "date"),
            req("topic"),
            req("attendees", "int", minimum=1),
        ),
        "joint_meetings",
    ),
    Layer(
        "disclosures",
        None,
        (
            req("compound_id", ref="compounds"),
            req("category", choices=DISCLOSURE_CATEGORIES),
            req("month"),  # YYYY-MM
            req("disclosed", "bool"),
        ),
        "disclosures",
    ),
    Layer(
        "events",
        None,
        (
            req("service_position_id", ref="service_positions"),
            req("held_on", "date"),
            req("kind"),
            req("title"),
            req("attendees", "int", minimum=1),
        ),
        "events",
    ),
    Layer(
        "service_orders",
        None,
        (
            req("category"),
            req("compound_id", ref="compounds"),
            req("grid_id", ref="grids"),
            req("requester_name", personal=True, max_length=NAME_LIMIT),
            req("requester_phone", personal=True, max_length=PHONE_LIMIT),
            req("text"),
            req("status"),
            req("created_at", "datetime"),
            opt("dispatched_at", "datetime"),
            opt("party_alliance_id", ref="party_alliances"),
            opt("volunteer_team_id", ref="volunteer_teams"),
            opt("taken_at", "datetime"),
            opt("member_id", ref="members"),
            opt("done_at", "datetime"),
            opt("rated_at", "datetime"),
            opt("rating", "int", minimum=1),
        ),
        "service_orders",
    ),
    Layer(
        "cases",
        None,
        (
            req("category"),
            req("source"),  # complaint 投诉 / patrol 巡查 / report 上报
            req("compound_id", ref="compounds"),
            req("grid_id", ref="grids"),
            req("text"),
            req("status"),
            req("level"),  # compound -> community -> street -> district
            req("handler"),  # instructor / joint_duty_station / department
            opt("joint_duty_station_id", ref="joint_duty_stations"),
            opt("joint_meeting_id", ref="joint_meetings"),
            req("hard_problem", "bool"),
            req("reported_at", "datetime"),
            opt("accepted_at", "datetime"),
            opt("closed_at", "datetime"),
            opt("satisfied", "bool"),
        ),
        "cases",
    ),
    Layer(
        "workflow_events",
        None,
        (
            req("object_layer", choices=("service_orders", "cases")),
            req("object_id"),
            req("at", "datetime"),
            req("actor"),
            opt("from_status"),
            req("to_status"),
            opt("level"),
            opt("note"),
        ),
        "workflow_events",
        editable=False,
    ),
    Layer(
        "audit",
        None,
        (
            req("at", "datetime"),
            req("account"),
            req("action"),
            opt("object_layer"),
            opt("object_id"),
            opt("before", "json"),
            opt("after", "json"),
            opt("reason"),
            req("outcome", choices=("ok", "refused")),
        ),
        "audit",
        editable=False,
    ),
    Layer(
        "accounts",
        None,
        (
            req("name", unique=True),
            req("role", choices=ROLES),
            opt("grids"),  # comma-separated grid ids for grid leaders
            req("password_hash"),
            req("disabled", "bool"),
            req("failed_attempts", "int", minimum=0),
            opt("locked_until", "datetime"),
        ),
        "accounts",
        editable=False,
    ),
    Layer(
        "scenarios",
        None,
        (
            req("name"),
            req("created_at", "datetime"),
            req("account"),
            req("radius_m", "float", minimum=1),
            req("payload", "json"),
        ),
        "scenarios",
    ),
    Layer(
        "import_log",
        None,
        (
            req("at", "datetime"),
            req("account"),
            req("files"),
            req("checksum"),
            req("counts", "json"),
            req("status", choices=("applied", "rolled_back")),
            opt("backup"),
        ),
        "import_log",
        editable=False,
    ),
    Layer("roads", "MultiLineString", (req("name"), opt("kind")), "roads"),
    Layer("meta", None, (req("key", unique=True), req("value")), "meta"),
]
