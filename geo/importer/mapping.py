"""Chinese column headers and layer names, both ways.

Every field of every importable layer has one Chinese header (used by templates and the
Excel/CSV export) and may have aliases that imports also accept (电话/手机 -> phone)."""

from __future__ import annotations

import re

from geo import schema

LON, LAT, WKT = "lon", "lat", "wkt"
LON_ZH, LAT_ZH, WKT_ZH = "经度", "纬度", "几何WKT"

LAYER_LABELS = {
    "districts": "区县", "counties": "县市", "streets": "街道", "communities": "社区",
    "grids": "网格", "property_firms": "物业公司", "party_instructors": "党建指导员",
    "party_alliances": "党建联盟", "compounds": "小区", "party_branches": "党支部",
    "owners_committees": "业委会", "supervisory_committees": "监委会",
    "service_positions": "服务阵地", "joint_duty_stations": "联勤共治站",
    "volunteer_teams": "志愿服务队", "members": "在职党员", "pairings": "结对共建",
    "joint_meetings": "联席会议", "disclosures": "四公开", "events": "活动",
    "service_orders": "服务工单", "cases": "治理事件", "roads": "道路",
}
LAYER_ALIASES = {"党员": "members", "阵地": "service_positions", "党群服务中心": "service_positions",
                 "工单": "service_orders", "事件": "cases", "物业": "property_firms"}
IMPORTABLE_LAYERS = [n for n in schema.DATA_LAYERS if n in LAYER_LABELS]

# Headers shared by all layers (a layer may override below).
COMMON_HEADERS = {
    "id": "编号", "name": "名称", "is_sample": "示例数据", "version": "版本",
    "street_id": "街道编号", "community_id": "社区编号", "grid_id": "网格编号",
    "compound_id": "小区编号", "property_firm_id": "物业公司编号",
    "party_instructor_id": "党建指导员编号", "party_alliance_id": "党建联盟编号",
    "service_position_id": "阵地编号", "volunteer_team_id": "志愿服务队编号",
    "member_id": "党员编号", "joint_duty_station_id": "联勤共治站编号",
    "joint_meeting_id": "联席会议编号", "households": "户数", "residents": "人口",
    "adcode": "行政区划代码", "source": "来源", "code": "代码", "kind": "类型",
    "phone": "电话", "founded": "成立日期", "party_members": "党员数", "seats": "席位数",
    "party_seats": "党员席位数", "director_name": "主任姓名", "term_start": "任期开始",
    "term_end": "任期结束", "attendees": "参加人数", "held_on": "召开日期", "status": "状态",
    "category": "类别", "text": "内容", "rating": "评价", "level": "层级", "topic": "议题",
    "members_reported": "报到党员数", "volunteers_registered": "注册志愿者数",
    "red_property": "省级红色物业", "score": "评分", "association_member": "协会会员",
    "organisation": "单位", "business_districts": "商圈数", "commercial_streets": "商业街数",
    "mass_organisations": "群团组织数", "platforms": "服务平台", "pinyin": "拼音",
    "buildings": "楼栋数", "built_year": "建成年份", "practice": "特色做法",
    "secretary_name": "书记姓名", "branch_type": "支部类型", "party_groups": "党小组数",
    "one_shoulder": "一肩挑", "tier": "层级类别", "brand": "品牌",
    "floor_area_m2": "面积(平方米)", "functions": "功能", "opening_hours": "开放时间",
    "opened": "启用日期", "departments": "入驻部门", "department_count": "部门数",
    "team_size": "队伍人数", "volunteers": "志愿者人数", "activities": "活动次数",
    "gender": "性别", "work_unit": "工作单位", "post": "岗位", "duty": "职责",
    "reported_on": "报到日期", "joined_party": "入党日期", "office_branch": "机关支部",
    "since": "结对日期", "month": "月份", "disclosed": "已公开", "title": "标题",
    "requester_name": "点单人姓名", "requester_phone": "点单人电话", "created_at": "下单时间",
    "dispatched_at": "派单时间", "taken_at": "接单时间", "done_at": "完成时间",
    "rated_at": "评价时间", "handler": "处置主体", "hard_problem": "疑难问题",
    "reported_at": "上报时间", "accepted_at": "受理时间", "closed_at": "办结时间",
    "satisfied": "满意",
    "district_id": "区县编号", "city": "所属城市", "city_adcode": "城市代码",
    "province": "所属省份", "province_adcode": "省份代码",
}
LAYER_HEADERS = {
    "members": {"name": "姓名"},
    "party_instructors": {"name": "姓名"},
    "service_positions": {"kind": "驿站类型"},
    "cases": {"source": "事件来源"},
}
# Extra spellings accepted on import (any layer).
ALIASES = {
    "手机": "phone", "手机号": "phone", "联系电话": "phone", "电话号码": "phone",
    "序号编号": "id", "id": "id", "编码": "id", "小区名称": "name", "网格名称": "name",
    "户 数": "households", "所属网格": "grid_id", "所属小区": "compound_id",
    "所属社区": "community_id", "所属街道": "street_id", "longitude": "lon", "lng": "lon",
    "x": "lon", "latitude": "lat", "y": "lat", "wkt": "wkt", "geometry_wkt": "wkt",
    "几何": "wkt", "坐标wkt": "wkt", "lon": "lon", "lat": "lat",
    LON_ZH: "lon", LAT_ZH: "lat", WKT_ZH: "wkt",
}


