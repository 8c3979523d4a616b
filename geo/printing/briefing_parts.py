"""What both briefing formats (Word and PDF) print: the KPI charts as a matplotlib figure,
the tables as rows of text, the headings; each format only lays them out."""

from __future__ import annotations

import io
import unicodedata

import pandas as pd
from matplotlib.figure import Figure

from geo import map_style as ms
from geo.printing.briefing import HEADLINE_FIGURES, Briefing, summary_lines
from geo.printing.fonts import use_cjk_font
from geo.printing.sheet import SheetOptions, draw_sheet

CHART_COLOURS = ("#c62828", "#f9a825", "#1565c0", "#6a1b9a")
SHEET_FOR_BRIEFING = {"size": "A4", "orientation": "landscape"}


def _number(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _change(value) -> str:
    text = _number(value)
    return text if text == "-" or value <= 0 else "+" + text


def month_name(b: Briefing, label) -> str:
    """The briefing's month, named as partial when the data end inside it."""
    period = pd.Period(b.month, freq="M")
    if b.partial:
        return label("brief.month.partial", year=period.year, month=period.month,
                     day=b.through_day)
    return label("brief.month", year=period.year, month=period.month)


def partial_note(b: Briefing, label) -> str | None:
    """The note saying what a partial month is compared with (None for a complete month)."""
    if not b.partial:
        return None
    return label("brief.partial_note", date=b.figures["through"], day=b.through_day)


def subject(b: Briefing, label) -> str:
    return label("brief.subject", unit=b.unit.name, month=month_name(b, label))


def title_lines(b: Briefing, label, printed_on: pd.Timestamp) -> tuple[str, str]:
    month = month_name(b, label)
    return (label("brief.title", unit=b.unit.name),
            label("brief.subtitle", month=month, as_of=b.as_of,
                  date=printed_on.strftime("%Y-%m-%d")))


def headline_table(b: Briefing, label) -> tuple[list[str], list[list[str]]]:
    if b.partial:
        header = [label("brief.col.figure"),
                  label("brief.col.value_partial", day=b.through_day),
                  label("brief.col.previous_partial", day=b.through_day),
                  label("brief.col.change")]
    else:
        header = [label(f"brief.col.{c}") for c in ("figure", "value", "previous", "change")]
    rows = [[label(f"brief.fig.{key}"), _number(b.figures.get(key)),
             _number(b.previous.get(key)), _change(b.changes.get(key))]
            for key in HEADLINE_FIGURES]
    return header, rows


def grid_table(b: Briefing, label) -> tuple[list[str], list[list[str]]]:
    header = [label(f"brief.col.{c}") for c in ("grid", "street", "households", "members",
                                                 "per_member", "flag")]
    rows = [[r.grid, str(r.street), f"{r.households:,}", f"{r.members:,}",
             _number(r.per_member), label(f"brief.flag.{r.flag}")]
            for r in b.grids.itertuples(index=False)]
    return header, rows


def overdue_table(b: Briefing, label) -> tuple[list[str], list[list[str]]]:
    header = [label(f"brief.col.{c}") for c in ("case", "compound", "category", "level",
                                                 "reported", "hours_open", "handler")]
    rows = [[r.case, str(r.compound), str(r.category), label(f"print.level.{r.level}"),
             r.reported, f"{r.hours_open:,}", str(r.handler)]
            for r in b.overdue.itertuples(index=False)]
    return header, rows


def positions_table(b: Briefing, label) -> tuple[list[str], list[list[str]]]:
    header = [label(f"brief.col.{c}") for c in ("tier", "built", "planned", "opened_month")]
    rows = [[label(f"map.tier.{r.tier}"), f"{r.built:,}", f"{r.planned:,}",
             f"{r.opened_month:,}"] for r in b.positions.itertuples(index=False)]
    return header, rows


def sections(b: Briefing, label) -> list[tuple[str, tuple[list[str], list[list[str]]]]]:
    """The three lists of the briefing: (heading, (header, rows))."""
    return [(label("brief.h.grids"), grid_table(b, label)),
            (label("brief.h.overdue"), overdue_table(b, label)),
            (label("brief.h.positions"), positions_table(b, label))]


def text_lines(b: Briefing, label) -> list[str]:
    return summary_lines(b, label)


def display_width(text: str) -> int:
    """Width of ``text`` in half-width character cells (CJK and full-width count 2)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in str(text))


def column_shares(header: list[str], rows: list[list[str]], floor: int = 4) -> list[float]:
    """Each column's share of a table's width, from the widest text in it (header included)."""
    widths = [max([display_width(header[i]), floor, *(display_width(r[i]) for r in rows)])
              for i in range(len(header))]
    total = float(sum(widths))
    return [w / total for w in widths]


def column_widths(header: list[str], rows: list[list[str]], total: float, unit: float,
                  pad: float, narrowest: float = 0.0) -> list[float]:
    """Column widths (in the unit of ``total``) for a table ``total`` wide whose text is
    ``unit`` per half-width character, ``pad`` taken by each cell's margins: each column as
    wide as its widest text asks, the spare width shared out in proportion; when the text asks
    for more than ``total``, the widest column gives way (its text wraps) down to
    ``narrowest``, then all shrink alike."""
    needed = [max([display_width(header[i]), *(display_width(r[i]) for r in rows)]) * unit
              + pad for i in range(len(header))]
    spare = total - sum(needed)
    if spare >= 0:
        return [w + spare * w / sum(needed) for w in needed]
    widest = needed.index(max(needed))
    needed[widest] = max(narrowest, needed[widest] + spare)
    factor = min(1.0, total / sum(needed))
    return [w * factor for w in needed]


def chart_month_labels(b: Briefing) -> list[str]:
    """The charts' x labels (YY-MM); the briefing month marked * when partial."""
    months = [m[2:] for m in b.trend["month"]]
    if b.partial and months:
        months[-1] += "*"
    return months


def _tag(bars, key: str) -> None:
    for bar in bars:
        bar.set_gid(key)


def chart_figure(b: Briefing, label, width_in: float = 7.0, height_in: float = 5.2) -> Figure:
    """Four small charts of the 12 months up to the briefing's month, drawn from ``b.trend``
    (kpi_month.month_kpis per month: the same figures as the table). Every bar and line
    carries the figure's key as gid, so a reader can take the plotted numbers back."""
    use_cjk_font()
    fig = Figure(figsize=(width_in, height_in), dpi=150)
    axes = fig.subplots(2, 2)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=1.2 / height_in, top=0.9, wspace=0.22,
                        hspace=0.45)
    trend = b.trend
    months = chart_month_labels(b)
    x = list(range(len(months)))

    def values(key):
        return [0 if pd.isna(v) else v for v in trend[key]]

    ax = axes[0][0]
    for shift, key, colour, text in ((-0.2, "orders_total", CHART_COLOURS[0],
                                      "brief.chart.orders_created"),
                                     (0.2, "orders_done", CHART_COLOURS[1],
                                      "brief.chart.orders_done")):
        _tag(ax.bar([i + shift for i in x], values(key), 0.4, color=colour, label=label(text)),
             key)
    top = max([1, *values("orders_total"), *values("orders_done")])
    ax.set_ylim(0, top * 1.3)
    ax.legend(fontsize=7, frameon=False, ncols=2, loc="upper left")
    ax.set_title(label("brief.chart.orders"), fontsize=9)
    for ax, key, text, colour in (
            (axes[0][1], "satisfaction_pct", "brief.chart.satisfaction", CHART_COLOURS[2]),
            (axes[1][0], "disclosure_pct", "brief.chart.disclosure", ms.INDICATOR_COLOURS[
                "disclosure"]["full"])):
        series = pd.to_numeric(trend[key], errors="coerce")
        (line,) = ax.plot(x, series.to_numpy(dtype=float), marker="o", markersize=3,
                          color=colour)
        line.set_gid(key)
        ax.set_ylim(0, 105)
        ax.set_title(label(text), fontsize=9)
    ax = axes[1][1]
    _tag(ax.bar(x, values("complaints_this_period"), color=CHART_COLOURS[3]),
         "complaints_this_period")
    ax.set_title(label("brief.chart.complaints"), fontsize=9)
    for ax in (a for row in axes for a in row):
        ax.set_xticks(x, months, fontsize=6, rotation=90)
        ax.tick_params(axis="y", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    note = partial_note(b, label)
    if note:
        fig.text(0.07, 0.72 / height_in, note, fontsize=7, color="#424242", va="top")
    return fig


def chart_points(fig: Figure) -> dict[str, list[float]]:
    """The numbers a chart figure plots, by figure key (bar heights, line y values)."""
    points: dict[str, list[float]] = {}
    for ax in fig.axes:
        for patch in ax.patches:
            if patch.get_gid():
                points.setdefault(patch.get_gid(), []).append(float(patch.get_height()))
        for line in ax.lines:
            if line.get_gid():
                points[line.get_gid()] = [float(v) for v in line.get_ydata()]
    return points


def png(fig: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def map_figure(frames: dict, b: Briefing, label, printed_on, source):
    fig, _, _ = draw_sheet(frames, SheetOptions(unit=b.unit.id, **SHEET_FOR_BRIEFING), label,
                           printed_on=printed_on, source=source)
    return fig
