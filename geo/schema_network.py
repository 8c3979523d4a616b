"""The network's layers: the hierarchy of units, grids, compounds and their three bodies, firms,
instructors, alliances, service positions, joint-duty stations, volunteer teams and members."""

from __future__ import annotations

from geo.schema_types import (
    BRANCH_TYPES,
    INSTRUCTOR_KINDS,
    NAME_LIMIT,
    PHONE_LIMIT,
    POSITION_STATUSES,
    STATION_KINDS,
    TIERS,
    Layer,
    opt,
    req,
)

NETWORK_LAYERS: list[Layer] = [
    # The county-level units that run a network (one: Huangyan; a city's or a province's
    # many), with the city and province above them (the hierarchy, see geo.hierarchy).
    Layer("districts", "MultiPolygon", (
        req("name"), req("adcode"), opt("source"), opt("city"), opt("city_adcode"),
        opt("province"), opt("province_adcode"),
    ), "districts"),
    Layer("counties", "MultiPolygon", (req("name"), req("adcode"), opt("source")), "counties"),
    Layer("streets", "MultiPolygon", (
        req("name"), req("code", unique=True),
        opt("district_id", ref="districts"),  # empty: the store's only district
    ), "streets"),
    Layer(
        "communities",
        "MultiPolygon",
        (
            req("name"),
            req("street_id", ref="streets"),
            req("members_reported", "int", minimum=0),  # 在职党员报到
            req("volunteers_registered", "int", minimum=0),
        ),
        "communities",
    ),
    Layer(
        "grids",
        "MultiPolygon",
        (
            req("name"),
            req("community_id", ref="communities"),
            req("street_id", ref="streets"),
            req("households", "int", minimum=0),
            req("residents", "int", minimum=0),
        ),
        "grids",
    ),
    Layer(
        "property_firms",
        None,
        (
            req("name", unique=True),
            req("red_property", "bool"),  # 省级红色物业
            req("rating"),
            req("score", "float", minimum=0),
            req("party_members", "int", minimum=0),
            req("association_member", "bool"),
        ),
        "property_firms",
    ),
    Layer(
        "party_instructors",
        None,
        (
            req("name", personal=True, max_length=NAME_LIMIT),
            req("phone", personal=True, max_length=PHONE_LIMIT),
            req("kind", choices=INSTRUCTOR_KINDS),
            req("organisation"),
        ),
        "party_instructors",
    ),
    Layer(
        "party_alliances",
        None,
        (
            req("name"),
            req("street_id", ref="streets"),
            req("founded", "date"),
            req("business_districts", "int", minimum=0),
            req("commercial_streets", "int", minimum=0),
            req("mass_organisations", "int", minimum=0),
            req("platforms"),
        ),
        "party_alliances",
    ),
    Layer(
        "compounds",
        "MultiPolygon",
        (
            req("name"),
            req("pinyin"),
            req("street_id", ref="streets"),
            req("community_id", ref="communities"),
            req("grid_id", ref="grids"),
            req("households", "int", minimum=1),
            req("buildings", "int", minimum=1),
            req("built_year", "int"),
            req("property_firm_id", ref="property_firms"),
            req("party_instructor_id", ref="party_instructors"),
            opt("party_alliance_id", ref="party_alliances"),
            opt("practice"),  # named working method, e.g. 四方会谈、五步议事
        ),
        "compounds",
    ),
    Layer(
        "party_branches",
        None,
        (
            req("compound_id", ref="compounds", unique=True),
            req("name"),
            req("secretary_name", personal=True, max_length=NAME_LIMIT),
            req("branch_type", choices=BRANCH_TYPES),
            req("party_members", "int", minimum=1),
            req("party_groups", "int", minimum=0),  # 楼栋党小组
            req("founded", "date"),
        ),
        "party_branches",
    ),
    Layer(
        "owners_committees",
        None,
        (
            req("compound_id", ref="compounds", unique=True),
            req("director_name", personal=True, max_length=NAME_LIMIT),
            req("term_start", "date"),
            req("term_end", "date"),
            req("seats", "int", minimum=1),
            req("party_seats", "int", minimum=0),
            req("one_shoulder", "bool"),  # 一肩挑: branch secretary is also director
        ),
        "owners_committees",
    ),
    Layer(
        "supervisory_committees",
        None,
        (
            req("compound_id", ref="compounds", unique=True),
            req("director_name", personal=True, max_length=NAME_LIMIT),
            req("term_start", "date"),
            req("seats", "int", minimum=1),
            req("party_seats", "int", minimum=0),
        ),
        "supervisory_committees",
    ),
    Layer(
        "service_positions",
        "Point",
        (
            req("name"),
            req("tier", choices=TIERS),
            opt("kind", choices=STATION_KINDS),
            opt("brand"),
            req("status", choices=POSITION_STATUSES),
            req("street_id", ref="streets"),
            opt("community_id", ref="communities"),
            opt("compound_id", ref="compounds"),
            req("floor_area_m2", "float", minimum=0),
            req("functions"),
            req("opening_hours"),
            opt("opened", "date"),
        ),
        "service_positions",
    ),
    Layer(
        "joint_duty_stations",
        "MultiPolygon",  # the station's dispatch area (片区)
        (
            req("name"),
            req("service_position_id", ref="service_positions", unique=True),
            req("departments"),  # 、-separated
            req("department_count", "int", minimum=1),
            req("team_size", "int", minimum=1),
        ),
        "joint_duty_stations",
    ),
    Layer(
        "volunteer_teams",
        None,
        (
            req("name"),
            req("kind"),
            req("community_id", ref="communities"),
            opt("compound_id", ref="compounds"),
            req("volunteers", "int", minimum=1),
            req("activities", "int", minimum=0),
        ),
        "volunteer_teams",
    ),
    Layer(
        "members",
        "Point",
        (
            req("name", personal=True, max_length=NAME_LIMIT),
            req("phone", personal=True, max_length=PHONE_LIMIT),
            req("gender", choices=("男", "女")),
            req("grid_id", ref="grids"),
            opt("compound_id", ref="compounds"),  # home compound (None: unmanaged housing)
            req("work_unit"),
            req("post"),  # 岗位
            req("duty"),  # 职责
            opt("volunteer_team_id", ref="volunteer_teams"),
            req("reported_on", "date"),
            req("joined_party", "date"),
        ),
        "members",
    ),
]
