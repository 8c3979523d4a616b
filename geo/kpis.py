"""Outcome indicators computed from the records only: service orders, cases, joint meetings,
disclosures and events. The page, the big screen and ``hongtu kpis`` print these figures.

Definitions (hours are wall-clock hours between two recorded steps):

* response time: order created → taken; case reported → accepted. Closing time: order
  created → done; case reported → closed. Median and 90th percentile (linear interpolation).
* ``closed_within_limit_pct``: closed cases closed within ``limit_hours`` of being reported.
* ``satisfaction_pct``: satisfied closed cases / closed cases with a satisfaction answer.
* complaints: cases with source ``complaint`` reported in the period (default: the 12 months up
  to the store's as-of date, meta key ``as_of``) vs the same period a year earlier.
* ``joint_meetings`` held since ``since`` (default 2021-09-01) and ``cases_deliberated``: cases
  linked to one of those meetings.
* disclosure: disclosed rows / rows of the ``disclosures`` table in a 3-month window; "before"
  is 2021-06..2021-08, "now" the 3 months up to the as-of month.
* ``wishes_fulfilled``: done orders of category 微心愿; ``hard_problems_solved``: closed cases
  flagged as hard problems; ``events_held``: events at service positions.

Stored times are UTC; periods, months and dates are those of the display zone
(:mod:`geo.clock`): the frames' times are converted once, on the way in.

With ``since`` every count and time is limited to records created on or after it (the
complaint comparison keeps its own periods). Satisfaction is rounded to 2 decimals, other
percentages and hours to 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import clock, hierarchy
from geo.schema import ID

KPI_LAYERS = ("service_orders", "cases", "joint_meetings", "disclosures", "compounds",
              "events", "service_positions", "streets", "meta")
MEETINGS_SINCE = pd.Timestamp("2021-09-01")
DISCLOSURE_BEFORE = ("2021-06", "2021-08")
DEFAULT_LIMIT_HOURS = 72.0
WISH_CATEGORY = "微心愿"
COMPLAINT = "complaint"
ORDER_DONE = ("done", "rated")
ORDER_OPEN = ("created", "dispatched", "taken")


# ---------------------------------------------------------------- helpers
def _round(value, digits: int = 1):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return round(float(value), digits)


def _pct(part, whole, digits: int = 1):
    return _round(100.0 * part / whole, digits) if whole else None


def _hours(start: pd.Series, end: pd.Series) -> pd.Series:
    return ((end - start).dt.total_seconds() / 3600.0).dropna()


def _quantile(hours: pd.Series, q: float):
    return _round(hours.quantile(q)) if len(hours) else None


def as_of_from(frames: dict) -> pd.Timestamp:
    """The store's as-of date (meta ``as_of``), else today; never before the local date of
    the newest order or case (one made after a sample's as-of date is counted and dated)."""
    meta = frames.get("meta")
    if meta is not None and len(meta):
        values = dict(zip(meta["key"], meta["value"]))
        if values.get("as_of"):
            return max([pd.Timestamp(values["as_of"]).normalize(), *_newest_days(frames)])
    return clock.local_today()


def _newest_days(frames: dict) -> list[pd.Timestamp]:
    """The local date of the newest record of the orders and the cases (when any)."""
    days = []
    for layer, column in (("service_orders", "created_at"), ("cases", "reported_at")):
        frame = frames.get(layer)
        if frame is not None and len(frame) and column in frame.columns:
            newest = pd.to_datetime(frame[column]).max()
            if pd.notna(newest):
                days.append(clock.to_local(newest).normalize())
    return days


def complaint_periods(as_of, period=None) -> tuple[tuple, tuple]:
    """((start, end), (prev_start, prev_end)), end exclusive: the period and a year earlier."""
    if period is None:
        end = pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)
        start = end - pd.DateOffset(years=1)
    else:
        start = pd.Timestamp(period[0]).normalize()
        end = pd.Timestamp(period[1]).normalize() + pd.Timedelta(days=1)
    year = pd.DateOffset(years=1)
    return (start, end), (start - year, end - year)


