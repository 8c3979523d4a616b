"""Pieces of the grids page (views/grids.py): grid cards, the district summary (figures, a
table by street or community, charts), the roster as a paged table that fits a phone, and
files made only when asked for (then downloaded through the audited button)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from components import grid_charts
from components.data_text import md
from components.display_values import blank_frame, is_missing, number, vocab
from components.i18n import fmt_int, fmt_pct, t
from geo import grid_coverage as gc
from geo.grid_summary import AREA_COLUMNS, GRIDS, threshold_text

CARDS_PER_ROW = 3
COMPACT = ("name", "phone", "post", "duty")  # the roster on a phone: 4 columns fit 390 px
WORD_COLUMNS = ("post", "duty")  # fixed Chinese words of the data, shown in the session's language
ROW_PX, HEAD_PX, MAX_TABLE_PX = 35, 38, 360
FLAG_COLOURS = {gc.FLAG_NO_MEMBER: "red", gc.FLAG_OVERLOADED: "orange", gc.FLAG_FAR_HOME: "violet"}
def table_height(rows: int) -> int:
    """A table as tall as its rows, up to MAX_TABLE_PX (then it scrolls inside)."""
    return min(MAX_TABLE_PX, HEAD_PX + ROW_PX * max(rows, 1))


def threshold_input(default: float, folded: bool = False) -> float:
    """The overload threshold box, shown to the hundredth: the value compared is the value
    shown (a value typed with more decimals is rounded to what the box shows); the rule it
    sets is written beside it. ``folded``: in a closed expander (a grid leader's phone has no
    room to spare above the reassignment; the cards show the flags it sets)."""
    if folded:
        with st.expander(t("grids.pick.threshold"), icon=":material/tune:"):
            return threshold_input(default)
    box, note = st.columns([1, 2], vertical_alignment="bottom")
    value = box.number_input(t("grids.pick.threshold"), min_value=0.01, value=float(default),
                            step=1.0, format="%.2f", help=t("grids.pick.threshold_help"),
                            key="grids_threshold")
    limit = round(float(value), gc.THRESHOLD_DIGITS)
    note.caption(threshold_note(limit))
    return limit


def threshold_now(default: float) -> float:
    """The threshold in the box (as compared), outside the fragment that draws the box."""
    return round(float(st.session_state.get("grids_threshold", default)), gc.THRESHOLD_DIGITS)


def one_grid(coverage: pd.DataFrame, grid_id: str) -> pd.DataFrame:
    return coverage[coverage[gc.GRID_ID] == grid_id]


def flag_badges(record: dict) -> str:
    """The flags of one grid as coloured Markdown badges ("covered" in green without any)."""
    flags = record[gc.FLAGS]
    if not flags:
        return f":green-badge[{md(t('grids.card.ok'))}]"
    badges = []
    for flag in flags:
        text = t("grids.flag." + flag)
        if flag == gc.FLAG_FAR_HOME:
            text = t("grids.card.far_count", n=fmt_int(record[gc.FAR_HOME]))
        badges.append(f":{FLAG_COLOURS[flag]}-badge[{md(text)}]")
    return " ".join(badges)


def grid_card(record: dict) -> None:
    """One grid's status: name, members, households, households per member, flags."""
    per = record[gc.PER_MEMBER]
    line = t("grids.card.line", members=fmt_int(record[gc.MEMBERS]),
             households=fmt_int(record[gc.HOUSEHOLDS]), per=number(per, 2))
    with st.container(border=True, key=f"grid_card_{record[gc.GRID_ID]}"):
        st.markdown(f"**{md(record['name'])}** · {md(record[gc.GRID_ID])}  \n{md(line)}  \n"
                    f"{flag_badges(record)}")


def grid_cards(coverage: pd.DataFrame) -> None:
    """A card per grid, CARDS_PER_ROW to a row on a wide screen (one column on a phone)."""
    records = coverage.to_dict("records")
    for start in range(0, len(records), CARDS_PER_ROW):
        row = st.columns(CARDS_PER_ROW)
        for column, record in zip(row, records[start:start + CARDS_PER_ROW]):
            with column:
                grid_card(record)


def summary_metrics(summary: dict) -> None:
    per = summary[gc.PER_MEMBER]
    items = [("grids.card.grids", fmt_int(summary["grids"])),
             ("grids.card.members", fmt_int(summary["members"])),
             ("grids.card.households", fmt_int(summary["households"])),
             ("grids.card.per_member", "-" if per is None else number(per, 2)),
             ("grids.card.no_member", fmt_int(summary[gc.FLAG_NO_MEMBER])),
             ("grids.card.overloaded", fmt_int(summary[gc.FLAG_OVERLOADED]))]
    for column, (key, value) in zip(st.columns(len(items)), items):
        column.metric(t(key), value)


