"""The state machines of service orders (居民点单 → 联盟下单 → 党员接单) and escalated cases
(问题逐级上报), as pure rules: states, transitions, their parameters and time checks, and the
change each transition makes to a row (:func:`plan`). The store writes are in
:mod:`geo.workflow`, which re-exports these names."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import pandas as pd

from geo import audit, clock
from geo.schema import ID

ORDERS = "service_orders"
CASES = "cases"
EVENTS = "workflow_events"
AUDIT = audit.AUDIT
PERMISSION = "workflow"  # geo.auth action

# ---------------------------------------------------------------- service orders
ORDER_STATUSES = ("created", "dispatched", "taken", "done", "rated", "cancelled")
ORDER_OPEN = ("created", "dispatched", "taken")
ORDER_CLOSED = ("done", "rated")
ORDER_CATEGORIES = (
    "微心愿", "助老服务", "家电维修", "代购代办", "环境整治", "法律咨询", "心理疏导", "助学辅导",
)
# ---------------------------------------------------------------- cases
CASE_STATUSES = ("reported", "accepted", "escalated", "closed")
CASE_OPEN = ("reported", "accepted", "escalated")
CASE_LEVELS = ("compound", "community", "street", "district")
CASE_SOURCES = ("complaint", "patrol", "report")
CASE_HANDLERS = ("instructor", "joint_duty_station", "department")
CASE_CATEGORIES = (
    "高空抛物", "私搭乱建", "治安隐患", "消防通道占用", "物业纠纷", "环境卫生", "停车管理", "噪音扰民",
)
LEVEL_HANDLER = {
    "compound": "instructor", "community": "instructor",
    "street": "joint_duty_station", "district": "department",
}

OBJECT_NAMES = {ORDERS: ("工单", "service order"), CASES: ("事件", "case")}
STATE_NAMES = {
    "created": ("已点单", "created"), "dispatched": ("已派单", "dispatched"),
    "taken": ("已接单", "taken"), "done": ("已办结", "done"), "rated": ("已评价", "rated"),
    "cancelled": ("已取消", "cancelled"), "reported": ("已上报", "reported"),
    "accepted": ("已受理", "accepted"), "escalated": ("已上报上级", "escalated"),
    "closed": ("已办结", "closed"),
}
ACTION_NAMES = {
    "dispatch": ("派单", "dispatch"), "take": ("接单", "take"), "complete": ("办结", "complete"),
    "rate": ("评价", "rate"), "cancel": ("取消", "cancel"), "accept": ("受理", "accept"),
    "escalate": ("逐级上报", "escalate"), "close": ("办结", "close"),
    "record_satisfaction": ("回访满意度", "record satisfaction"),
}
LEVEL_NAMES = {
    "compound": ("小区", "compound"), "community": ("社区", "community"),
    "street": ("街道", "street"), "district": ("区级", "district"),
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the status does not change
    time_column: str | None  # the row's column that records when it happened


TRANSITIONS: dict[str, dict[str, Transition]] = {
    ORDERS: {
        "dispatch": Transition("dispatch", ("created",), "dispatched", "dispatched_at"),
        "take": Transition("take", ("dispatched",), "taken", "taken_at"),
        "complete": Transition("complete", ("taken",), "done", "done_at"),
        "rate": Transition("rate", ("done",), "rated", "rated_at"),
        "cancel": Transition("cancel", ("created", "dispatched"), "cancelled", None),
    },
    CASES: {
        "accept": Transition("accept", ("reported",), "accepted", "accepted_at"),
        "escalate": Transition("escalate", ("accepted", "escalated"), "escalated", None),
        "close": Transition("close", ("accepted", "escalated"), "closed", "closed_at"),
        "record_satisfaction": Transition("record_satisfaction", ("closed",), None, None),
    },
}
TIME_COLUMNS = {
    ORDERS: ("created_at", "dispatched_at", "taken_at", "done_at", "rated_at"),
    CASES: ("reported_at", "accepted_at", "closed_at"),
}


class WorkflowError(ValueError):
    """A transition that the workflow does not allow; the store is unchanged."""


def _zh_en(table: dict, key: str) -> tuple[str, str]:
    return table.get(key, (key, key))


def _refuse(layer: str, row: dict, action: str, zh: str, en: str) -> WorkflowError:
    obj_zh, obj_en = _zh_en(OBJECT_NAMES, layer)
    st_zh, st_en = _zh_en(STATE_NAMES, str(row.get("status")))
    ac_zh, ac_en = _zh_en(ACTION_NAMES, action)
    return WorkflowError(
        f"{obj_zh} {row.get(ID)}(当前状态「{st_zh}」)不能{ac_zh}:{zh} | "
        f"{obj_en} {row.get(ID)} (state {st_en}) cannot {ac_en}: {en}"
    )


def next_actions(layer: str, row: dict) -> list[str]:
    """The actions valid for a row in its current state (what the page offers as buttons)."""
    actions = []
    for name, tr in TRANSITIONS[layer].items():
        if row.get("status") not in tr.sources:
            continue
        if name == "escalate" and row.get("level") == CASE_LEVELS[-1]:
            continue
        if name == "record_satisfaction" and _present(row.get("satisfied")):
            continue
        actions.append(name)
    return actions


def next_level(level: str) -> str | None:
    i = CASE_LEVELS.index(level)
    return CASE_LEVELS[i + 1] if i + 1 < len(CASE_LEVELS) else None


def _present(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return False
    return not (isinstance(value, float) and pd.isna(value))


def last_time(layer: str, row: dict, events: pd.DataFrame | None = None) -> pd.Timestamp | None:
    """The time of the row's latest step: its time columns and its workflow events."""
    times = [pd.Timestamp(row[c]) for c in TIME_COLUMNS[layer] if _present(row.get(c))]
    if events is not None and len(events):
        times.append(pd.Timestamp(events["at"].max()))
    return max(times) if times else None