def disclosure_windows(as_of) -> dict[str, list[str]]:
    now = pd.Timestamp(as_of).to_period("M")
    before = pd.period_range(DISCLOSURE_BEFORE[0], DISCLOSURE_BEFORE[1], freq="M")
    return {"before": [str(p) for p in before], "now": [str(now - i) for i in (2, 1, 0)]}


def street_compounds(frames: dict, street: str) -> set[str]:
    """Compound ids of a street given by id, code or name."""
    streets = frames.get("streets")
    ids = {street}
    if streets is not None and len(streets):
        match = streets[(streets[ID] == street) | (streets["name"] == street)
                        | (streets.get("code", streets[ID]) == street)]
        ids |= set(match[ID])
    compounds = frames["compounds"]
    return set(compounds.loc[compounds["street_id"].isin(ids), ID])


def _local(frames: dict) -> dict:
    """The frames with the orders' and cases' times on the display zone's wall clock."""
    out = dict(frames)
    for name in ("service_orders", "cases"):
        frame = frames.get(name)
        if frame is None or not len(frame):
            continue
        columns = [c for c in frame.columns
                   if c.endswith("_at") and pd.api.types.is_datetime64_any_dtype(frame[c])]
        out[name] = frame.assign(**{c: clock.to_local(frame[c]) for c in columns})
    return out


def _filter(frames: dict, street: str | None) -> dict:
    if not street:
        return frames
    keep = street_compounds(frames, street)
    out = dict(frames)
    for name in ("service_orders", "cases", "joint_meetings", "disclosures"):
        frame = frames.get(name)
        if frame is not None:
            out[name] = frame[frame["compound_id"].isin(keep)]
    positions = frames.get("service_positions")
    events = frames.get("events")
    if positions is not None and events is not None:
        streets = set(frames["compounds"].loc[frames["compounds"][ID].isin(keep), "street_id"])
        ids = set(positions.loc[positions["street_id"].isin(streets), ID])
        out["events"] = events[events["service_position_id"].isin(ids)]
    return out


def _since(frame: pd.DataFrame | None, column: str, since, until=None) -> pd.DataFrame:
    """Rows with ``column`` on or after ``since`` and (when given) before ``until``."""
    if frame is None:
        return pd.DataFrame()
    if since is not None:
        frame = frame[frame[column] >= pd.Timestamp(since)]
    return frame if until is None else frame[frame[column] < pd.Timestamp(until)]


def for_street(frames: dict, street: str | None) -> dict:
    """The frames narrowed to one street's compounds (all of them without ``street``)."""
    return _filter(frames, street)


# ---------------------------------------------------------------- the indicators
def compute_kpis(frames: dict, *, as_of=None, street: str | None = None, since=None,
                 period=None, limit_hours: float = DEFAULT_LIMIT_HOURS, until=None) -> dict:
    """Every outcome indicator as a dict of plain numbers, rounded as printed; ``until``
    (exclusive) limits records like ``since`` from the other side."""
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else as_of_from(frames)
    frames = _filter(_local(frames), street)
    all_cases = frames["cases"]
    orders = _since(frames["service_orders"], "created_at", since, until)
    cases = _since(all_cases, "reported_at", since, until)
    out: dict = {"as_of": as_of.strftime("%Y-%m-%d"), "street": street,
                 "since": pd.Timestamp(since).strftime("%Y-%m-%d") if since else None,
                 **({"until": pd.Timestamp(until).strftime("%Y-%m-%d")} if until else {}),
                 "limit_hours": limit_hours}
    out.update(_order_figures(orders, limit_hours))
    out.update(_case_figures(cases, limit_hours))
    out.update(_complaints(all_cases, as_of, period))
    meetings = _since(frames.get("joint_meetings"), "held_on", since or MEETINGS_SINCE, until)
    out["meetings_since"] = pd.Timestamp(since or MEETINGS_SINCE).strftime("%Y-%m-%d")
    out["joint_meetings"] = len(meetings)
    linked = all_cases["joint_meeting_id"].isin(set(meetings[ID])) if len(meetings) else []
    out["cases_deliberated"] = int(np.sum(linked))
    out.update(_disclosure(frames.get("disclosures"), as_of))
    out["events_held"] = len(_since(frames.get("events"), "held_on", since, until))
    return out


