"""The monthly briefing (工作简报) of the district or a street: its content as plain data
(figures against the previous month, monthly series for the charts, flagged grids, overdue
escalated cases, positions, a generated text); geo.printing.briefing_docx and briefing_pdf
lay it out. Personal data (instructor names) is masked unless the caller may see it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo import grid_coverage as gc
from geo import kpi_month, kpis
from geo.masking import mask_frame
from geo.printing.units import DISTRICT, STREET, Unit, resolve_unit
from geo.schema import ID

BRIEFING_LAYERS = (*kpis.KPI_LAYERS, "districts", "communities", "grids", "members",
                   "party_instructors")
HEADLINE_FIGURES = ("orders_total", "orders_done", "cases_total", "cases_closed",
                    "satisfaction_pct", "closed_within_limit_pct", "disclosure_pct",
                    "complaints_this_period", "events_held", "joint_meetings")
TREND_MONTHS = 12
CHART_FIGURES = ("orders_total", "orders_done", "satisfaction_pct", "disclosure_pct",
                 "complaints_this_period")  # what the charts draw, keys of month_kpis
ESCALATED_LEVELS = ("community", "street", "district")


class UnitNotBriefed(ValueError):
    def __init__(self, unit: Unit):
        super().__init__(f"简报只能按区或街道生成,{unit.name}({unit.id})是{unit.kind} | a briefing "
                         f"is made for the district or a street, not a {unit.kind} ({unit.id})")


@dataclass
class Briefing:
    unit: Unit
    month: str
    as_of: str
    figures: dict  # kpi_month.month_kpis of the month
    previous: dict  # ... of the month before
    trend: pd.DataFrame  # month + CHART_FIGURES, one row per month, the last = figures
    grids: pd.DataFrame  # grid, street, households, members, per_member, flag
    overdue: pd.DataFrame  # case, compound, category, level, reported, hours_open, handler
    positions: pd.DataFrame  # tier, built, planned, opened_month
    masked: bool
    is_sample: bool
    changes: dict = field(default_factory=dict)  # figure -> this month minus previous
    through_day: int | None = None  # the data end inside the month: days 1..through_day of
    # this and of the previous month are compared; None: two complete months

    @property
    def partial(self) -> bool:
        return self.through_day is not None

    @property
    def street(self) -> str | None:
        return self.unit.id if self.unit.kind == STREET else None


def monthly_series(frames: dict, month: str, *, street: str | None = None,
                   limit_hours: float = kpis.DEFAULT_LIMIT_HOURS, last: dict | None = None
                   ) -> pd.DataFrame:
    """The charts' data: for each of the TREND_MONTHS months up to ``month`` the figures
    CHART_FIGURES of ``kpi_month.month_kpis`` (local months, the table's own definitions);
    ``last`` (the briefing month's figures, as the table prints them) is its last row."""
    end = pd.Period(month, freq="M")
    months = [str(p) for p in pd.period_range(end=end, periods=TREND_MONTHS, freq="M")]
    rows = []
    for m in months:
        figures = last if (last is not None and m == month) else kpi_month.month_kpis(
            frames, m, street=street, limit_hours=limit_hours)
        rows.append({"month": m, **{key: figures[key] for key in CHART_FIGURES}})
    return pd.DataFrame(rows, columns=["month", *CHART_FIGURES])


def flagged_grids(frames: dict, unit: Unit) -> pd.DataFrame:
    coverage = gc.grid_coverage(frames["grids"], frames["members"])
    if unit.kind == STREET:
        coverage = coverage[coverage[gc.STREET_ID] == unit.id]
    streets = dict(zip(frames["streets"][ID], frames["streets"]["name"]))
    rows = []
    for row in coverage.itertuples(index=False):
        for flag in (gc.FLAG_NO_MEMBER, gc.FLAG_OVERLOADED):
            if flag in row.flags:
                per = getattr(row, gc.PER_MEMBER)
                rows.append({"grid": f"{row.name}({row.grid_id})",
                             "street": streets.get(row.street_id, row.street_id),
                             "households": int(row.households), "members": int(row.members),
                             "per_member": None if pd.isna(per) else round(float(per), 1),
                             "flag": flag})
    return pd.DataFrame(rows, columns=["grid", "street", "households", "members", "per_member",
                                       "flag"])


def overdue_cases(frames: dict, at: pd.Timestamp, limit_hours: float, principal,
                  unmasked: bool) -> pd.DataFrame:
    """Escalated cases (above compound level) reported before ``at`` and still open then,
    open longer than ``limit_hours``; the compound's instructor as handler (masked)."""
    from geo import auth

    cases = frames["cases"]
    still_open = cases["closed_at"].isna() | (cases["closed_at"] > at)
    hours = (at - cases["reported_at"]).dt.total_seconds() / 3600.0
    late = cases[cases["level"].isin(ESCALATED_LEVELS) & still_open
                 & (cases["reported_at"] <= at) & (hours > limit_hours)]
    compounds = frames["compounds"].set_index(ID)
    instructors = frames["party_instructors"]
    visible = [unmasked and auth.can_see_personal(principal, grid) for grid in
               compounds["grid_id"].reindex(late["compound_id"]).to_numpy()]
    names = dict(zip(instructors[ID], instructors["name"]))
    handler = pd.DataFrame({"name": late["compound_id"].map(compounds["party_instructor_id"])
                            .map(names).to_numpy()})
    handler = mask_frame(handler, "party_instructors", visible) if len(handler) else handler
    table = pd.DataFrame({
        "case": late[ID].to_numpy(),
        "compound": late["compound_id"].map(compounds["name"]).to_numpy(),
        "category": late["category"].to_numpy(), "level": late["level"].to_numpy(),
        "reported": late["reported_at"].dt.strftime("%Y-%m-%d").to_numpy(),
        "hours_open": hours.loc[late.index].round(0).astype(int).to_numpy(),
        "handler": handler["name"].to_numpy() if len(handler) else [],
    })
    return table.sort_values("hours_open", ascending=False).reset_index(drop=True)


def positions_table(frames: dict, unit: Unit, start, end) -> pd.DataFrame:
    positions = frames["service_positions"]
    if unit.kind == STREET:
        positions = positions[positions["street_id"] == unit.id]
    opened = pd.to_datetime(positions["opened"], errors="coerce")
    rows = []
    for tier in ("core", "zone", "station", "point"):
        mine = positions["tier"] == tier
        rows.append({"tier": tier,
                     "built": int((mine & (positions["status"] == "existing")).sum()),
                     "planned": int((mine & (positions["status"] == "planned")).sum()),
                     "opened_month": int((mine & (opened >= start) & (opened < end)).sum())})
    return pd.DataFrame(rows)


def build_briefing(frames: dict, unit_id: str | None, month: str, *, principal=None,
                   unmasked: bool = False,
                   limit_hours: float = kpis.DEFAULT_LIMIT_HOURS) -> Briefing:
    """Everything the briefing prints for the district or a street and a month (YYYY-MM)."""
    unit = resolve_unit(frames, unit_id)
    if unit.kind not in (DISTRICT, STREET):
        raise UnitNotBriefed(unit)
    month = str(pd.Period(str(month), freq="M"))
    street = unit.id if unit.kind == STREET else None
    through_day = kpi_month.days_in_data(frames, month)
    figures = kpi_month.month_kpis(frames, month, street=street, limit_hours=limit_hours,
                                   through_day=through_day)
    previous = kpi_month.month_kpis(frames, kpi_month.previous_month(month), street=street,
                                    limit_hours=limit_hours, through_day=through_day)
    start, end = kpi_month.month_window(month)
    narrowed = kpis.for_street(frames, street)
    at = min(end, kpis.as_of_from(frames) + pd.Timedelta(days=1))
    compounds = frames["compounds"]
    if street:
        compounds = compounds[compounds["street_id"] == street]
    overdue = overdue_cases({**narrowed, "compounds": frames["compounds"]}, at, limit_hours,
                            principal, unmasked)
    overdue = overdue[overdue["compound"].isin(set(compounds["name"]))]
    changes = {}
    for key in HEADLINE_FIGURES:
        now, before = figures.get(key), previous.get(key)
        changes[key] = None if now is None or before is None else round(now - before, 2)
    meta = dict(zip(frames["meta"]["key"], frames["meta"]["value"])) if len(frames["meta"]) \
        else {}
    return Briefing(
        unit=unit, month=month, as_of=figures["as_of"], figures=figures, previous=previous,
        trend=monthly_series(frames, month, street=street, limit_hours=limit_hours,
                             last=figures),
        grids=flagged_grids(frames, unit),
        overdue=overdue.reset_index(drop=True), positions=positions_table(frames, unit, start, end),
        masked=not unmasked, is_sample=meta.get("is_sample") == "true", changes=changes,
        through_day=through_day,
    )


def summary_lines(b: Briefing, label) -> list[str]:
    """The generated text of the month ("本月新增…")."""
    f, p = b.figures, b.previous

    def pct(value) -> str:
        return "-" if value is None else f"{value}%"

    delta = f["complaints_this_period"] - p["complaints_this_period"]
    direction = label("brief.text.more" if delta > 0 else "brief.text.less" if delta < 0
                      else "brief.text.same")
    flags = b.grids["flag"].value_counts()
    than = label("brief.prev.same_days" if b.partial else "brief.prev.month")
    return [
        label("brief.text.new", orders=f"{f['orders_total']:,}", than=than,
              orders_prev=f"{p['orders_total']:,}", done=f"{f['orders_done']:,}",
              cases=f"{f['cases_total']:,}", closed=f"{f['cases_closed']:,}"),
        label("brief.text.satisfaction", value=pct(f["satisfaction_pct"]), than=than,
              prev=pct(p["satisfaction_pct"])),
        label("brief.text.complaints", now=f"{f['complaints_this_period']:,}", than=than,
              direction=direction, delta=f"{abs(delta):,}"),
        label("brief.text.positions", opened=int(b.positions["opened_month"].sum()),
              planned=int(b.positions["planned"].sum())),
        label("brief.text.grids", empty=int(flags.get(gc.FLAG_NO_MEMBER, 0)),
              over=int(flags.get(gc.FLAG_OVERLOADED, 0))),
        label("brief.text.overdue", n=len(b.overdue)),
    ]


def load_briefing_frames(store) -> dict:
    present = set(store.layer_names())
    return {name: store.load(name) for name in dict.fromkeys(BRIEFING_LAYERS) if name in present}