def _when(value) -> str:
    return f"{clock.local_text(value)} ({clock.zone_name()})"


def check_time(layer: str, row: dict, action: str, at, previous: pd.Timestamp | None,
               now: pd.Timestamp | None) -> pd.Timestamp:
    """``at`` as naive UTC, refused when before the previous step or after ``now`` (the
    business clock; a previous step recorded after it moves it forward)."""
    at = clock.as_utc(at)
    if previous is not None and at < previous:
        raise _refuse(layer, row, action, f"时间 {_when(at)} 早于上一步 {_when(previous)}",
                      f"time {_when(at)} is before the previous step {_when(previous)}")
    latest = max(t for t in (now, previous) if t is not None) if now is not None else None
    if latest is not None and at > latest:
        raise _refuse(layer, row, action, f"时间 {_when(at)} 晚于当前时间 {_when(latest)}",
                      f"time {_when(at)} is in the future (now {_when(latest)})")
    return at


def plan(layer: str, row: dict, action: str, at, previous: pd.Timestamp | None = None,
         now: pd.Timestamp | None = None, **params) -> tuple[dict, dict]:
    """Validate ``action`` on ``row`` at time ``at`` (naive UTC); return (row changes,
    workflow event).

    Pure: reads nothing and writes nothing. ``previous`` is the time of the latest step
    (default: from the row's time columns); ``now`` the business clock (no future check
    without it)."""
    if layer not in TRANSITIONS:
        raise KeyError(f"no workflow for layer {layer!r}")
    tr = TRANSITIONS[layer].get(action)
    if tr is None:
        raise _refuse(layer, row, action, "未知操作", "unknown action")
    if row.get("status") not in tr.sources:
        allowed = "、".join(_zh_en(STATE_NAMES, s)[0] for s in tr.sources)
        raise _refuse(layer, row, action, f"仅在「{allowed}」状态下可以",
                      f"only allowed in state {'/'.join(tr.sources)}")
    previous = previous if previous is not None else last_time(layer, row)
    at = check_time(layer, row, action, at, previous, now)
    changes: dict = {}
    if tr.target is not None:
        changes["status"] = tr.target
    if tr.time_column:
        changes[tr.time_column] = at
    level = row.get("level") if layer == CASES else None
    note = params.get("note") or None
    _ACTION_PARAMS[action](layer, row, action, params, changes)
    if action == "escalate":
        level, note = changes["level"], params["reason"].strip()
    event = {
        "object_layer": layer, "object_id": row[ID], "at": at,
        "from_status": row.get("status"), "to_status": changes.get("status", row.get("status")),
        "level": level, "note": note,
    }
    return changes, event


