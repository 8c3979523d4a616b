"""Reassignment through the store: moves and edits are audited, visible to a second reader,
undoable, and a stale second edit is refused. The small district is the one described in
test_grid_coverage (grid C has no member; B holds m3 and m5)."""

from __future__ import annotations

import json

import pytest
import shapely
from test_grid_coverage import build_grid_store

from geo import auth
from geo import grid_coverage as gc
from geo import reassignment as ra
from geo.store import ConflictError, open_store


@pytest.fixture
def grid_store(tmp_path):
    return build_grid_store(tmp_path / "grids.gpkg")


LEADER = auth.Principal("leader1", auth.Role.GRID_LEADER, frozenset({"A", "B", "C", "D"}))
OTHER = auth.Principal("leader2", auth.Role.GRID_LEADER, frozenset({"A", "B", "C", "D"}))


def _member(store, member_id):
    return store.load("members", where={"id": member_id}).iloc[0]


def _flags(store):
    cov = gc.grid_coverage(store.load("grids"), store.load("members"), store.load("compounds"))
    return cov.set_index(gc.GRID_ID)[gc.FLAGS].to_dict()


def test_move_is_visible_to_second_reader_and_audited(grid_store):
    changes = ra.move_members(grid_store, ["m3"], "C", "补齐空白网格", account="leader1",
                              principal=LEADER)
    reader = open_store(grid_store.url)  # a second, independent reader of the same file
    moved = _member(reader, "m3")
    assert (moved["grid_id"], int(moved["version"])) == ("C", 2)
    grid_c = reader.load("grids", where={"id": "C"}).geometry.iloc[0]
    assert grid_c.contains(moved.geometry)
    assert _flags(reader)["C"] == ["far_home"]  # no longer empty; m3's home is 1,500 m away
    audit = reader.load("audit")
    assert len(audit) == 1
    row = audit.iloc[0]
    assert (row["id"], row["account"], row["action"], row["object_id"], row["reason"]) == (
        changes[0].audit_id, "leader1", "members.move", "m3", "补齐空白网格")
    before, after = json.loads(row["before"]), json.loads(row["after"])
    assert (before["grid_id"], before["version"]) == ("B", 1)
    assert (after["grid_id"], after["version"]) == ("C", 2)
    assert shapely.from_wkt(after["geometry"]).equals(moved.geometry)


def test_point_in_grid_is_deterministic_and_inside(grid_store):
    shape = grid_store.load("grids", where={"id": "C"}).geometry.iloc[0]
    first, again = ra.point_in_grid(shape, "m3"), ra.point_in_grid(shape, "m3")
    assert first.equals(again) and shape.contains(first)
    assert not first.equals(ra.point_in_grid(shape, "m5"))


def test_undo_restores_the_original(grid_store):
    original = _member(grid_store, "m3")
    changes = ra.move_members(grid_store, ["m3", "m5"], "C", "补齐空白网格", account="leader1",
                              principal=LEADER)
    assert _flags(grid_store)["B"] == ["no_member"]
    ra.undo(grid_store, [c.audit_id for c in changes], account="leader1", principal=LEADER)
    restored = _member(open_store(grid_store.url), "m3")
    assert restored["grid_id"] == "B" and int(restored["version"]) == 3
    assert restored.geometry.equals(original.geometry)
    assert _flags(grid_store) == {"A": ["far_home"], "B": ["overloaded"], "C": ["no_member"],
                                  "D": []}
    assert grid_store.load("audit")["action"].value_counts().to_dict() == {
        "members.move": 2, "members.undo": 2}


def test_stale_second_edit_is_refused(grid_store):
    version_read = int(_member(grid_store, "m4")["version"])  # both editors read version 1
    ra.set_post_duty(grid_store, ["m4"], "调整岗位", account="leader1", post="楼道长",
                     principal=LEADER, expected_versions={"m4": version_read})
    with pytest.raises(ConflictError) as refused:
        ra.set_post_duty(open_store(grid_store.url), ["m4"], "另一人修改", account="leader2",
                         duty="治安巡防", principal=OTHER, expected_versions={"m4": version_read})
    assert "已被他人修改" in str(refused.value) and "changed by someone else" in str(refused.value)
    member = _member(grid_store, "m4")
    assert (member["post"], member["duty"], int(member["version"])) == ("楼道长", "入户走访", 2)
    assert len(grid_store.load("audit")) == 1  # the refused edit wrote nothing


def test_undo_refused_when_member_changed_since(grid_store):
    [move] = ra.move_members(grid_store, ["m1"], "C", "支援", account="leader1", principal=LEADER)
    ra.set_post_duty(grid_store, ["m1"], "调整职责", account="leader2", duty="环境整治",
                     principal=OTHER)
    with pytest.raises(ConflictError):
        ra.undo(grid_store, move.audit_id, account="leader1", principal=LEADER)
    assert _member(grid_store, "m1")["grid_id"] == "C"


def test_requests_without_reason_or_values_are_refused(grid_store):
    with pytest.raises(ra.ReassignmentError):
        ra.move_members(grid_store, ["m1"], "C", "  ", account="leader1", principal=LEADER)
    with pytest.raises(ra.ReassignmentError):
        ra.set_post_duty(grid_store, ["m1"], "无内容", account="leader1", principal=LEADER)
    assert _member(grid_store, "m1")["grid_id"] == "A" and grid_store.load("audit").empty


def test_role_checks(grid_store):
    own_a_only = auth.Principal("leader3", auth.Role.GRID_LEADER, frozenset({"A"}))
    for principal in (own_a_only, auth.DEMO, auth.Principal("p", auth.Role.PLANNER), None):
        with pytest.raises(auth.PermissionDenied):
            ra.move_members(grid_store, ["m1"], "C", "越权", account="x", principal=principal)
    ra.move_members(grid_store, ["m1"], "C", "组织部调整", account="org",
                    principal=auth.Principal("org", auth.Role.ORG))
    audit = grid_store.load("audit")
    assert audit["outcome"].value_counts().to_dict() == {"refused": 4, "ok": 1}
    assert _member(grid_store, "m1")["grid_id"] == "C"


def test_new_points_are_made_before_the_writer_lock_is_taken(grid_store, monkeypatch):
    """Geometry work outside the transaction: other writers wait only for the writes."""
    import fcntl

    held = []
    made = ra.point_in_grid

    def watched(shape, member_id):
        with open(grid_store.path.with_name(grid_store.path.name + ".lock"), "a+") as lock:
            try:  # a second open file of this process: refused while the transaction holds it
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(lock, fcntl.LOCK_UN)
                held.append(False)
            except BlockingIOError:
                held.append(True)
        return made(shape, member_id)

    monkeypatch.setattr(ra, "point_in_grid", watched)
    ra.move_members(grid_store, ["m3"], "C", "补齐空白网格", account="leader1", principal=LEADER)
    assert held == [False]
    assert _member(open_store(grid_store.url), "m3")["grid_id"] == "C"