AREA_HEADERS = {GRIDS: "grids.card.grids", gc.MEMBERS: "grids.card.members",
                gc.HOUSEHOLDS: "grids.card.households", gc.PER_MEMBER: "grids.card.per_member",
                gc.FLAG_NO_MEMBER: "grids.card.no_member",
                gc.FLAG_OVERLOADED: "grids.card.overloaded",
                gc.FLAG_FAR_HOME: "grids.card.far_grids", gc.REPORTED: "grids.col.members_reported",
                gc.PLACED: "grids.col.members_placed", gc.RATIO: "grids.col.placed_ratio"}


def area_table(table: pd.DataFrame, level: str) -> None:
    """Flags and counts by street or community (a paged table, one row per area)."""
    st.markdown(f"**{t('grids.summary.by_' + level)}**")
    shown = table[list(AREA_COLUMNS)[1:]].copy()
    shown[gc.PER_MEMBER] = shown[gc.PER_MEMBER].map(lambda v: number(v, 2))
    shown[gc.RATIO] = shown[gc.RATIO].map(lambda v: "-" if pd.isna(v) else fmt_pct(100 * v))
    headers = {"name": t(f"grids.pick.{level}")} | {c: t(k) for c, k in AREA_HEADERS.items()}
    st.dataframe(blank_frame(shown.rename(columns=headers)), hide_index=True,
                 height=table_height(len(shown)))


def grid_table(coverage: pd.DataFrame) -> None:
    """The grids of a community: figures and flags, one row per grid."""
    table = coverage[[gc.GRID_ID, "name", gc.MEMBERS, gc.HOUSEHOLDS, gc.PER_MEMBER, gc.FLAGS]].copy()
    table[gc.FLAGS] = table[gc.FLAGS].map(lambda f: t("grids.list_sep").join(
        t("grids.flag." + x) for x in f))
    table[gc.PER_MEMBER] = table[gc.PER_MEMBER].map(lambda v: number(v, 2))
    headers = {c: t("grids.col." + c) for c in table.columns} | {"name": t("polish.col.grid_name")}
    st.markdown(f"**{t('grids.table')}**")
    st.dataframe(blank_frame(table.rename(columns=headers)), hide_index=True,
                 height=table_height(len(table)))


def charts(coverage: pd.DataFrame, limit: float, n: int = 10) -> None:
    """The distribution of households per member (threshold marked) and the ``n`` heaviest
    grids, named; grids without members are counted under the charts."""
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('grids.chart.distribution')}**")
        data, spec = grid_charts.distribution(coverage, limit)
        st.vega_lite_chart(data, spec, width="stretch", height=spec["height"])
    with right:
        st.markdown(f"**{t('grids.chart.worst', n=n)}**")
        data, spec = grid_charts.worst(coverage, limit, n)
        st.vega_lite_chart(data, spec, width="stretch", height=spec["height"])
    gaps = int((coverage[gc.MEMBERS] == 0).sum())
    if gaps:
        st.caption(t("grids.chart.gaps", n=fmt_int(gaps)))


def threshold_note(limit: float) -> str:
    return t("grids.threshold_note", limit=threshold_text(limit))


def roster_words(roster: pd.DataFrame) -> pd.DataFrame:
    """The roster with members' posts and duties in the session's language (楼道长 ->
    stairwell leader in English; a word the vocabulary lacks stays as it is, a blank stays
    blank): for the table and for files made in the session's language."""
    out = roster.copy()
    for column in WORD_COLUMNS:
        if column in out.columns:
            out[column] = out[column].map(lambda v: v if is_missing(v) else vocab(v))
    return out


def roster_table(roster: pd.DataFrame, several_grids: bool) -> None:
    """The roster as a paged table: by default the four columns a phone can show (name,
    phone, post, duty; the grid instead of the duty when there are several grids); every
    column on request."""
    st.caption(t("grids.roster.count", n=fmt_int(len(roster))))
    every = st.toggle(t("grids.roster.all_columns"), key="grids_roster_all")
    compact = [*COMPACT[:2], "grid", COMPACT[2]] if several_grids else list(COMPACT)
    columns = list(roster.columns) if every else compact
    shown = blank_frame(roster_words(roster[columns])).rename(
        columns={c: t("grids.col." + c) for c in columns})
    st.dataframe(shown, hide_index=True, height=table_height(len(shown)))


def made_on_request(container, key: str, stamp: tuple, label: str,
                    build: Callable[[], bytes]) -> bytes | None:
    """A button that makes a file only when clicked; the file is kept in this session for
    ``stamp`` (revision, scope, masking, language) so that its download button outlives the
    reruns that follow, and is dropped when the stamp changes."""
    slot = f"{key}_made"
    made = st.session_state.get(slot)
    if container.button(label, key=f"{key}_make", icon=":material/description:"):
        with st.spinner(label):
            made = (stamp, build())
        st.session_state[slot] = made
    if made and made[0] != stamp:
        st.session_state.pop(slot, None)
        return None
    return made[1] if made else None