def _dispatch(layer, row, action, params, changes):
    alliance, team = params.get("party_alliance_id"), params.get("volunteer_team_id")
    if not alliance and not team:
        raise _refuse(layer, row, action, "须指定党建联盟或志愿服务队",
                      "a party alliance or a volunteer team is required")
    changes.update(party_alliance_id=alliance or None, volunteer_team_id=team or None)


def _take(layer, row, action, params, changes):
    if not params.get("member_id"):
        raise _refuse(layer, row, action, "须指定接单党员", "the member taking it is required")
    changes["member_id"] = params["member_id"]


def _rate(layer, row, action, params, changes):
    rating = params.get("rating")
    valid = isinstance(rating, numbers.Real) and not isinstance(rating, bool)
    if not valid or int(rating) != rating or not 1 <= int(rating) <= 5:
        raise _refuse(layer, row, action, f"评分须为 1-5 的整数(收到 {rating})",
                      f"rating must be an integer 1-5 (got {rating})")
    changes["rating"] = int(rating)


def _accept(layer, row, action, params, changes):
    handler = params.get("handler") or LEVEL_HANDLER[row.get("level") or CASE_LEVELS[0]]
    if handler not in CASE_HANDLERS:
        raise _refuse(layer, row, action, f"未知处置主体 {handler}", f"unknown handler {handler}")
    changes["handler"] = handler
    if params.get("joint_duty_station_id"):
        changes["joint_duty_station_id"] = params["joint_duty_station_id"]


def _escalate(layer, row, action, params, changes):
    current = row.get("level") or CASE_LEVELS[0]
    target = next_level(current)
    if target is None:
        raise _refuse(layer, row, action, "已在区级,不能再上报", "already at district level")
    wanted = params.get("to_level") or target
    if wanted != target:
        raise _refuse(
            layer, row, action,
            f"只能逐级上报:{_zh_en(LEVEL_NAMES, current)[0]} → {_zh_en(LEVEL_NAMES, target)[0]},"
            f"不能直接到{_zh_en(LEVEL_NAMES, wanted)[0]}",
            f"escalation goes one level at a time: {current} -> {target}, not {wanted}",
        )
    if not str(params.get("reason") or "").strip():
        raise _refuse(layer, row, action, "须填写上报理由", "a reason is required")
    changes["level"] = target
    changes["handler"] = params.get("handler") or LEVEL_HANDLER[target]
    if params.get("joint_duty_station_id"):
        changes["joint_duty_station_id"] = params["joint_duty_station_id"]


def _close(layer, row, action, params, changes):
    satisfied = params.get("satisfied")
    if satisfied is not None:
        changes["satisfied"] = bool(satisfied)


def _record_satisfaction(layer, row, action, params, changes):
    if _present(row.get("satisfied")):
        raise _refuse(layer, row, action, "满意度已回访记录", "satisfaction already recorded")
    if params.get("satisfied") is None:
        raise _refuse(layer, row, action, "须给出满意或不满意", "satisfied yes/no is required")
    changes["satisfied"] = bool(params["satisfied"])


def _nothing(layer, row, action, params, changes):
    return None


_ACTION_PARAMS = {
    "dispatch": _dispatch, "take": _take, "complete": _nothing, "rate": _rate,
    "cancel": _nothing, "accept": _accept, "escalate": _escalate, "close": _close,
    "record_satisfaction": _record_satisfaction,
}
