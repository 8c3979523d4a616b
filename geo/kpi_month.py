"""The outcome indicators of one calendar month (monthly briefing, ``hongtu kpis --month``)."""

from __future__ import annotations

import pandas as pd

from geo.kpis import DEFAULT_LIMIT_HOURS, as_of_from, compute_kpis


def month_window(month) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(first day, first day of the next month) of a month given as YYYY-MM."""
    try:
        period = pd.Period(str(month), freq="M")
    except ValueError:
        raise ValueError(f"月份应为 YYYY-MM:{month!r} | month must be YYYY-MM: {month!r}") from None
    return period.start_time.normalize(), (period + 1).start_time.normalize()


def month_kpis(frames: dict, month, *, street: str | None = None,
               limit_hours: float = DEFAULT_LIMIT_HOURS, through_day: int | None = None) -> dict:
    """The indicators of one month (YYYY-MM): records created in that month, as of its last
    day (or the store's as-of date when earlier), complaints in that month against the same
    month a year earlier. ``hongtu kpis --month`` prints these. With ``through_day`` only the
    month's days 1..through_day count (a partial month, or the same days of another month)."""
    start, end = month_window(month)
    if through_day is not None:
        end = min(end, start + pd.Timedelta(days=int(through_day)))
    as_of = min(end - pd.Timedelta(days=1), as_of_from(frames))
    figures = compute_kpis(frames, as_of=as_of, street=street, since=start, until=end,
                           period=(start, end - pd.Timedelta(days=1)), limit_hours=limit_hours)
    figures["month"] = str(pd.Period(str(month), freq="M"))
    figures["through"] = (end - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    return figures


def days_in_data(frames: dict, month) -> int | None:
    """The number of the month's days that the store's data covers, when it ends inside the
    month (the as-of date, meta ``as_of``); None for a complete month."""
    start, end = month_window(month)
    as_of = as_of_from(frames)
    if start <= as_of < end - pd.Timedelta(days=1):
        return int((as_of - start).days) + 1
    return None


def previous_month(month) -> str:
    return str(pd.Period(str(month), freq="M") - 1)