def _order_figures(orders: pd.DataFrame, limit_hours: float) -> dict:
    done = orders[orders["done_at"].notna()]
    close_hours = _hours(done["created_at"], done["done_at"])
    response = _hours(orders["created_at"], orders["taken_at"])
    ratings = orders["rating"].dropna()
    return {
        "orders_total": len(orders),
        "orders_open": int(orders["status"].isin(ORDER_OPEN).sum()),
        "orders_done": len(done),
        "wishes_fulfilled": int((done["category"] == WISH_CATEGORY).sum()),
        "order_response_median_hours": _quantile(response, 0.5),
        "order_response_p90_hours": _quantile(response, 0.9),
        "order_close_median_hours": _quantile(close_hours, 0.5),
        "order_close_p90_hours": _quantile(close_hours, 0.9),
        "orders_done_within_limit_pct": _pct((close_hours <= limit_hours).sum(), len(close_hours)),
        "rating_avg": _round(ratings.astype(float).mean(), 2) if len(ratings) else None,
    }


def _case_figures(cases: pd.DataFrame, limit_hours: float) -> dict:
    closed = cases[cases["closed_at"].notna()]
    close_hours = _hours(closed["reported_at"], closed["closed_at"])
    response = _hours(cases["reported_at"], cases["accepted_at"])
    answered = closed["satisfied"].dropna().astype(bool)
    return {
        "cases_total": len(cases),
        "cases_open": int(cases["closed_at"].isna().sum()),
        "cases_closed": len(closed),
        "case_response_median_hours": _quantile(response, 0.5),
        "case_response_p90_hours": _quantile(response, 0.9),
        "median_close_hours": _quantile(close_hours, 0.5),
        "p90_close_hours": _quantile(close_hours, 0.9),
        "closed_within_limit_pct": _pct((close_hours <= limit_hours).sum(), len(close_hours)),
        "satisfied": int(answered.sum()),
        "satisfaction_answers": len(answered),
        "satisfaction_pct": _pct(answered.sum(), len(answered), 2),
        "hard_problems_solved": int(closed["hard_problem"].astype(bool).sum()),
    }


