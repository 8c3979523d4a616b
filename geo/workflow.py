"""Explicit state machines of service orders (居民点单 → 联盟下单 → 党员接单) and escalated cases
(问题逐级上报), and the store writes that move a record along them.

Every transition is validated (state, parameters, time order), then written in ONE store
transaction: the row is updated with its expected version, a ``workflow_events`` row is
appended, and an ``audit`` row is appended. Invalid transitions raise :class:`WorkflowError`
with a bilingual message naming the object, its current state and the attempted action.
The rules themselves (states, transitions, parameters, time checks) are pure and live in
:mod:`geo.workflow_rules`; this module re-exports them.
"""

from __future__ import annotations

import time
import uuid

import pandas as pd

from geo import audit, auth, clock
from geo.schema import ID, VERSION
from geo.store import NotFoundError, Store
from geo.workflow_rules import (  # noqa: F401 - the rules, re-exported
    ACTION_NAMES,
    AUDIT,
    CASE_CATEGORIES,
    CASE_HANDLERS,
    CASE_LEVELS,
    CASE_OPEN,
    CASE_SOURCES,
    CASE_STATUSES,
    CASES,
    EVENTS,
    LEVEL_HANDLER,
    LEVEL_NAMES,
    OBJECT_NAMES,
    ORDER_CATEGORIES,
    ORDER_CLOSED,
    ORDER_OPEN,
    ORDER_STATUSES,
    ORDERS,
    PERMISSION,
    STATE_NAMES,
    TIME_COLUMNS,
    TRANSITIONS,
    Transition,
    WorkflowError,
    _present,
    _when,
    check_time,
    last_time,
    next_actions,
    next_level,
    plan,
)


# ---------------------------------------------------------------- store writes
def business_now(store: Store) -> pd.Timestamp:
    """The store's business clock (naive UTC): see :func:`geo.clock.business_now`."""
    return clock.business_now(store.load("meta") if "meta" in store.layer_names() else None)


def _new_id(prefix: str, at: pd.Timestamp) -> str:
    """``SO20220425-…``: the date is the local one (display zone), as every shown date."""
    return f"{prefix}{clock.to_local(at):%Y%m%d}-{uuid.uuid4().hex[:8]}"


def _event_id(at: pd.Timestamp) -> str:
    """Event ids sort by business time, then by order of writing (timeline ties)."""
    return f"WE{at:%Y%m%d%H%M%S}-{time.time_ns():020d}-{uuid.uuid4().hex[:6]}"


def _plain(value):
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if hasattr(value, "item"):
        return value.item()
    return None if not _present(value) else value


def _load_row(store: Store, layer: str, row_id: str) -> dict:
    frame = store.load(layer, where={ID: row_id})
    if frame.empty:
        raise NotFoundError(layer, row_id)
    return {k: (None if not _present(v) else v) for k, v in frame.iloc[0].items()}


def _audit(tx, actor, action, layer, row_id, before, after, reason=None) -> None:
    """The audit row, inside the transaction of the write it describes, stamped with the real
    time of the write (the business time is in its "after" values)."""
    plain = {k: _plain(v) for k, v in (after or {}).items()}
    audit.record(tx, actor, f"workflow.{action}", layer, row_id,
                 {k: _plain(v) for k, v in before.items()} if before else None, plain,
                 reason=reason)


def _event_frame(event: dict, actor: str) -> pd.DataFrame:
    return pd.DataFrame([{ID: _event_id(pd.Timestamp(event["at"])), "actor": actor, **event}])


def _authorize(store: Store, principal, layer: str, row_id: str, grid_id) -> str:
    """``geo.auth.require(principal, 'workflow', grid_ids=[grid])`` (refusals audited);
    returns the acting account's name."""
    auth.require(principal, PERMISSION, store=store, grid_ids=[grid_id], object_layer=layer,
                 object_id=row_id)
    return principal.name


def advance(store: Store, layer: str, row_id: str, action: str, *, actor: str = "system",
            principal=None, at=None, expected_version: int | None = None, **params) -> dict:
    """Apply ``action`` to one order or case; return the row after the change.

    ``at``: when it happened (naive UTC or tz-aware); default now on the store's business clock
    (:func:`business_now`). It may not be before the previous step nor in the future.
    With ``principal`` (pages) the role is checked first and the principal is the actor;
    without it the caller is trusted server code (command line, generator, tests)."""
    row = _load_row(store, layer, row_id)
    if principal is not None:
        actor = _authorize(store, principal, layer, row_id, row.get("grid_id"))
    events = store.load(EVENTS, where={"object_id": row_id})
    previous = last_time(layer, row, events)
    now = business_now(store)
    if at is None:  # a step recorded after the clock (sample day wrap): right after it
        at = max(now, previous) if previous is not None else now
    changes, event = plan(layer, row, action, at, previous=previous, now=now, **params)
    version = int(expected_version if expected_version is not None else row[VERSION])
    with store.transaction(actor) as tx:
        tx.update(layer, row_id, changes, expected_version=version)
        tx.append(EVENTS, _event_frame(event, actor))
        _audit(tx, actor, action, layer, row_id, {k: row.get(k) for k in changes}, changes,
               event.get("note"))
    return {**row, **changes, VERSION: version + 1}


