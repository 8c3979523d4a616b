"""Generated joint meetings and governance cases of the sample district, with the cases'
workflow events (reported, accepted, escalated level by level, closed), and the time helpers
the activity generator shares (:mod:`geo.sample.activity`, which holds the counts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.kpis import DISCLOSURE_BEFORE, MEETINGS_SINCE, complaint_periods
from geo.schema import ID
from geo.workflow import CASE_CATEGORIES, CASE_LEVELS, LEVEL_HANDLER

if TYPE_CHECKING:
    from geo.sample.activity import _Context

CASE_WEIGHTS = (.14, .18, .14, .12, .14, .12, .10, .06)
CASE_TEXTS = {
    "高空抛物": "楼上住户向下抛掷杂物", "私搭乱建": "一楼住户在公共绿地搭建棚屋",
    "治安隐患": "小区围墙破损,外来人员随意进出", "消防通道占用": "消防通道长期停放车辆",
    "物业纠纷": "业主与物业就收费标准发生争议", "环境卫生": "垃圾分类投放点异味严重",
    "停车管理": "小区内车位不足,乱停乱放", "噪音扰民": "夜间装修噪音扰民",
}
MEETING_TOPICS = ("停车位改造方案", "电梯加装议事", "维修基金使用", "物业服务评议", "垃圾分类推进",
                  "消防通道整治", "绿化提升方案", "业委会换届筹备")
LEVEL_PROBS = (.62, .25, .10, .03)
CLOSE_MEDIAN_HOURS = (22.0, 60.0, 130.0, 300.0)  # by final level


def _minutes(ts: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(ts).floor("min")


def _lognormal_hours(rng, median: float, sigma: float, n: int, cap: float) -> np.ndarray:
    return np.minimum(rng.lognormal(np.log(median), sigma, n), cap)


def _uniform_times(rng, start, end, n: int) -> pd.DatetimeIndex:
    """n times between start and end, mostly in the daytime."""
    days = (pd.Timestamp(end) - pd.Timestamp(start)).days
    day = rng.integers(0, max(days, 1), n)
    hour = rng.integers(7, 22, n) + rng.random(n)
    times = pd.Timestamp(start) + pd.to_timedelta(day, "D") + pd.to_timedelta(hour, "h")
    return _minutes(np.minimum(times.values, (pd.Timestamp(end) - pd.Timedelta("1min"))
                               .to_datetime64()))


# ---------------------------------------------------------------- joint meetings and cases
ESCALATION_REASONS = ("小区层面无法解决,需社区协调", "涉及多个部门,需街道联勤共治站处置",
                      "需区级职能部门执法", "涉及规划审批,需上级部门认定")


def _meetings(ctx: _Context) -> tuple[pd.DataFrame, np.ndarray]:
    rng = ctx.rng
    spans = ((MEETINGS_SINCE, ctx.as_of, ctx.n("meetings"), ctx.n("deliberated")),
             (pd.Timestamp(DISCLOSURE_BEFORE[0]), MEETINGS_SINCE - pd.Timedelta(days=1),
              ctx.n("early_meetings"), ctx.n("early_deliberated")))
    held, links = [], []
    for start, end, n, cases in spans:
        days = rng.integers(0, (end - start).days + 1, n)
        held.append((start + pd.to_timedelta(days, "D")).values)
        links.append(1 + rng.multinomial(cases - n, np.full(n, 1 / n)))
    held_on = pd.DatetimeIndex(np.concatenate(held))
    order = np.argsort(held_on.values, kind="stable")
    frame = pd.DataFrame({
        "compound_id": ctx.choose_compounds(len(held_on)), "held_on": held_on[order],
        "topic": rng.choice(MEETING_TOPICS, len(held_on)),
        "attendees": rng.integers(6, 21, len(held_on)),
    })
    frame.insert(0, ID, [f"JM{i:05d}" for i in range(1, len(frame) + 1)])
    return frame, np.concatenate(links)[order]


def _cases(ctx: _Context, meetings: pd.DataFrame, links: np.ndarray) -> pd.DataFrame:
    rng = ctx.rng
    (start, _end), (prev_start, _prev_end) = complaint_periods(ctx.as_of)
    which = np.repeat(np.arange(len(meetings)), links)
    meeting_time = (meetings["held_on"].to_numpy()[which] + pd.Timedelta(hours=19))
    n_del, n_before, n_recent = len(which), ctx.n("cases_before"), ctx.n("recent_open_cases")
    recent_start = ctx.as_of - pd.Timedelta(days=4)
    reported = np.concatenate([
        _minutes(meeting_time - pd.to_timedelta(rng.uniform(24, 480, n_del), "h")).values,
        _uniform_times(rng, start, recent_start, ctx.n("free_cases_now") - n_recent).values,
        _uniform_times(rng, recent_start, ctx.cutoff, n_recent).values,
        _uniform_times(rng, prev_start, start, n_before).values])
    n = len(reported)
    compound = np.concatenate([meetings["compound_id"].to_numpy()[which],
                               ctx.choose_compounds(n - n_del)])
    accepted = reported + pd.to_timedelta(_lognormal_hours(rng, 3, .8, n, 48), "h").values
    accepted[:n_del] = np.minimum(accepted[:n_del], meeting_time - pd.Timedelta(hours=1))
    level = rng.choice(len(CASE_LEVELS), n, p=LEVEL_PROBS)
    hours = rng.lognormal(np.log(np.array(CLOSE_MEDIAN_HOURS)[level]), .6)
    closed = accepted + pd.to_timedelta(np.minimum(hours, 1440), "h").values
    closed[:n_del] = np.maximum(closed[:n_del], meeting_time + pd.to_timedelta(
        _lognormal_hours(rng, 48, .6, n_del, 720), "h").values)
    frame = pd.DataFrame({"reported_at": _minutes(reported), "accepted_at": _minutes(accepted),
                          "closed_at": _minutes(closed), "compound_id": compound})
    recent = np.arange(n_del + ctx.n("free_cases_now") - n_recent, n - n_before)
    frame.loc[recent, "closed_at"] = pd.NaT
    frame.loc[recent[: max(1, len(recent) // 4)], "accepted_at"] = pd.NaT  # not yet accepted
    escalations = []
    for step in range(1, len(CASE_LEVELS)):
        span = (frame["closed_at"].fillna(frame["accepted_at"] + pd.Timedelta(hours=6 * (
            len(CASE_LEVELS) + 1))) - frame["accepted_at"])
        at = _minutes((frame["accepted_at"] + span * step / (level + 1)).values)
        escalations.append(pd.Series(at).where(level >= step))
    frame.loc[frame["accepted_at"] > ctx.cutoff, ["accepted_at", "closed_at"]] = pd.NaT
    frame.loc[frame["closed_at"] > ctx.cutoff, "closed_at"] = pd.NaT
    reached = sum(((e <= ctx.cutoff) & frame["accepted_at"].notna()).astype(int)
                  for e in escalations)
    frame["level"] = np.array(CASE_LEVELS, dtype=object)[reached]
    frame["status"] = np.select(
        [frame["closed_at"].notna(), reached > 0, frame["accepted_at"].notna()],
        ["closed", "escalated", "accepted"], "reported")
    for step, at in enumerate(escalations, start=1):
        frame[f"escalated_{step}"] = at.where(reached >= step)
    source = rng.choice(np.array(["patrol", "report"], dtype=object), n)
    now_idx = np.arange(n - n_before)
    source[rng.choice(now_idx, ctx.n("complaints_now"), replace=False)] = "complaint"
    source[rng.choice(np.arange(n - n_before, n), ctx.n("complaints_before"),
                      replace=False)] = "complaint"
    closed_idx = np.flatnonzero(frame["closed_at"].notna())
    answered = rng.choice(closed_idx, ctx.n("answered"), replace=False)
    satisfied = pd.array([pd.NA] * n, dtype="boolean")
    satisfied[answered] = np.arange(len(answered)) < ctx.n("satisfied")
    hard = np.zeros(n, bool)
    escalated_closed = closed_idx[reached[closed_idx] > 0]
    pool = escalated_closed if len(escalated_closed) >= ctx.n("hard_solved") else closed_idx
    hard[rng.choice(pool, ctx.n("hard_solved"), replace=False)] = True
    open_idx = np.flatnonzero(frame["closed_at"].isna())
    hard[rng.choice(open_idx, min(ctx.n("hard_open"), len(open_idx)), replace=False)] = True
    category = rng.choice(CASE_CATEGORIES, n, p=CASE_WEIGHTS)
    handler = frame["level"].map(LEVEL_HANDLER)
    station = rng.choice(ctx.stations, n) if len(ctx.stations) else np.full(n, None)
    frame = frame.assign(
        category=category, source=source, grid_id=[ctx.grid[c] for c in compound],
        text=[CASE_TEXTS[c] for c in category], handler=handler,
        joint_duty_station_id=np.where(handler == "joint_duty_station", station, None),
        joint_meeting_id=np.concatenate([meetings[ID].to_numpy()[which],
                                         np.full(n - n_del, None)]),
        hard_problem=hard, satisfied=satisfied,
    )
    frame = frame.sort_values("reported_at", kind="stable").reset_index(drop=True)
    frame.insert(0, ID, [f"CS{i:06d}" for i in range(1, n + 1)])
    return frame


def _case_events(rng, cases: pd.DataFrame) -> list[pd.DataFrame]:
    def rows(mask, at, actor, from_status, to_status, level, note=None):
        mask = np.asarray(mask)

        def pick(value):  # full-length arrays are filtered, scalars repeated
            return np.asarray(value, dtype=object)[mask] if np.ndim(value) else value

        return pd.DataFrame({
            "object_layer": "cases", "object_id": cases[ID].to_numpy()[mask],
            "at": cases[at].to_numpy()[mask], "actor": pick(actor),
            "from_status": pick(from_status), "to_status": to_status, "level": pick(level),
            "note": pick(note)})

    parts = [rows(cases["reported_at"].notna(), "reported_at", cases["source"], None,
                  "reported", "compound"),
             rows(cases["accepted_at"].notna(), "accepted_at", "instructor", "reported",
                  "accepted", "compound")]
    for step in range(1, len(CASE_LEVELS)):
        column = f"escalated_{step}"
        if column in cases:
            mask = cases[column].notna()
            parts.append(rows(mask, column, LEVEL_HANDLER[CASE_LEVELS[step - 1]],
                              "accepted" if step == 1 else "escalated", "escalated",
                              CASE_LEVELS[step], rng.choice(ESCALATION_REASONS, len(cases))))
    closed = cases["closed_at"].notna()
    parts.append(rows(closed, "closed_at", cases["handler"],
                      np.where(cases["level"] == "compound", "accepted", "escalated"),
                      "closed", cases["level"]))
    return parts
