"""Generated activity of the sample district: service orders, cases (with their workflow
events), joint meetings, events at service positions and the four-disclosure table.

The counts are chosen so that the indicators of :mod:`geo.kpis` land on the article's
figures at printed precision (per 68 compounds; multiplied for larger synthetic cities):
complaints 410 → 280 (-31.7%), satisfaction 595/605 (98.35%), 144 joint meetings and 320
cases deliberated since 2021-09-01, 574 wishes fulfilled, disclosure 250/816 (30.6%) before
and 600/816 (73.5%) now, 412 events, 43 hard problems solved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import clock
from geo.kpis import DISCLOSURE_BEFORE, MEETINGS_SINCE, WISH_CATEGORY, complaint_periods
from geo.sample.people import chinese_names, phones
from geo.schema import DISCLOSURE_CATEGORIES, ID, LAYERS
from geo.workflow import CASE_CATEGORIES, CASE_LEVELS, LEVEL_HANDLER

ORDER_STEPS = ("created_at", "dispatched_at", "taken_at", "done_at", "rated_at")
ORDER_STATES = ("created", "dispatched", "taken", "done", "rated")
OTHER_ORDER_CATEGORIES = {"助老服务": .22, "家电维修": .18, "代购代办": .15, "环境整治": .15,
                          "法律咨询": .10, "心理疏导": .08, "助学辅导": .12}
ORDER_TEXTS = {
    WISH_CATEGORY: ("希望为孩子添置一套学习用品", "独居老人希望有人陪同就医",
                    "想要一台旧电脑供孩子上网课", "希望有人帮忙修缮漏雨的屋顶",
                    "希望过年能吃上一顿团圆饭"),
    "助老服务": ("老人腿脚不便,需要上门理发", "独居老人需要定期探访", "需要帮老人代买常用药"),
    "家电维修": ("家里热水器不出热水", "楼道灯坏了好几天", "洗衣机漏水需要维修"),
    "代购代办": ("帮忙代办医保报销材料", "需要代购米面油", "代办老年证"),
    "环境整治": ("单元门口堆放杂物需要清理", "绿化带垃圾较多", "楼顶积水需要疏通"),
    "法律咨询": ("房屋租赁合同纠纷咨询", "邻里宅基地纠纷咨询", "劳动报酬拖欠咨询"),
    "心理疏导": ("孩子中考压力大需要疏导", "老人丧偶后情绪低落"),
    "助学辅导": ("孩子数学作业需要辅导", "暑期托管需要志愿者", "留守儿童学习陪伴"),
}
CASE_WEIGHTS = (.14, .18, .14, .12, .14, .12, .10, .06)
CASE_TEXTS = {
    "高空抛物": "楼上住户向下抛掷杂物", "私搭乱建": "一楼住户在公共绿地搭建棚屋",
    "治安隐患": "小区围墙破损,外来人员随意进出", "消防通道占用": "消防通道长期停放车辆",
    "物业纠纷": "业主与物业就收费标准发生争议", "环境卫生": "垃圾分类投放点异味严重",
    "停车管理": "小区内车位不足,乱停乱放", "噪音扰民": "夜间装修噪音扰民",
}
MEETING_TOPICS = ("停车位改造方案", "电梯加装议事", "维修基金使用", "物业服务评议", "垃圾分类推进",
                  "消防通道整治", "绿化提升方案", "业委会换届筹备")
EVENT_KINDS = {"study": ("党员学习日", "主题党课"), "consultation": ("居民议事会", "恳谈会"),
               "service": ("便民服务日", "义诊活动", "法律咨询进小区")}
LEVEL_PROBS = (.62, .25, .10, .03)
CLOSE_MEDIAN_HOURS = (22.0, 60.0, 130.0, 300.0)  # by final level
FIGURES = {  # per 68 compounds
    "wishes_done": 574, "wishes_open": 6, "other_orders": 2400, "complaints_before": 410,
    "complaints_now": 280, "cases_before": 520, "free_cases_now": 210, "recent_open_cases": 8,
    "satisfied": 595, "answered": 605, "meetings": 144, "deliberated": 320,
    "early_meetings": 16, "early_deliberated": 30, "events": 412, "hard_solved": 43,
    "hard_open": 2,
}
DISCLOSURE_RATE = {"before": 0.3064, "now": 0.7353}


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


class _Context:
    def __init__(self, rng, frames: dict, as_of: pd.Timestamp):
        self.rng = rng
        self.cutoff = as_of.normalize() + pd.Timedelta(days=1) - pd.Timedelta(minutes=1)
        self.as_of = as_of.normalize()
        compounds = frames["compounds"]
        self.compounds = compounds[ID].to_numpy()
        self.k = max(1, round(len(compounds) / 68))
        weights = compounds["households"].to_numpy(dtype=float)
        self.weights = weights / weights.sum()
        self.grid = dict(zip(compounds[ID], compounds["grid_id"]))
        self.community = dict(zip(compounds[ID], compounds["community_id"]))
        alliance = compounds.get("party_alliance_id", pd.Series(None, index=compounds.index))
        founded = frames["party_alliances"].set_index(ID)["founded"]
        self.alliance = {c: (a, pd.Timestamp(founded.get(a)))
                         for c, a in zip(compounds[ID], alliance)
                         if isinstance(a, str) and a in founded.index}
        teams = frames["volunteer_teams"]
        self.teams = {c: g[ID].to_numpy() for c, g in teams.groupby("community_id")}
        self.all_teams = teams[ID].to_numpy()
        members = frames["members"]
        self.members = {c: g[ID].to_numpy() for c, g in members.groupby("compound_id")}
        self.all_members = members[ID].to_numpy()
        self.stations = frames["joint_duty_stations"][ID].to_numpy()
        positions = frames["service_positions"]
        if "status" in positions:
            positions = positions[positions["status"] == "existing"]
        self.positions = positions[ID].to_numpy()

    def n(self, key: str) -> int:
        return FIGURES[key] * self.k

    def pick(self, pool: np.ndarray, fallback: np.ndarray):
        pool = pool if pool is not None and len(pool) else fallback
        return pool[self.rng.integers(len(pool))] if len(pool) else None

    def choose_compounds(self, n: int) -> np.ndarray:
        return self.rng.choice(self.compounds, size=n, p=self.weights)


# ---------------------------------------------------------------- service orders
def _orders(ctx: _Context) -> pd.DataFrame:
    rng = ctx.rng
    n_done, n_open, n_other = ctx.n("wishes_done"), ctx.n("wishes_open"), ctx.n("other_orders")
    year_ago = ctx.as_of - pd.Timedelta(days=365)
    created = np.concatenate([
        _uniform_times(rng, year_ago, ctx.as_of - pd.Timedelta(days=21), n_done).values,
        (ctx.cutoff - pd.to_timedelta(rng.uniform(1, 40, n_open), "h")).values,
        _uniform_times(rng, year_ago, ctx.cutoff, n_other).values])
    n = len(created)
    cats = list(OTHER_ORDER_CATEGORIES)
    category = np.concatenate([np.full(n_done + n_open, WISH_CATEGORY),
                               rng.choice(cats, n_other, p=list(OTHER_ORDER_CATEGORIES.values()))])
    steps = [pd.DatetimeIndex(created)]
    for median, sigma, cap in ((1.0, .8, 48), (2.5, .9, 72), (18.0, .9, 336), (10.0, 1.0, 240)):
        steps.append(_minutes((steps[-1] + pd.to_timedelta(
            _lognormal_hours(rng, median, sigma, n, cap), "h")).values))
    frame = pd.DataFrame(dict(zip(ORDER_STEPS, steps)))
    frame.loc[rng.random(n) > 0.85, "rated_at"] = pd.NaT  # not every resident rates
    for i in range(n_open):  # open wishes: created, dispatched or taken
        frame.loc[n_done + i, list(ORDER_STEPS[1 + i % 3:])] = pd.NaT
    for i, column in enumerate(ORDER_STEPS[1:], start=1):
        late = frame[column] > ctx.cutoff
        frame.loc[late, list(ORDER_STEPS[i:])] = pd.NaT
    reached = frame[list(ORDER_STEPS)].notna().sum(axis=1).to_numpy()
    status = np.array(ORDER_STATES, dtype=object)[reached - 1]
    cancel = (np.arange(n) >= n_done + n_open) & (rng.random(n) < 0.03) & (reached >= 2)
    cancel_at = frame["dispatched_at"] + pd.to_timedelta(rng.uniform(.5, 6, n), "h")
    cancel &= (cancel_at <= ctx.cutoff).to_numpy()
    status[cancel] = "cancelled"
    frame.loc[cancel, list(ORDER_STEPS[2:])] = pd.NaT
    frame["cancelled_at"] = _minutes(cancel_at.where(cancel).values)
    compound = ctx.choose_compounds(n)
    alliance, team, member = [], [], []
    for i in range(n):
        linked = ctx.alliance.get(compound[i])
        use_alliance = linked is not None and linked[1] <= created[i] and rng.random() < .7
        alliance.append(linked[0] if use_alliance else None)
        team.append(ctx.pick(ctx.teams.get(ctx.community[compound[i]]), ctx.all_teams)
                    if not use_alliance or rng.random() < .4 else None)
        member.append(ctx.pick(ctx.members.get(compound[i]), ctx.all_members))
    dispatched = frame["dispatched_at"].notna().to_numpy()
    taken = frame["taken_at"].notna().to_numpy()
    texts = [ORDER_TEXTS[c][j % len(ORDER_TEXTS[c])] for c, j in
             zip(category, rng.integers(0, 60, n))]
    ratings = rng.choice([5, 4, 3, 2], n, p=[.82, .14, .03, .01])
    frame = frame.assign(
        category=category, compound_id=compound, grid_id=[ctx.grid[c] for c in compound],
        requester_name=chinese_names(rng, n), requester_phone=phones(rng, n), text=texts,
        status=status, party_alliance_id=np.where(dispatched, alliance, None),
        volunteer_team_id=np.where(dispatched, team, None),
        member_id=np.where(taken, member, None),
        rating=pd.array(np.where(frame["rated_at"].notna(), ratings, 0), dtype="Int64"),
    )
    frame.loc[frame["rating"] == 0, "rating"] = pd.NA
    frame = frame.sort_values("created_at", kind="stable").reset_index(drop=True)
    frame.insert(0, ID, [f"SO{i:06d}" for i in range(1, n + 1)])
    return frame


def _order_events(orders: pd.DataFrame) -> list[pd.DataFrame]:
    actors = {"created_at": orders["requester_name"].map(lambda _: "resident"),
              "dispatched_at": orders["party_alliance_id"].fillna(orders["volunteer_team_id"]),
              "taken_at": orders["member_id"], "done_at": orders["member_id"],
              "rated_at": orders["requester_name"].map(lambda _: "resident")}
    parts = []
    for i, column in enumerate(ORDER_STEPS):
        rows = orders[orders[column].notna()]
        parts.append(pd.DataFrame({
            "object_layer": "service_orders", "object_id": rows[ID], "at": rows[column],
            "actor": actors[column][rows.index], "from_status": ORDER_STATES[i - 1] if i else None,
            "to_status": ORDER_STATES[i], "level": None, "note": None}))
    rows = orders[orders["status"] == "cancelled"]
    parts.append(pd.DataFrame({
        "object_layer": "service_orders", "object_id": rows[ID], "at": rows["cancelled_at"],
        "actor": "resident", "from_status": "dispatched", "to_status": "cancelled",
        "level": None, "note": "居民取消"}))
    return parts


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


# ---------------------------------------------------------------- events and disclosures
def _events(ctx: _Context) -> pd.DataFrame:
    rng, n = ctx.rng, ctx.n("events")
    kinds = rng.choice(list(EVENT_KINDS), n, p=[.35, .25, .40])
    titles = [EVENT_KINDS[k][j % len(EVENT_KINDS[k])] for k, j in zip(kinds, rng.integers(0, 6, n))]
    held = _uniform_times(rng, pd.Timestamp("2021-07-01"), ctx.cutoff, n).normalize()
    frame = pd.DataFrame({
        "service_position_id": rng.choice(ctx.positions, n), "held_on": held.sort_values(),
        "kind": kinds, "title": titles, "attendees": rng.integers(8, 61, n)})
    frame.insert(0, ID, [f"EV{i:05d}" for i in range(1, n + 1)])
    return frame


def _disclosures(ctx: _Context) -> pd.DataFrame:
    rng = ctx.rng
    months = [str(p) for p in pd.period_range(DISCLOSURE_BEFORE[0], ctx.as_of.to_period("M"),
                                              freq="M")]
    index = pd.MultiIndex.from_product([ctx.compounds, DISCLOSURE_CATEGORIES, months],
                                       names=["compound_id", "category", "month"])
    frame = index.to_frame(index=False)
    position = frame["month"].map({m: i / max(len(months) - 1, 1) for i, m in enumerate(months)})
    low, high = DISCLOSURE_RATE["before"], DISCLOSURE_RATE["now"]
    rate = low + position * (high - low)
    disclosed = rng.random(len(frame)) < rate.to_numpy()
    windows = {"before": months[:3], "now": months[-3:]}
    # compounds differ: some disclose everything, some little (weights, not the totals)
    diligence = dict(zip(ctx.compounds, rng.beta(0.6, 0.6, len(ctx.compounds)) ** 3 + 1e-3))
    weight = frame["compound_id"].map(diligence).to_numpy()
    for key, window in windows.items():
        rows = np.flatnonzero(frame["month"].isin(window))
        disclosed[rows] = False
        chosen = rng.choice(rows, round(DISCLOSURE_RATE[key] * len(rows)), replace=False,
                            p=weight[rows] / weight[rows].sum())
        disclosed[chosen] = True
    frame["disclosed"] = disclosed
    frame.insert(0, ID, [f"DS{i:06d}" for i in range(1, len(frame) + 1)])
    return frame


# ---------------------------------------------------------------- everything
def generate_activity(rng: np.random.Generator, frames: dict[str, pd.DataFrame],
                      as_of: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """The activity layers for a generated district, deterministic for a given rng state."""
    ctx = _Context(rng, frames, pd.Timestamp(as_of))
    orders = _orders(ctx)
    meetings, links = _meetings(ctx)
    cases = _cases(ctx, meetings, links)
    parts = _order_events(orders) + _case_events(rng, cases)
    events = pd.concat([p for p in parts if len(p)], ignore_index=True)
    events = events.sort_values(["at", "object_id"], kind="stable").reset_index(drop=True)
    events.insert(0, ID, [f"WE{i:07d}" for i in range(1, len(events) + 1)])
    out = {
        "service_orders": orders.drop(columns=["cancelled_at"]),
        "cases": cases.drop(columns=[c for c in cases if c.startswith("escalated_")]),
        "workflow_events": events, "joint_meetings": meetings,
        "events": _events(ctx), "disclosures": _disclosures(ctx),
    }
    for name, frame in out.items():
        for column in [f.name for f in LAYERS[name].all_fields if f.dtype == "datetime"]:
            if column in frame:  # generated as the district's wall clock, stored as UTC
                frame[column] = clock.from_local(frame[column], clock.SAMPLE_ZONE)
        frame["is_sample"] = True
        frame["version"] = 1
    return out
