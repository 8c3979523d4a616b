"""Huangyan's profile: the article's district, its real street seats and named places.

Everything here is specific to Huangyan (黄岩区, 331003); the generator's rules read it through
:class:`geo.sample.profile.CountyProfile`, so another county can take the same rules with its
own profile (:func:`geo.sample.profile.profile_for`).
"""

from __future__ import annotations

from functools import cache

import geopandas as gpd
import numpy as np
from shapely.geometry import box

from geo.sample.geography import load_district, load_townships
from geo.sample.profile import BASE_COUNTS, HUANGYAN_ADCODE, CountyProfile
from geo.schema import METRIC_CRS, WGS84

CITY = {"city": "台州市", "city_adcode": "331000", "province": "浙江省",
        "province_adcode": "330000"}
URBAN_BOX = (121.17, 28.57, 121.36, 28.72)  # lon/lat box of the urban streets
# Approximate seats of the 8 streets (lon, lat); the shapes themselves are generated.
STREET_SEATS = {
    "331003001": (121.279, 28.652),  # 东城
    "331003002": (121.262, 28.622),  # 南城
    "331003003": (121.243, 28.646),  # 西城
    "331003004": (121.258, 28.676),  # 北城
    "331003005": (121.300, 28.615),  # 新前
    "331003006": (121.200, 28.640),  # 澄江
    "331003007": (121.322, 28.668),  # 江口
    "331003008": (121.215, 28.598),  # 高桥
}
CORE_STREETS = ("331003001", "331003003", "331003004")  # 东城 西城 北城: the three zones
# Communities per street at scale 1 (56 in all); core streets are denser.
COMMUNITIES_PER_STREET = {
    "331003001": 9, "331003002": 8, "331003003": 9, "331003004": 8,
    "331003005": 6, "331003006": 5, "331003007": 6, "331003008": 5,
}
STREET_DENSITY = {  # relative grid density (grids per community weight)
    "331003001": 3.0, "331003002": 1.6, "331003003": 3.0, "331003004": 2.6,
    "331003005": 1.0, "331003006": 0.8, "331003007": 1.0, "331003008": 0.8,
}
# Compounds per street at scale 1 (68 in all), mostly in the three zone streets.
COMPOUNDS_PER_STREET = {
    "331003001": 20, "331003003": 20, "331003004": 16, "331003002": 6,
    "331003005": 2, "331003007": 2, "331003006": 1, "331003008": 1,
}
NAMED = {  # the article's named compounds: street, working practice, branch type
    "永悦华府": ("331003001", "四方会谈、五步议事", "real"),
    "世纪花园": ("331003001", "五邻五共", "joint"),
    "书香园": ("331003004", None, "real"),
    "巨鼎港湾名府": ("331003003", "三类清单", "joint"),
    "嘉丽阳光苑": ("331003003", None, "joint"),
}
YINGXUN = ("巨鼎港湾名府", "嘉丽阳光苑", "迎熏花苑")  # the three compounds of 迎熏党建联盟
YINGXUN_ALLIANCE = {
    "id": "A01", "name": "迎熏党建联盟", "street_id": "331003003", "founded": "2021-06-28",
    "business_districts": 2, "commercial_streets": 4, "mass_organisations": 5,
    "platforms": "先锋驿站、社区卫生院、百姓健身房",
}
ALLIANCE_STREETS = ("331003001", "331003004", "331003002")  # 东城 北城 南城
CORE_NAME = "黄岩区党群服务中心"
STATIONS = (  # name, kind, street
    ("迎熏先锋驿站", "pioneer_post", "331003003"),
    ("孔园先锋驿站", "pioneer_post", "331003001"),
    ("江北联勤共治站", "joint_duty_station", "331003004"),
    ("小东门联勤共治站", "joint_duty_station", "331003001"),
)
HUANGYAN_OFFICES = (
    "区委办", "区政府办", "区委组织部", "区委宣传部", "区委政法委", "区发改局", "区教育局",
    "区科技局", "区经信局", "区公安分局", "区民政局", "区司法局", "区财政局", "区人力社保局",
    "区自然资源和规划分局", "区住建局", "区交通运输局", "区水利局", "区农业农村局", "区商务局",
    "区文广旅体局", "区卫生健康局", "区应急管理局", "区审计局", "区市场监管分局", "区统计局",
    "区医保分局", "区综合行政执法局", "区信访局", "区税务局", "区人民法院", "区人民检察院",
    "区总工会", "团区委", "区妇联", "区科协", "区残联", "区工商联", "区第一人民医院", "区中医院",
)
HUANGYAN_WORK_UNITS = HUANGYAN_OFFICES + (
    "黄岩中学", "黄岩第二高级中学", "城关中学", "国网黄岩供电公司", "黄岩农商银行",
    "中国移动黄岩分公司", "东城中心小学", "北城中学")


@cache
def huangyan() -> CountyProfile:
    """Huangyan's profile from the constants above and its real outline."""
    district = load_district()
    district_m = district.to_crs(METRIC_CRS).geometry.iloc[0]
    urban = gpd.GeoSeries([box(*URBAN_BOX)], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    urban = district_m.intersection(urban)
    codes = tuple(STREET_SEATS)
    seats = gpd.GeoSeries(gpd.points_from_xy(*zip(*STREET_SEATS.values())), crs=WGS84)
    seats_m = seats.to_crs(METRIC_CRS)
    towns = load_townships().set_index("code")
    return CountyProfile(
        adcode=HUANGYAN_ADCODE, name=str(district["name"].iloc[0]), short="黄岩", level="区",
        city=CITY["city"], factor=1.0, outline=district_m, urban=urban, street_codes=codes,
        street_names=tuple(towns.loc[c, "name"] for c in codes),
        street_seats=np.column_stack([seats_m.x, seats_m.y]), street_relax=0,
        communities_per_street=COMMUNITIES_PER_STREET, street_density=STREET_DENSITY,
        compounds_per_street=COMPOUNDS_PER_STREET, zone_streets=CORE_STREETS,
        core_street=CORE_STREETS[0], core_name=CORE_NAME, stations=STATIONS,
        alliance_streets=ALLIANCE_STREETS, firm_prefix="台州市黄岩", offices=HUANGYAN_OFFICES,
        work_units=HUANGYAN_WORK_UNITS, counts=dict(BASE_COUNTS), named_compounds=NAMED,
        cluster=("331003003", YINGXUN), named_alliance=YINGXUN_ALLIANCE,
        cluster_station="迎熏先锋驿站", named_community=("331003003", "桔源"),
    )
