"""What both briefing formats (Word and PDF) print: the KPI charts as a matplotlib figure,
the tables as rows of text, the headings; each format only lays them out."""

from __future__ import annotations

import io

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


def title_lines(b: Briefing, label, printed_on: pd.Timestamp) -> tuple[str, str]:
    period = pd.Period(b.month, freq="M")
    month = label("brief.month", year=period.year, month=period.month)
    return (label("brief.title", unit=b.unit.name),
            label("brief.subtitle", month=month, as_of=b.as_of,
                  date=printed_on.strftime("%Y-%m-%d")))


def headline_table(b: Briefing, label) -> tuple[list[str], list[list[str]]]:
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


def chart_figure(b: Briefing, label, width_in: float = 7.0, height_in: float = 5.2) -> Figure:
    """Four small charts of the 12 months up to the briefing's month."""
    use_cjk_font()
    fig = Figure(figsize=(width_in, height_in), dpi=150)
    axes = fig.subplots(2, 2)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.1, top=0.9, wspace=0.22, hspace=0.45)
    trend = b.trend
    months = [m[2:] for m in trend["month"]]
    x = range(len(months))
    ax = axes[0][0]
    ax.bar([i - 0.2 for i in x], trend["orders_created"], 0.4, color=CHART_COLOURS[0],
           label=label("brief.chart.orders_created"))
    ax.bar([i + 0.2 for i in x], trend["orders_done"], 0.4, color=CHART_COLOURS[1],
           label=label("brief.chart.orders_done"))
    ax.set_ylim(0, max(1, trend[["orders_created", "orders_done"]].to_numpy().max()) * 1.3)
    ax.legend(fontsize=7, frameon=False, ncols=2, loc="upper left")
    ax.set_title(label("brief.chart.orders"), fontsize=9)
    for ax, column, key, colour in (
            (axes[0][1], "satisfaction_pct", "brief.chart.satisfaction", CHART_COLOURS[2]),
            (axes[1][0], "disclosure_pct", "brief.chart.disclosure", ms.INDICATOR_COLOURS[
                "disclosure"]["full"])):
        ax.plot(list(x), trend[column], marker="o", markersize=3, color=colour)
        ax.set_ylim(0, 105)
        ax.set_title(label(key), fontsize=9)
    ax = axes[1][1]
    ax.bar(list(x), trend["complaints"], color=CHART_COLOURS[3])
    ax.set_title(label("brief.chart.complaints"), fontsize=9)
    for ax in (a for row in axes for a in row):
        ax.set_xticks(list(x), months, fontsize=6, rotation=90)
        ax.tick_params(axis="y", labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    return fig


def png(fig: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def map_figure(frames: dict, b: Briefing, label, printed_on, source):
    fig, _, _ = draw_sheet(frames, SheetOptions(unit=b.unit.id, **SHEET_FOR_BRIEFING), label,
                           printed_on=printed_on, source=source)
    return fig
