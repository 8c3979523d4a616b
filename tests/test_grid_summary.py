"""The district summary of the grids page (by street, by community, the heaviest grids), the
threshold split (a threshold change reuses the costly base) and the roster workbook, on the
small district of test_grid_coverage (figures in its docstring)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from test_grid_coverage import build_grid_store

from geo import grid_coverage as gc
from geo import grid_report
from geo.grid_summary import by_area, threshold_text, worst_grids


@pytest.fixture(scope="module")
def frames(tmp_path_factory):
    store = build_grid_store(tmp_path_factory.mktemp("summary") / "grids.gpkg")
    return {n: store.load(n) for n in ("grids", "members", "compounds", "communities",
                                       "streets", "volunteer_teams")}


def test_with_threshold_on_the_base_is_grid_coverage(frames):
    base = gc.coverage_base(frames["grids"], frames["members"], frames["compounds"])
    assert base.attrs["default_threshold"] == 120.0 and gc.FLAGS not in base.columns
    for threshold in (None, 40.0, 149.99, 150.0):
        whole = gc.grid_coverage(frames["grids"], frames["members"], frames["compounds"],
                                 threshold=threshold)
        split = gc.with_threshold(base, threshold)
        pd.testing.assert_frame_equal(split, whole)
        assert split.attrs == whole.attrs
    assert gc.with_threshold(base, 149.99).set_index(gc.GRID_ID).loc["B", gc.FLAGS] == [
        gc.FLAG_OVERLOADED]
    assert gc.with_threshold(base, 150.0).set_index(gc.GRID_ID).loc["B", gc.FLAGS] == []
    assert gc.FLAGS not in base.columns  # the cached base is never changed


def test_default_threshold_is_rounded_to_what_is_shown():
    assert gc.default_threshold(pd.Series([41.7777, 41.7777, None])) == 83.56
    assert threshold_text(83.55) == "83.55" and threshold_text(120.0) == "120"
    assert threshold_text(83.5) == "83.5" and threshold_text(float("inf")) == "-"


def test_flags_and_counts_by_street_and_by_community(frames):
    cover = gc.grid_coverage(frames["grids"], frames["members"], frames["compounds"])
    placed = gc.reported_vs_placed(frames["communities"], frames["grids"], frames["members"],
                                   level="street", streets=frames["streets"])
    streets = by_area(cover, "street", placed).set_index("id")
    assert streets.loc["s1", ["name", "grids", "members", "households"]].tolist() == [
        "东城街道", 2, 4, 400]
    assert streets.loc["s1", gc.PER_MEMBER] == 100.0
    assert streets.loc["s1", [gc.FLAG_NO_MEMBER, gc.FLAG_OVERLOADED, gc.FLAG_FAR_HOME]
                       ].tolist() == [0, 1, 1]  # B overloaded; A has a member far from home
    assert streets.loc["s2", [gc.FLAG_NO_MEMBER, gc.FLAG_OVERLOADED, gc.FLAG_FAR_HOME,
                              gc.REPORTED, gc.PLACED]].tolist() == [1, 0, 0, 3, 1]
    assert streets.loc["s2", gc.RATIO] == pytest.approx(1 / 3)
    placed = gc.reported_vs_placed(frames["communities"], frames["grids"], frames["members"])
    one_street = cover[cover[gc.STREET_ID] == "s2"]
    communities = by_area(one_street, "community", placed)
    assert communities["id"].tolist() == ["c2"] and communities["households"].tolist() == [140]


def test_worst_grids_are_the_heaviest_with_members(frames):
    cover = gc.grid_coverage(frames["grids"], frames["members"], frames["compounds"])
    assert worst_grids(cover, 2)[gc.GRID_ID].tolist() == ["B", "D"]
    assert worst_grids(cover, 10)[gc.GRID_ID].tolist() == ["B", "D", "A"]  # C has no member


def test_roster_workbook_cells_are_inert_text_and_dates(frames):
    members = frames["members"].copy()
    members.loc[members["id"] == "m1", "duty"] = "=HYPERLINK(\"http://x\")"
    roster = grid_report.roster_frame(members, frames["grids"], frames["volunteer_teams"], True)
    sheet = load_workbook(io.BytesIO(grid_report.roster_excel(roster, lambda k: k))).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["grids.col.id", "grids.col.name", "grids.col.phone"]
    duty = sheet.cell(row=2, column=header.index("grids.col.duty") + 1)
    assert duty.value == "'=HYPERLINK(\"http://x\")" and duty.data_type == "s"
    phone = sheet.cell(row=2, column=header.index("grids.col.phone") + 1)
    assert phone.value == "13800000000" and phone.data_type == "s"  # text, not a number
    joined = sheet.cell(row=2, column=header.index("grids.col.joined_party") + 1)
    assert joined.value.date().isoformat() == "2001-07-01" and joined.is_date
    team = sheet.cell(row=3, column=header.index("grids.col.team") + 1)
    assert team.value is None  # a member without a team: an empty cell
    assert sheet.max_row == len(roster) + 1