def _complaints(cases: pd.DataFrame, as_of, period) -> dict:
    (start, end), (prev_start, prev_end) = complaint_periods(as_of, period)
    complaints = cases.loc[cases["source"] == COMPLAINT, "reported_at"]
    now = int(((complaints >= start) & (complaints < end)).sum())
    before = int(((complaints >= prev_start) & (complaints < prev_end)).sum())
    return {
        "period_start": start.strftime("%Y-%m-%d"),
        "period_end": (end - pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
        "complaints_this_period": now,
        "complaints_last_period": before,
        "complaints_change_pct": _pct(now - before, before),
    }


def _disclosure(disclosures: pd.DataFrame | None, as_of) -> dict:
    out = {}
    for key, months in disclosure_windows(as_of).items():
        rows = disclosures[disclosures["month"].isin(months)] if disclosures is not None else []
        share = _pct(rows["disclosed"].astype(bool).sum(), len(rows)) if len(rows) else None
        out["disclosure_pct" if key == "now" else "disclosure_before_pct"] = share
    return out


# ---------------------------------------------------------------- breakdowns for charts
def by_area(frames: dict, by: str = "street", *, as_of=None,
            limit_hours: float = DEFAULT_LIMIT_HOURS) -> pd.DataFrame:
    """One row per street (``by='street'``), county (``'district'``: needs ``districts``) or
    compound: counts, times and shares."""
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else as_of_from(frames)
    frames = _local(frames)
    compounds = frames["compounds"]
    if by == "district":
        districts = frames["districts"]
        of_street = hierarchy.street_districts(frames["streets"], districts)
        key_of = dict(zip(compounds[ID], compounds["street_id"].astype(str).map(of_street)))
        names = districts.set_index(ID)["name"]
    elif by == "street":
        key_of = dict(zip(compounds[ID], compounds["street_id"]))
        names = frames["streets"].set_index(ID)["name"] if "streets" in frames else None
    else:
        key_of = dict(zip(compounds[ID], compounds[ID]))
        names = compounds.set_index(ID)["name"]
    (start, end), (prev_start, prev_end) = complaint_periods(as_of)
    orders = frames["service_orders"].assign(key=lambda f: f["compound_id"].map(key_of))
    cases = frames["cases"].assign(key=lambda f: f["compound_id"].map(key_of))
    closed = cases[cases["closed_at"].notna()]
    hours = closed.assign(h=_hours(closed["reported_at"], closed["closed_at"]))
    answered = closed[closed["satisfied"].notna()]
    complaints = cases[cases["source"] == COMPLAINT]
    disclosures = frames["disclosures"].assign(key=lambda f: f["compound_id"].map(key_of))
    now_rows = disclosures[disclosures["month"].isin(disclosure_windows(as_of)["now"])]
    table = pd.DataFrame({
        "orders": orders.groupby("key").size(),
        "orders_open": orders[orders["status"].isin(ORDER_OPEN)].groupby("key").size(),
        "cases": cases.groupby("key").size(),
        "cases_open": cases[cases["closed_at"].isna()].groupby("key").size(),
        "complaints_this_period": complaints[complaints["reported_at"].between(
            start, end, inclusive="left")].groupby("key").size(),
        "complaints_last_period": complaints[complaints["reported_at"].between(
            prev_start, prev_end, inclusive="left")].groupby("key").size(),
        "median_close_hours": hours.groupby("key")["h"].median(),
        "closed_within_limit_pct": hours.groupby("key")["h"].apply(
            lambda h: 100.0 * (h <= limit_hours).mean()),
        "satisfaction_pct": answered.groupby("key")["satisfied"].apply(
            lambda s: 100.0 * s.astype(bool).mean()),
        "disclosure_pct": now_rows.groupby("key")["disclosed"].apply(
            lambda s: 100.0 * s.astype(bool).mean()),
    })
    counts = ["orders", "orders_open", "cases", "cases_open", "complaints_this_period",
              "complaints_last_period"]
    table[counts] = table[counts].fillna(0).astype(int)
    table = table.round({"median_close_hours": 1, "closed_within_limit_pct": 1,
                         "satisfaction_pct": 2, "disclosure_pct": 1})
    table.index.name = by
    if names is not None:
        table.insert(0, "name", table.index.map(names))
    return table.reset_index()


def monthly_trend(frames: dict, *, as_of=None, months: int = 24) -> pd.DataFrame:
    """Per month (YYYY-MM) up to the as-of month: orders created and done, cases reported,
    complaints and cases closed."""
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else as_of_from(frames)
    index = [str(p) for p in pd.period_range(end=as_of.to_period("M"), periods=months,
                                             freq="M")]
    frames = _local(frames)
    orders, cases = frames["service_orders"], frames["cases"]

    def per_month(times: pd.Series) -> pd.Series:
        times = times.dropna()
        return times.dt.to_period("M").astype(str).value_counts().reindex(index, fill_value=0)

    return pd.DataFrame({
        "orders_created": per_month(orders["created_at"]),
        "orders_done": per_month(orders["done_at"]),
        "cases_reported": per_month(cases["reported_at"]),
        "complaints": per_month(cases.loc[cases["source"] == COMPLAINT, "reported_at"]),
        "cases_closed": per_month(cases["closed_at"]),
    }).rename_axis("month").reset_index()


def load_frames(store) -> dict:
    return {name: store.load(name) for name in KPI_LAYERS}


def kpis_from_store(store, **kwargs) -> dict:
    return compute_kpis(load_frames(store), **kwargs)
