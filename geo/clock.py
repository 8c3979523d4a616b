"""The app's one clock and its one time-zone rule.

* Every datetime in the store is naive **UTC** (``pd.Timestamp`` without tzinfo). Code that
  needs "now" asks :func:`now_utc`; nothing else reads the system clock.
* People see times in the display zone: ``HONGTU_TIMEZONE`` (an IANA name), default
  ``Asia/Shanghai``; :func:`to_local` and :func:`from_local` convert, :func:`local_text` prints.
* A sample store lives on its as-of date: its "business now" (:func:`business_now`) is the day
  after ``meta.as_of`` (the article's day) at the current wall-clock time of the sample
  district (``SAMPLE_ZONE``), so every generated record (all up to the as-of day's end) lies
  before it. A real store's business now is :func:`now_utc`.
* Ages (:func:`age_hours`) are measured from one such "now" and never negative.

Tests freeze the clock with :func:`frozen`.
"""

from __future__ import annotations

import contextlib
import os
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

ENV_ZONE = "HONGTU_TIMEZONE"
DEFAULT_ZONE = "Asia/Shanghai"
SAMPLE_ZONE = "Asia/Shanghai"  # the sample district's own zone (Huangyan), whatever is shown
TEXT_FORMAT = "%Y-%m-%d %H:%M"
_frozen: list[pd.Timestamp] = []  # the frozen "now" (UTC) while a test holds frozen()


def zone_name() -> str:
    return os.environ.get(ENV_ZONE, "").strip() or DEFAULT_ZONE


def display_zone() -> ZoneInfo:
    name = zone_name()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"时区设置无效:{ENV_ZONE}={name!r} | invalid time zone in {ENV_ZONE}: "
                         f"{name!r} (an IANA name such as Asia/Shanghai)") from exc


# ---------------------------------------------------------------- now
def now_utc() -> pd.Timestamp:
    """The real time of the server as naive UTC, to the second (frozen in tests)."""
    if _frozen:
        return _frozen[-1]
    return pd.Timestamp.now(tz="UTC").tz_localize(None).floor("s")


@contextlib.contextmanager
def frozen(at):
    """Freeze :func:`now_utc` at ``at`` (naive = UTC, or tz-aware) inside the block."""
    _frozen.append(as_utc(at).floor("s"))
    try:
        yield _frozen[-1]
    finally:
        _frozen.pop()


# ---------------------------------------------------------------- conversions
def as_utc(value) -> pd.Timestamp:
    """A timestamp as naive UTC: tz-aware values are converted, naive ones are taken as UTC."""
    ts = pd.Timestamp(value)
    return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts


def to_local(value, zone: str | None = None):
    """Naive UTC (timestamp or series) -> naive wall-clock time of the display zone (or
    ``zone``)."""
    zone = ZoneInfo(zone) if zone else display_zone()
    if isinstance(value, pd.Series):
        times = pd.to_datetime(value)
        if times.dt.tz is None:
            times = times.dt.tz_localize("UTC")
        return times.dt.tz_convert(zone).dt.tz_localize(None)
    if value is None or pd.isna(value):
        return pd.NaT
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    return ts.tz_convert(zone).tz_localize(None)


def from_local(value, zone: str | None = None):
    """Wall-clock time of the display zone (or ``zone``; naive timestamp or series) -> naive
    UTC."""
    zone = ZoneInfo(zone) if zone else display_zone()
    if isinstance(value, pd.Series):
        return (pd.to_datetime(value).dt.tz_localize(zone, ambiguous="NaT",
                                                     nonexistent="shift_forward")
                .dt.tz_convert("UTC").dt.tz_localize(None))
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        return as_utc(ts)
    return ts.tz_localize(zone, nonexistent="shift_forward").tz_convert("UTC").tz_localize(None)


def local_iso(values: pd.Series) -> pd.Series:
    """Stored (naive UTC) times as ISO 8601 wall-clock text of the display zone with its
    offset (``2021-04-24T11:59:00+08:00``), for exports; missing values stay None."""
    times = pd.to_datetime(values)
    times = times.dt.tz_localize("UTC") if times.dt.tz is None else times
    local = times.dt.tz_convert(display_zone())
    return pd.Series([None if pd.isna(ts) else ts.isoformat() for ts in local],
                     index=values.index, dtype=object)


def local_text(value, fmt: str = TEXT_FORMAT) -> str:
    """A stored (UTC) time as the display zone's wall clock; "-" when missing."""
    local = to_local(value)
    return "-" if pd.isna(local) else local.strftime(fmt)


def utc_day_bounds(since=None, until=None) -> tuple:
    """Dates of the display zone (``until`` inclusive) as UTC times: (start, last second of
    the ``until`` day); None stays None."""
    start = from_local(pd.Timestamp(since)) if since is not None else None
    end = (from_local(pd.Timestamp(until) + pd.Timedelta(days=1)) - pd.Timedelta(seconds=1)
           if until is not None else None)
    return start, end


def local_today() -> pd.Timestamp:
    """Today's date in the display zone (midnight, naive)."""
    return to_local(now_utc()).normalize()


# ---------------------------------------------------------------- business time
def sample_as_of(meta: pd.DataFrame | None) -> pd.Timestamp | None:
    """The as-of date of a sample store (meta ``is_sample``/``as_of``), else None."""
    if meta is None or not len(meta):
        return None
    values = dict(zip(meta["key"], meta["value"]))
    if values.get("is_sample") == "true" and values.get("as_of"):
        return pd.Timestamp(values["as_of"]).normalize()
    return None


def business_now(meta: pd.DataFrame | None = None) -> pd.Timestamp:
    """"Now" for business times and ages (naive UTC): the real clock, or on a sample store
    the day after its as-of date at the sample district's current wall-clock time."""
    real = now_utc()
    as_of = sample_as_of(meta)
    if as_of is None:
        return real
    local = to_local(real, SAMPLE_ZONE)
    sample_day = as_of + pd.Timedelta(days=1)
    return from_local(sample_day + (local - local.normalize()), SAMPLE_ZONE)


def age_hours(started, now) -> pd.Series:
    """Hours from each ``started`` (naive UTC series) to ``now``, one decimal, never negative
    (a start recorded after ``now`` is age 0, not a negative age)."""
    hours = (pd.Timestamp(now) - pd.to_datetime(started)).dt.total_seconds() / 3600.0
    return hours.clip(lower=0.0).round(1)