def _create(store: Store, layer: str, row: dict, actor: str, principal, status_time: str,
            level: str | None = None) -> dict:
    if principal is not None:
        actor = _authorize(store, principal, layer, row[ID], row["grid_id"])
    at = pd.Timestamp(row[status_time])
    event = {"object_layer": layer, "object_id": row[ID], "at": at, "from_status": None,
             "to_status": row["status"], "level": level, "note": None}
    with store.transaction(actor) as tx:
        tx.append(layer, pd.DataFrame([row]))
        tx.append(EVENTS, _event_frame(event, actor))
        _audit(tx, actor, "create", layer, row[ID], None, row)
    return {**row, VERSION: 1}


def _creation_time(store: Store, layer: str, at) -> pd.Timestamp:
    """When a new order or case was made: now on the business clock, or ``at`` (refused
    when in the future)."""
    now = business_now(store)
    if at is None:
        return now
    at = clock.as_utc(at)
    if at > now:
        obj_zh, obj_en = OBJECT_NAMES[layer]
        raise WorkflowError(f"{obj_zh}时间 {_when(at)} 晚于当前时间 {_when(now)} | "
                            f"{obj_en} time {_when(at)} is in the future (now {_when(now)})")
    return at


def _grid_of(store: Store, compound_id: str) -> str:
    compounds = store.load("compounds", where={ID: compound_id})
    if compounds.empty:
        raise NotFoundError("compounds", compound_id)
    return compounds.iloc[0]["grid_id"]


def create_order(store: Store, *, category: str, compound_id: str, requester_name: str,
                 requester_phone: str, text: str, actor: str = "system", principal=None,
                 at=None, grid_id: str | None = None) -> dict:
    """A new service order (居民点单) in state ``created``; returns the new row. ``at``:
    default now on the business clock, never in the future."""
    at = _creation_time(store, ORDERS, at)
    if not str(text or "").strip() or not category:
        raise WorkflowError("工单须有类别和内容 | a service order needs a category and a text")
    row = {
        ID: _new_id("SO", at), "category": category, "compound_id": compound_id,
        "grid_id": grid_id or _grid_of(store, compound_id), "requester_name": requester_name,
        "requester_phone": requester_phone, "text": text.strip(), "status": "created",
        "created_at": at,
    }
    _check_row(ORDERS, row)
    return _create(store, ORDERS, row, actor, principal, "created_at")


FIELD_CODES = ("too_long", "bad_type", "bad_choice", "not_normal", "below_minimum")


def _check_row(layer: str, row: dict) -> None:
    """The schema's field rules (geo.schema via geo.validation: lengths, types, choices,
    invisible characters in ids), the same the importer and ``hongtu validate`` apply."""
    import pandas as pd

    from geo import validation

    problems = [p for p in validation.validate_layer(layer, pd.DataFrame([row]), {})
                if p.code in FIELD_CODES]
    if problems:
        raise WorkflowError("; ".join(f"{p.field}: {p.message_zh} | {p.message_en}"[:300]
                                      for p in problems))


def create_case(store: Store, *, category: str, source: str, compound_id: str, text: str,
                actor: str = "system", principal=None, at=None, hard_problem: bool = False,
                grid_id: str | None = None) -> dict:
    """A new case (问题上报) in state ``reported`` at compound level; returns the new row.
    ``at``: default now on the business clock, never in the future."""
    at = _creation_time(store, CASES, at)
    if source not in CASE_SOURCES:
        raise WorkflowError(f"未知来源 {source} | unknown source {source!r}")
    if not str(text or "").strip() or not category:
        raise WorkflowError("事件须有类别和内容 | a case needs a category and a text")
    row = {
        ID: _new_id("CS", at), "category": category, "source": source,
        "compound_id": compound_id, "grid_id": grid_id or _grid_of(store, compound_id),
        "text": text.strip(), "status": "reported", "level": CASE_LEVELS[0],
        "handler": LEVEL_HANDLER[CASE_LEVELS[0]], "hard_problem": bool(hard_problem),
        "reported_at": at,
    }
    return _create(store, CASES, row, actor, principal, "reported_at", level=CASE_LEVELS[0])
