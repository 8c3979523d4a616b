"""Generated activity of the sample district: service orders, cases (with their workflow
events), joint meetings, events at service positions and the four-disclosure table (meetings
and cases are made in :mod:`geo.sample.cases`).

The counts are chosen so that the indicators of :mod:`geo.kpis` land on the article's
figures at printed precision (per 68 compounds; another county takes them times its size factor
f, rounded, see :mod:`geo.sample.profile`; ``scale`` multiplies on top):
complaints 410 → 280 (-31.7%), satisfaction 595/605 (98.35%), 144 joint meetings and 320
cases deliberated since 2021-09-01, 574 wishes fulfilled, disclosure 250/816 (30.6%) before
and 600/816 (73.5%) now, 412 events, 43 hard problems solved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import clock
from geo.kpis import DISCLOSURE_BEFORE, WISH_CATEGORY
from geo.sample.cases import (
    _case_events,
    _cases,
    _lognormal_hours,
    _meetings,
    _minutes,
    _uniform_times,
)
from geo.sample.people import chinese_names, phones
from geo.schema import DISCLOSURE_CATEGORIES, ID, LAYERS

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
EVENT_KINDS = {"study": ("党员学习日", "主题党课"), "consultation": ("居民议事会", "恳谈会"),
               "service": ("便民服务日", "义诊活动", "法律咨询进小区")}
FIGURES = {  # per 68 compounds
    "wishes_done": 574, "wishes_open": 6, "other_orders": 2400, "complaints_before": 410,
    "complaints_now": 280, "cases_before": 520, "free_cases_now": 210, "recent_open_cases": 8,
    "satisfied": 595, "answered": 605, "meetings": 144, "deliberated": 320,
    "early_meetings": 16, "early_deliberated": 30, "events": 412, "hard_solved": 43,
    "hard_open": 2,
}
DISCLOSURE_RATE = {"before": 0.3064, "now": 0.7353}


class _Context:
    def __init__(self, rng, frames: dict, as_of: pd.Timestamp, factor: float = 1.0,
                 scale: int | None = None, rates: dict | None = None):
        self.rng = rng
        rates = rates or {}
        self.disclosure = {"before": rates.get("disclosure_before", DISCLOSURE_RATE["before"]),
                           "now": rates.get("disclosure_now", DISCLOSURE_RATE["now"])}
        self.satisfaction = rates.get("satisfaction")
        self.cutoff = as_of.normalize() + pd.Timedelta(days=1) - pd.Timedelta(minutes=1)
        self.as_of = as_of.normalize()
        compounds = frames["compounds"]
        self.compounds = compounds[ID].to_numpy()
        self.factor = factor
        self.k = scale if scale is not None else max(1, round(len(compounds) / 68))
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
        self.all_teams = teams[ID].to_numpy()
        self.teams = _groups(teams, "community_id", self.all_teams)
        members = frames["members"]
        self.all_members = members[ID].to_numpy()
        self.members = _groups(members, "compound_id", self.all_members)
        self.stations = frames["joint_duty_stations"][ID].to_numpy()
        positions = frames["service_positions"]
        if "status" in positions:
            positions = positions[positions["status"] == "existing"]
        self.positions = positions[ID].to_numpy()

    def n(self, key: str) -> int:
        if key == "satisfied" and self.satisfaction is not None:  # the county's own rate
            return min(self.n("answered"), round(self.satisfaction * self.n("answered")))
        base = FIGURES[key] if self.factor == 1 else max(1, round(FIGURES[key] * self.factor))
        return base * self.k

    def pick(self, pool: np.ndarray, fallback: np.ndarray):
        pool = pool if pool is not None and len(pool) else fallback
        return pool[self.rng.integers(len(pool))] if len(pool) else None

    def choose_compounds(self, n: int) -> np.ndarray:
        return self.rng.choice(self.compounds, size=n, p=self.weights)


def _groups(frame: pd.DataFrame, key: str, ids: np.ndarray) -> dict:
    """The ids of ``frame``'s rows for each value of ``key`` (missing keys left out)."""
    return {k: ids[pos] for k, pos in frame.groupby(key).indices.items()}


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
    low, high = ctx.disclosure["before"], ctx.disclosure["now"]
    rate = low + position * (high - low)
    disclosed = rng.random(len(frame)) < rate.to_numpy()
    windows = {"before": months[:3], "now": months[-3:]}
    # compounds differ: some disclose everything, some little (weights, not the totals)
    diligence = dict(zip(ctx.compounds, rng.beta(0.6, 0.6, len(ctx.compounds)) ** 3 + 1e-3))
    weight = frame["compound_id"].map(diligence).to_numpy()
    for key, window in windows.items():
        rows = np.flatnonzero(frame["month"].isin(window))
        disclosed[rows] = False
        chosen = rng.choice(rows, round(ctx.disclosure[key] * len(rows)), replace=False,
                            p=weight[rows] / weight[rows].sum())
        disclosed[chosen] = True
    frame["disclosed"] = disclosed
    frame.insert(0, ID, [f"DS{i:06d}" for i in range(1, len(frame) + 1)])
    return frame


# ---------------------------------------------------------------- everything
def generate_activity(rng: np.random.Generator, frames: dict[str, pd.DataFrame],
                      as_of: pd.Timestamp, factor: float = 1.0,
                      scale: int | None = None, rates: dict | None = None) -> dict[str, pd.DataFrame]:
    """The activity layers for a generated district, deterministic for a given rng state.

    ``factor``: the county's size factor f; ``scale``: the multiplier on top (default: the
    number of compounds over 68); ``rates``: the county's own disclosure and satisfaction
    rates (geo.sample.profile.RATE_RANGES; default the article's)."""
    ctx = _Context(rng, frames, pd.Timestamp(as_of), factor, scale, rates)
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
