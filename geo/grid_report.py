"""Grid rosters and printable summaries: the roster of a grid, community or street as a table
and as an Excel workbook (masked as the user must see it), and a one-page HTML print view
per grid. Labels come from the caller (a ``label(key) -> text`` function, e.g.
``components.i18n.t``) so that this module holds no UI text."""

from __future__ import annotations

import html
import math
from collections.abc import Callable

import pandas as pd

from geo import cells
from geo import grid_coverage as gc
from geo.masking import mask_frame
from geo.schema import ID

ROSTER_COLUMNS = (
    "id", "name", "phone", "grid", "post", "duty", "team", "reported_on", "joined_party",
)
LABEL_PREFIX = "grids.col."  # label keys: grids.col.<column>


def roster_frame(
    members: pd.DataFrame, grids: pd.DataFrame, teams: pd.DataFrame,
    can_see_personal: bool | dict, grid_ids=None,
) -> pd.DataFrame:
    """Members of ``grid_ids`` (all when None) with grid and team names, personal fields
    masked unless ``can_see_personal`` (a bool, or a dict grid_id -> bool for per-grid rights;
    grids missing from the dict are masked); columns ROSTER_COLUMNS, sorted by grid then id."""
    chosen = members if grid_ids is None else members[members[gc.GRID_ID].isin(list(grid_ids))]
    chosen = pd.DataFrame(chosen.drop(columns="geometry", errors="ignore"))
    if isinstance(can_see_personal, dict):
        rights = can_see_personal
        can_see_personal = chosen[gc.GRID_ID].map(lambda g: bool(rights.get(g, False)))
    chosen = mask_frame(chosen, "members", can_see_personal)
    grid_names = dict(zip(grids[ID], grids["name"]))
    team_names = dict(zip(teams[ID], teams["name"])) if len(teams) else {}
    out = pd.DataFrame({
        "id": chosen[ID].to_numpy(), "name": chosen["name"].to_numpy(),
        "phone": chosen["phone"].to_numpy(),
        "grid": chosen[gc.GRID_ID].map(grid_names).fillna(chosen[gc.GRID_ID]).to_numpy(),
        "post": chosen["post"].to_numpy(), "duty": chosen["duty"].to_numpy(),
        "team": pd.Series([team_names.get(v) for v in chosen[gc.TEAM]], dtype=object),
        "reported_on": pd.to_datetime(chosen["reported_on"]).dt.date.to_numpy(),
        "joined_party": pd.to_datetime(chosen["joined_party"]).dt.date.to_numpy(),
    })
    return out.sort_values(["grid", "id"]).reset_index(drop=True)


def labelled(roster: pd.DataFrame, label: Callable[[str], str]) -> pd.DataFrame:
    """The roster with translated column headings."""
    return roster.rename(columns={c: label(LABEL_PREFIX + c) for c in roster.columns})


def roster_excel(roster: pd.DataFrame, label: Callable[[str], str], sheet: str = "roster") -> bytes:
    """An .xlsx workbook (one sheet) of an already masked roster, headings translated."""
    return cells.table_xlsx(labelled(roster, label), sheet)


def write_roster_excel(roster: pd.DataFrame, path, label: Callable[[str], str]) -> None:
    """Write the roster workbook to a user-chosen file."""
    with open(path, "wb") as fh:
        fh.write(roster_excel(roster, label))


_PRINT_CSS = """
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 16px;
       color: #222; font-size: 13px; }
h1 { font-size: 20px; margin: 0 0 4px; color: #b71c1c; }
.sub { color: #555; margin-bottom: 12px; }
.cards { display: flex; gap: 10px; margin: 8px 0 12px; }
.card { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; min-width: 90px; }
.card b { display: block; font-size: 18px; }
.flag { display: inline-block; background: #fdecea; color: #b71c1c; border-radius: 4px;
        padding: 1px 6px; margin-right: 4px; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th, td { border: 1px solid #ccc; padding: 3px 5px; text-align: left; }
th { background: #f5f5f5; }
.print { margin: 8px 0; }
@page { size: A4 portrait; margin: 12mm; }
@media print {
  .print { display: none; }
  body { margin: 0; font-size: 11px; }
  table { page-break-inside: auto; }
  tr { page-break-inside: avoid; }
}
"""


def grid_summary_html(
    record: dict, roster: pd.DataFrame, label: Callable[[str], str], names: dict | None = None,
    generated: str = "",
) -> str:
    """A self-contained one-page HTML print view of one grid: figures, flags, members by post
    and the (masked) roster. ``record`` is one row of grid_coverage as a dict; ``names`` maps
    community/street ids to names."""
    names = names or {}
    esc = html.escape
    per = record.get(gc.PER_MEMBER)
    per_text = "-" if per is None or not math.isfinite(per) else f"{per:,.1f}"
    cards = [
        (label("grids.card.members"), f"{int(record[gc.MEMBERS]):,}"),
        (label("grids.card.households"), f"{int(record[gc.HOUSEHOLDS]):,}"),
        (label("grids.card.per_member"), per_text),
        (label("grids.card.far_home"), f"{int(record.get(gc.FAR_HOME, 0)):,}"),
    ]
    flags = "".join(
        f'<span class="flag">{esc(label("grids.flag." + f))}</span>' for f in record[gc.FLAGS]
    ) or esc(label("grids.flag.none"))
    posts = pd.DataFrame(
        sorted(record.get(gc.BY_POST, {}).items()),
        columns=[label("grids.col.post"), label("grids.card.members")],
    )
    where = " · ".join(esc(str(names.get(record.get(k), record.get(k) or "")))
                       for k in (gc.STREET_ID, gc.COMMUNITY_ID))
    body = [
        f'<button class="print" onclick="window.print()">{esc(label("grids.print"))}</button>',
        f"<h1>{esc(label('grids.report.title'))} · {esc(str(record['name']))}</h1>",
        f'<div class="sub">{where} · {esc(str(record[gc.GRID_ID]))} {esc(generated)}</div>',
        '<div class="cards">' + "".join(
            f'<div class="card">{esc(k)}<b>{esc(v)}</b></div>' for k, v in cards) + "</div>",
        f"<p>{esc(label('grids.flags'))}: {flags}</p>",
        f"<h2>{esc(label('grids.by_post'))}</h2>", posts.to_html(index=False, escape=True),
        f"<h2>{esc(label('grids.roster'))}</h2>",
        labelled(roster.astype(object).where(roster.notna(), ""), label)
        .to_html(index=False, escape=True),  # a member with no team: a blank cell, not "None"
    ]
    title = esc(f"{label('grids.report.title')} {record['name']}")
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{_PRINT_CSS}</style></head><body>{''.join(body)}</body></html>")
