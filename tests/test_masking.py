"""Masking of personal data: exact outputs of the one masking function."""

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.masking import escape_html, mask_frame, mask_name, mask_phone, mask_record


@pytest.mark.parametrize(("raw", "masked"), [
    ("张三丰", "张*丰"),
    ("张明", "张*"),
    ("欧阳小明", "欧**明"),
    ("李", "*"),
    ("", ""),
    (" 王五六 ", "王*六"),
    ("Smith", "S***h"),
])
def test_mask_name(raw, masked):
    assert mask_name(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [
    ("13812341234", "138****1234"),
    ("13812345678", "138****5678"),
    ("057684112233", "057*****2233"),
    ("1234567", "*****67"),
    ("12", "**"),
])
def test_mask_phone(raw, masked):
    assert mask_phone(raw) == masked


def test_missing_values_stay_missing():
    assert mask_name(None) is None
    assert mask_phone(None) is None


def _members():
    return gpd.GeoDataFrame({
        "id": ["M1", "M2"], "name": ["张三丰", "李四"], "phone": ["13812345678", "13900001111"],
        "grid_id": ["G1", "G2"], "post": ["网格员", "调解员"],
    }, geometry=[Point(121.26, 28.64), Point(121.27, 28.65)], crs="EPSG:4326")


def test_mask_frame_masks_every_personal_field_and_returns_a_copy():
    members = _members()
    masked = mask_frame(members, "members", can_see_personal=False)
    assert list(masked["name"]) == ["张*丰", "李*"]
    assert list(masked["phone"]) == ["138****5678", "139****1111"]
    assert list(masked["post"]) == ["网格员", "调解员"]  # not personal
    assert list(members["name"]) == ["张三丰", "李四"]  # the original is untouched
    assert isinstance(masked, gpd.GeoDataFrame)


def test_mask_frame_unmasked_when_allowed():
    masked = mask_frame(_members(), "members", can_see_personal=True)
    assert list(masked["name"]) == ["张三丰", "李四"]


def test_mask_frame_row_by_row():
    masked = mask_frame(_members(), "members", [True, False])
    assert list(masked["name"]) == ["张三丰", "李*"]
    assert list(masked["phone"]) == ["13812345678", "139****1111"]


def test_mask_frame_other_layers_personal_fields():
    orders = pd.DataFrame({"id": ["O1"], "requester_name": ["王小二"],
                           "requester_phone": ["13512345678"], "text": ["楼道灯坏了"]})
    masked = mask_frame(orders, "service_orders", False)
    assert masked.loc[0, "requester_name"] == "王*二"
    assert masked.loc[0, "requester_phone"] == "135****5678"
    assert masked.loc[0, "text"] == "楼道灯坏了"
    branch = {"id": "B1", "name": "永悦华府党支部", "secretary_name": "陈国强"}
    assert mask_record(branch, "party_branches", False) == {
        "id": "B1", "name": "永悦华府党支部", "secretary_name": "陈*强"}
    assert mask_record(branch, "party_branches", True) == branch


def test_escape_html():
    assert escape_html("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert escape_html('a"b\'c&d') == "a&quot;b&#x27;c&amp;d"
    assert escape_html(None) == ""
