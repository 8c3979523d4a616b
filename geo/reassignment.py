"""Reassigning in-service Party members (一编三定): move to another grid, set post and duty.

Every call writes ONE store transaction holding the member updates (optimistic locking on the
``version`` column: a stale version raises :class:`geo.store.ConflictError`) and one audit row per
member with who, when, before and after. A move also moves the member's point into the new grid
(the grid's representative point, jittered deterministically by member id so members of one grid
do not sit on top of each other). :func:`undo` restores the before values of an audited change,
refusing if the member changed since. Every call checks ``geo.auth.require(principal,
"edit_members", grid_ids=...)`` over the grids involved (the members' current grids and the
target): org anywhere, grid leaders only within their own grids, everybody else (and a missing
principal) refused, the refusal audited.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import Point

from geo import audit, auth
from geo.schema import GEOMETRY, ID, METRIC_CRS, VERSION, WGS84
from geo.store import ConflictError, NotFoundError, Store, StoreError

LAYER = "members"
AUDIT_LAYER = "audit"
GRID_ID = "grid_id"
POST = "post"
DUTY = "duty"
ACTION_MOVE = "members.move"
ACTION_EDIT = "members.edit"
ACTION_UNDO = "members.undo"
UNDOABLE = (ACTION_MOVE, ACTION_EDIT)
PERMISSION = "edit_members"
JITTER_M = 60.0  # at most this far from the grid's representative point


class ReassignmentError(StoreError):
    """A reassignment request that cannot be applied (nothing changed in the store)."""


@dataclass(frozen=True)
class Change:
    """One audited change of one member."""

    audit_id: str
    member_id: str
    before: dict
    after: dict


def point_in_grid(grid_shape, member_id: str) -> Point:
    """A point inside ``grid_shape`` (WGS84) for ``member_id``: the grid's representative point,
    shifted up to JITTER_M metres in a direction and distance derived from the id."""
    metric = gpd.GeoSeries([grid_shape], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    anchor = metric.representative_point()
    digest = hashlib.sha256(member_id.encode()).digest()
    angle = digest[0] / 256 * 2 * math.pi
    radius = min(JITTER_M, math.sqrt(metric.area) / 4) * (0.3 + 0.7 * digest[1] / 255)
    moved = Point(anchor.x + radius * math.cos(angle), anchor.y + radius * math.sin(angle))
    chosen = moved if metric.contains(moved) else anchor
    return gpd.GeoSeries([chosen], crs=METRIC_CRS).to_crs(WGS84).iloc[0]


def reassign(
    store: Store, member_ids: list[str], reason: str, account: str, grid_id: str | None = None,
    post: str | None = None, duty: str | None = None, principal=None,
    expected_versions: dict[str, int] | None = None,
) -> list[Change]:
    """Move members to grid ``grid_id`` (their points too) and/or set their post and duty
    (None or "" leaves a value unchanged): one transaction, one audit row per member."""
    values = {k: v for k, v in ((POST, post), (DUTY, duty)) if v not in (None, "")}
    shape = None
    if grid_id:
        grids = store.load("grids", where={ID: grid_id})
        if grids.empty:
            raise NotFoundError("grids", grid_id)
        shape = grids.geometry.iloc[0]
    elif not values:
        raise ReassignmentError("未选择网格,也未填写岗位或职责 | no grid, post or duty given")

    def changes(member: pd.Series) -> dict:
        moved = {GRID_ID: grid_id, GEOMETRY: point_in_grid(shape, str(member[ID]))} if grid_id else {}
        return {**moved, **values}

    action = ACTION_MOVE if grid_id else ACTION_EDIT
    return _apply(store, member_ids, changes, action, reason, account, principal,
                  expected_versions, extra_grids=[grid_id])


def move_members(
    store: Store, member_ids: list[str], grid_id: str, reason: str, account: str,
    principal=None, expected_versions: dict[str, int] | None = None,
) -> list[Change]:
    """Move members to grid ``grid_id`` (their points too), in one transaction."""
    return reassign(store, member_ids, reason, account, grid_id=grid_id, principal=principal,
                    expected_versions=expected_versions)


def set_post_duty(
    store: Store, member_ids: list[str], reason: str, account: str, post: str | None = None,
    duty: str | None = None, principal=None, expected_versions: dict[str, int] | None = None,
) -> list[Change]:
    """Set post and/or duty of members (None leaves a value unchanged), in one transaction."""
    return reassign(store, member_ids, reason, account, post=post, duty=duty,
                    principal=principal, expected_versions=expected_versions)


def undo(store: Store, audit_ids: str | list[str], account: str, principal=None) -> list[Change]:
    """Restore the before values of audited changes (one transaction); refuse with
    ConflictError when a member changed after the audited change."""
    ids = [audit_ids] if isinstance(audit_ids, str) else list(audit_ids)
    rows = []
    for audit_id in ids:
        found = store.load(AUDIT_LAYER, where={ID: audit_id})
        if found.empty:
            raise NotFoundError(AUDIT_LAYER, audit_id)
        row = found.iloc[0]
        if row["action"] not in UNDOABLE:
            raise ReassignmentError(f"{audit_id}: 该操作不能撤销 | action {row['action']} "
                                    "cannot be undone")
        rows.append((audit_id, row["object_id"], json.loads(row["before"]),
                     json.loads(row["after"])))
    by_member = {member_id: (audit_id, before, after) for audit_id, member_id, before, after in rows}
    if len(by_member) != len(rows):
        raise ReassignmentError("同一党员的多次修改请逐次撤销 | undo one change per member at a time")

    def changes(member: pd.Series) -> dict:
        _, before, _ = by_member[member[ID]]
        restored = {k: v for k, v in before.items() if k not in (VERSION, GEOMETRY)}
        if before.get(GEOMETRY):
            restored[GEOMETRY] = shapely.from_wkt(before[GEOMETRY])
        return restored

    expected = {m: int(after[VERSION]) for m, (_, _, after) in by_member.items()}
    reasons = {m: f"undo {a}" for m, (a, _, _) in by_member.items()}
    return _apply(store, list(by_member), changes, ACTION_UNDO, reasons, account, principal,
                  expected, extra_grids=[b.get(GRID_ID) for _, b, _ in by_member.values()])


def _apply(store, member_ids, make_changes, action, reason, account, principal,
           expected_versions, extra_grids=()) -> list[Change]:
    reasons = reason if isinstance(reason, dict) else {m: reason for m in member_ids}
    if not member_ids:
        raise ReassignmentError("未选择党员 | no member chosen")
    if any(not str(reasons.get(m) or "").strip() for m in member_ids):
        raise ReassignmentError("请填写调整原因 | a reason is required")
    read = store.load(LAYER, where={ID: list(member_ids)}).set_index(ID, drop=False)
    missing = [m for m in member_ids if m not in read.index]
    if missing:
        raise NotFoundError(LAYER, ", ".join(missing))
    grids = set(read.loc[member_ids, GRID_ID]) | {g for g in extra_grids if g}
    _authorize(store, principal, sorted(grids), list(member_ids))
    # made before the transaction (a new point is geometry work): the writer lock is held
    # only for the writes, and every other writer waits that much less (issue #27)
    made = {m: make_changes(read.loc[m]) for m in member_ids}
    applied = []
    with store.transaction(account) as tx:
        for member_id in member_ids:
            # The rows read above (by id: an edit costs the same in any size of district) are
            # the rows changed: each update below expects the version read, so a member changed
            # since (moved out of the checked grids, or edited) is a ConflictError, as is one
            # changed since the caller drew it (``expected_versions``).
            member = read.loc[member_id]
            seen = int(member[VERSION])
            wanted = (expected_versions or {}).get(member_id, seen)
            if int(wanted) != seen:
                raise ConflictError(LAYER, member_id, int(wanted), seen)
            changes = made[member_id]
            before = {k: _plain(member[k]) for k in changes if k != GEOMETRY}
            after = {k: v for k, v in changes.items() if k != GEOMETRY}
            stored = _update(tx, member_id, changes, seen)
            if GEOMETRY in changes and stored:
                before[GEOMETRY] = member[GEOMETRY].wkt
                after[GEOMETRY] = changes[GEOMETRY].wkt
            before[VERSION], after[VERSION] = seen, seen + 1
            audit_id = audit.record(tx, account, action, LAYER, member_id, before, after,
                                    reasons[member_id])
            applied.append(Change(audit_id, member_id, before, after))
    return applied


def _update(tx, member_id: str, changes: dict, expected: int) -> bool:
    """tx.update with the point; a backend that cannot update geometry keeps the old point
    (the map then places members by grid). Returns whether the point was written."""
    try:
        tx.update(LAYER, member_id, changes, expected_version=expected)
        return True
    except ConflictError:
        raise
    except StoreError as exc:
        if GEOMETRY not in changes or GEOMETRY not in str(exc):
            raise
    attributes = {k: v for k, v in changes.items() if k != GEOMETRY}
    tx.update(LAYER, member_id, attributes, expected_version=expected)
    return False


def _authorize(store, principal, grid_ids: list[str], member_ids: list[str]) -> None:
    """geo.auth.require(principal, 'edit_members', grid_ids=...): org everywhere, grid leaders
    only when every grid involved (from and to) is theirs; refusals are audited."""
    auth.require(principal, PERMISSION, store=store, grid_ids=grid_ids, object_layer=LAYER,
                 object_id=",".join(member_ids))


def _plain(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value
