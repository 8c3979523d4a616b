"""The small, hand-written dataset the store tests write to both backends: two streets, two
communities, three grids, two compounds with everything attached (test_store.py,
test_store_postgis.py)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import LineString, MultiPolygon, Point, box

from geo import schema

WGS84 = schema.WGS84


def _gdf(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=WGS84)


def dataset() -> dict[str, pd.DataFrame]:
    """Two streets, two communities, three grids, two compounds with everything attached."""
    sq = box(121.25, 28.63, 121.2512345678, 28.6412345678)
    return {
        "streets": _gdf(
            [{"id": "s1", "name": "东城街道", "code": "331003001"},
             {"id": "s2", "name": "西城街道", "code": "331003002"}],
            [MultiPolygon([box(121.24, 28.62, 121.27, 28.66)]), box(121.20, 28.62, 121.24, 28.66)],
        ),
        "communities": _gdf(
            [{"id": "c1", "name": "桔源社区", "street_id": "s1", "members_reported": 120,
              "volunteers_registered": 300},
             {"id": "c2", "name": "西街社区", "street_id": "s2", "members_reported": 0,
              "volunteers_registered": 7}],
            [box(121.25, 28.63, 121.26, 28.64), box(121.21, 28.63, 121.22, 28.64)],
        ),
        "grids": _gdf(
            [{"id": f"g{i}", "name": f"网格{i}", "community_id": c, "street_id": s,
              "households": h, "residents": r}
             for i, c, s, h, r in ((1, "c1", "s1", 410, 1025), (2, "c1", "s1", 0, 0),
                                   (3, "c2", "s2", 9_000_000_000, 3))],
            [sq, box(121.26, 28.63, 121.27, 28.64), box(121.21, 28.63, 121.22, 28.64)],
        ),
        "property_firms": pd.DataFrame([
            {"id": "f1", "name": "黄岩红色物业有限公司", "red_property": True, "rating": "A",
             "score": 97.125, "party_members": 12, "association_member": True},
            {"id": "f2", "name": "Lime Property", "red_property": False, "rating": "B",
             "score": 0.1 + 0.2, "party_members": 0, "association_member": False},
        ]),
        "party_instructors": pd.DataFrame([
            {"id": "i1", "name": "王建国", "phone": "13812341234", "kind": "community_worker",
             "organisation": "桔源社区"},
        ]),
        "party_alliances": pd.DataFrame([
            {"id": "a1", "name": "迎熏党建联盟", "street_id": "s1", "founded": "2021-09-01",
             "business_districts": 2, "commercial_streets": 4, "mass_organisations": 5,
             "platforms": "先锋驿站、社区诊所、健身房"},
        ]),
        "compounds": _gdf(
            [{"id": "cp1", "name": "永悦华府", "pinyin": "yongyuehuafu", "street_id": "s1",
              "community_id": "c1", "grid_id": "g1", "households": 820, "buildings": 14,
              "built_year": 2012, "property_firm_id": "f1", "party_instructor_id": "i1",
              "party_alliance_id": "a1", "practice": "四方会谈、五步议事"},
             {"id": "cp2", "name": "书香园", "pinyin": "shuxiangyuan", "street_id": "s2",
              "community_id": "c2", "grid_id": "g3", "households": 1, "buildings": 1,
              "built_year": 1998, "property_firm_id": "f2", "party_instructor_id": "i1",
              "party_alliance_id": None, "practice": None}],
            [sq, box(121.21, 28.63, 121.215, 28.635)],
        ),
        "party_branches": pd.DataFrame([
            {"id": "b1", "compound_id": "cp1", "name": "永悦华府党支部", "secretary_name": "李红",
             "branch_type": "real", "party_members": 31, "party_groups": 14,
             "founded": "2019-07-01"},
        ]),
        "owners_committees": pd.DataFrame([
            {"id": "o1", "compound_id": "cp1", "director_name": "李红", "term_start": "2021-07-15",
             "term_end": "2026-07-14", "seats": 7, "party_seats": 4, "one_shoulder": True},
        ]),
        "supervisory_committees": pd.DataFrame([
            {"id": "v1", "compound_id": "cp1", "director_name": "陈静", "term_start": "2021-07-15",
             "seats": 3, "party_seats": 2},
        ]),
        "service_positions": _gdf(
            [{"id": "p1", "name": "迎熏先锋驿站", "tier": "station", "kind": "pioneer_post",
              "brand": "先锋驿站", "status": "existing", "street_id": "s1", "community_id": "c1",
              "compound_id": "cp1", "floor_area_m2": 120.5, "functions": "议事、学习",
              "opening_hours": "08:30-17:30", "opened": "2021-10-01"},
             {"id": "p2", "name": "规划点位", "tier": "point", "kind": None, "brand": None,
              "status": "planned", "street_id": "s2", "community_id": None, "compound_id": None,
              "floor_area_m2": 0.0, "functions": "", "opening_hours": "", "opened": None}],
            [Point(121.2512345678901, 28.6398765432109), Point(121.21, 28.635)],
        ),
        "volunteer_teams": pd.DataFrame([
            {"id": "t1", "name": "永悦志愿队", "kind": "环境", "community_id": "c1",
             "compound_id": "cp1", "volunteers": 25, "activities": 9},
        ]),
        "members": _gdf(
            [{"id": "m1", "name": "张小明", "phone": "13800001234", "gender": "男", "grid_id": "g1",
              "compound_id": "cp1", "work_unit": "区财政局", "post": "楼道长", "duty": "巡查",
              "volunteer_team_id": "t1", "reported_on": "2021-09-15", "joined_party": "1999-12-31"},
             {"id": "m2", "name": "O'Brien \"Li\"", "phone": "13900005678", "gender": "女",
              "grid_id": "g1", "compound_id": "cp1", "work_unit": "税务局", "post": "联络员",
              "duty": "宣传", "volunteer_team_id": None, "reported_on": "2022-01-02",
              "joined_party": "2010-05-04"},
             {"id": "m3", "name": "赵六", "phone": "13700009999", "gender": "男", "grid_id": "g3",
              "compound_id": "cp2", "work_unit": "教育局", "post": "网格员", "duty": "走访",
              "volunteer_team_id": None, "reported_on": "2022-03-01",
              "joined_party": "2001-07-01"}],
            [Point(121.2505, 28.6355), Point(121.2506, 28.6356), Point(121.212, 28.632)],
        ),
        "pairings": pd.DataFrame([
            {"id": "pr1", "office_branch": "区财政局机关党支部", "compound_id": "cp1",
             "since": "2021-06-30"},
        ]),
        "joint_meetings": pd.DataFrame([
            {"id": "jm1", "compound_id": "cp1", "held_on": "2022-03-07", "topic": "电梯加装",
             "attendees": 9},
            {"id": "jm2", "compound_id": "cp1", "held_on": "2022-03-14", "topic": "停车",
             "attendees": 11},
        ]),
        "disclosures": pd.DataFrame([
            {"id": "d1", "compound_id": "cp1", "category": "owners_assembly", "month": "2022-03",
             "disclosed": True},
        ]),
        "service_orders": pd.DataFrame([
            {"id": "so1", "category": "维修", "compound_id": "cp1", "grid_id": "g1",
             "requester_name": "刘阿姨", "requester_phone": "13611112222", "text": "楼道灯坏了",
             "status": "done", "created_at": "2022-04-01 08:15:30",
             "dispatched_at": "2022-04-01 09:00:00", "party_alliance_id": "a1",
             "volunteer_team_id": "t1", "taken_at": "2022-04-01 09:30:00", "member_id": "m1",
             "done_at": "2022-04-02 17:45:59", "rated_at": "2022-04-03 10:00:00", "rating": 5},
            {"id": "so2", "category": "咨询", "compound_id": "cp1", "grid_id": "g1",
             "requester_name": "周先生", "requester_phone": "13633334444", "text": "新单",
             "status": "new", "created_at": "2022-04-20 23:59:59", "dispatched_at": None,
             "party_alliance_id": None, "volunteer_team_id": None, "taken_at": None,
             "member_id": None, "done_at": None, "rated_at": None, "rating": None},
        ]),
        "cases": pd.DataFrame([
            {"id": "k1", "category": "高空抛物", "source": "report", "compound_id": "cp1",
             "grid_id": "g1", "text": "12 楼抛物", "status": "closed", "level": "compound",
             "handler": "instructor", "joint_duty_station_id": None, "joint_meeting_id": "jm1",
             "hard_problem": True, "reported_at": "2022-03-01 10:00:00",
             "accepted_at": "2022-03-01 11:00:00", "closed_at": "2022-03-05 16:30:00",
             "satisfied": True},
            {"id": "k2", "category": "违章搭建", "source": "patrol", "compound_id": "cp2",
             "grid_id": "g3", "text": "车库加盖", "status": "open", "level": "street",
             "handler": "joint_duty_station", "joint_duty_station_id": None,
             "joint_meeting_id": None, "hard_problem": False,
             "reported_at": "2022-04-10 07:00:00", "accepted_at": None, "closed_at": None,
             "satisfied": None},
        ]),
        "scenarios": pd.DataFrame([
            {"id": "sc1", "name": "方案一", "created_at": "2022-04-24 12:00:00",
             "account": "planner", "radius_m": 500.0,
             "payload": {"sites": ["p1", "p2"], "名称": "新增点位", "k": 2}},
        ]),
        "audit": pd.DataFrame([
            {"id": "au1", "at": "2022-04-24 12:00:01", "account": "org", "action": "update",
             "object_layer": "members", "object_id": "m1", "before": None,
             "after": '{"post": "楼道长"}', "reason": None, "outcome": "ok"},
        ]),
        "roads": _gdf(
            [{"id": "r1", "name": "劳动北路", "kind": "primary"}],
            [LineString([(121.25, 28.63), (121.2601, 28.6502), (121.27, 28.66)])],
        ),
        "meta": pd.DataFrame([{"id": "as_of", "key": "as_of", "value": "2022-04-24"}]),
    }