# Chinese words accepted for coded values (issue #25: "点", "规划" were refused); the codes
# themselves are accepted as before. Field name -> word -> code.
VALUE_ALIASES = {
    "tier": {"核": "core", "一核": "core", "区级党群服务中心": "core", "党群服务中心": "core",
             "片": "zone", "三片": "zone", "街道党群服务中心": "zone",
             "站": "station", "四站": "station", "驿站": "station", "联勤站": "station",
             "点": "point", "二十四点": "point", "小区阵地": "point", "点位": "point"},
    "status": {"现有": "existing", "已建": "existing", "在用": "existing", "规划": "planned",
               "拟建": "planned"},
    "kind": {"先锋驿站": "pioneer_post", "联勤共治站": "joint_duty_station",
             "专职社工": "community_worker", "社区工作者": "community_worker",
             "综合执法": "law_enforcement", "执法队员": "law_enforcement"},
    "branch_type": {"实体": "real", "实体党支部": "real", "联合": "joint", "联合党支部": "joint"},
}


def code_values(layer: str, frame):
    """``frame`` with the Chinese words of :data:`VALUE_ALIASES` replaced by their codes in
    the fields of ``layer`` that take coded values (other values are left for validation)."""
    fields = {f.name: f for f in schema.layer(layer).all_fields}
    for name, words in VALUE_ALIASES.items():
        f = fields.get(name)
        if f is None or not f.choices or name not in frame.columns:
            continue
        allowed = {w: c for w, c in words.items() if c in f.choices}
        frame[name] = frame[name].map(
            lambda v, allowed=allowed: allowed.get(v.strip(), v) if isinstance(v, str) else v)
    return frame


def header(layer: str, field: str) -> str:
    """The Chinese header of a field in a layer."""
    if field == LON:
        return LON_ZH
    if field == LAT:
        return LAT_ZH
    if field == WKT:
        return WKT_ZH
    return LAYER_HEADERS.get(layer, {}).get(field) or COMMON_HEADERS.get(field, field)


def norm(text: str) -> str:
    """A header compared loosely: no spaces, brackets, underscores, dashes or * (required)."""
    return re.sub(r"[\s()()_\-*]", "", str(text)).lower()


def header_map(layer: str, columns) -> dict[str, str]:
    """Rename map raw header -> field name for ``layer`` (unknown headers are left out)."""
    spec = schema.layer(layer)
    by_norm: dict[str, str] = {norm(k): v for k, v in ALIASES.items()}
    for f in spec.all_fields:
        by_norm.setdefault(norm(f.name[:10]), f.name)  # Shapefile (DBF) names: 10 characters
        by_norm[norm(f.name)] = f.name
        by_norm[norm(COMMON_HEADERS.get(f.name, f.name))] = f.name
        by_norm[norm(header(layer, f.name))] = f.name
    by_norm[norm("geometry")] = schema.GEOMETRY
    out = {}
    for col in columns:
        key = norm(col)
        target = by_norm.get(key)
        if target is None and re.fullmatch(r"几何wkt续\d+|wkt\d+", key):
            target = col  # continuation of a long WKT (Excel cells hold 32,767 characters)
        if target is not None and target not in out.values():
            out[col] = target
    return out


def detect_layer(*names: str | None) -> str | None:
    """The layer a file or sheet name most likely holds: English name or Chinese label."""
    labels = {v: k for k, v in LAYER_LABELS.items()} | LAYER_ALIASES
    for name in names:
        if not name:
            continue
        stem = re.sub(r"\.[A-Za-z0-9]+$", "", str(name)).strip().lower()
        for candidate in sorted(IMPORTABLE_LAYERS, key=len, reverse=True):
            if re.search(rf"(^|[^a-z]){candidate}($|[^a-z])", stem):
                return candidate
        for label in sorted(labels, key=len, reverse=True):
            if label in stem:
                return labels[label]
    return None
