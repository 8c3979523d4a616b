"""The compound drill-down: branch, committees, firm, instructor, grids and members, nearest
positions, joint meetings, disclosures, orders and satisfaction. It shows what it is given:
the detail and summary come from ``PageContext.compound``, already masked for the principal.
Every text from the data goes through :func:`components.data_text.md` before Markdown (a
practice, a firm's or a person's name is shown as typed, never as a link or an image)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.data_text import md
from components.display_values import blank_frame, vocab
from components.i18n import fmt_date, fmt_int, fmt_pct, t


def _person(name, grid_id=None) -> str:
    """A person's name as given (the page context has already masked it), inert in Markdown."""
    return md(name) if name else "—"


def _date(value) -> str:
    return "—" if value is None or pd.isna(value) else fmt_date(value)


def _section(title: str, line: str | None) -> None:
    st.markdown(f"**{title}**")
    st.caption(line if line else t("cp.none"))


def _tier(tier: str) -> str:
    return t(f"map.tier.{tier}")


def show_records(detail, names: dict) -> None:
    """The branch, committees, firm and instructor (text lines)."""
    c, grid_id = detail.compound, detail.compound.get("grid_id")
    st.caption(t("cp.basic", street=md(names.get("street", "—")),
                 community=md(names.get("community", "—")),
                 households=fmt_int(c["households"]), buildings=fmt_int(c["buildings"]),
                 year=md(c.get("built_year") or "—")))
    if c.get("practice"):
        st.caption(f"✦ {md(vocab(c['practice']))}")
    b = detail.party_branch
    _section(t("cp.branch"), b and t(
        "cp.branch_line", secretary=_person(b["secretary_name"], grid_id),
        members=fmt_int(b["party_members"]), groups=fmt_int(b["party_groups"]),
        type=t(f"map.value.branch_type.{b['branch_type']}")))
    o = detail.owners_committee
    if o:
        share = fmt_pct(100.0 * o["party_seats"] / o["seats"]) if o["seats"] else "—"
        line = t("cp.owners_line", director=_person(o["director_name"], grid_id),
                 start=_date(o["term_start"]), end=_date(o["term_end"]), share=share)
        _section(t("cp.owners"), line + (" · " + t("cp.one_shoulder") if o["one_shoulder"] else ""))
    else:
        _section(t("cp.owners"), None)
    s = detail.supervisory_committee
    _section(t("cp.supervisory"), s and t(
        "cp.supervisory_line", director=_person(s["director_name"], grid_id),
        seats=fmt_int(s["seats"]), party=fmt_int(s["party_seats"])))
    f = detail.property_firm
    if f:
        st.markdown(f"**{t('cp.firm')}**: {md(f['name'])}"
                    + (f" 🏅 {t('cp.red_property')}" if f["red_property"] else ""))
        st.caption(t("cp.firm_line", rating=md(f["rating"]), score=f"{f['score']:.1f}",
                     members=fmt_int(f["party_members"])))
    else:
        _section(t("cp.firm"), None)
    i = detail.party_instructor
    _section(t("cp.instructor"), i and (
        f"{_person(i['name'], grid_id)} · {t('cp.instructor.' + i['kind'])} · "
        f"{md(i['organisation'])}"))


def show_activity(summary: dict, full: bool) -> None:
    """Grids and members, nearest positions, meetings, disclosures, orders."""
    grids = summary["grids"]
    st.markdown(f"**{t('cp.grids')}**")
    st.caption(t("cp.grids_line", grids=fmt_int(len(grids)),
                 members=fmt_int(int(grids["members"].sum()) if len(grids) else 0)))
    st.dataframe(grids.rename(columns={"name": t("cp.col.grid"), "members": t("cp.col.members")})
                 .drop(columns=["id"]), hide_index=True, width="stretch")
    if full and len(summary["members"]):
        members = summary["members"]  # masked for the session's role by the page context
        grid_names = dict(zip(grids["id"], grids["name"]))
        members = pd.DataFrame(members).assign(  # grid names, not 14-digit codes
            grid_id=lambda f: f["grid_id"].map(lambda g: grid_names.get(g, g)),
            post=lambda f: f["post"].map(vocab), duty=lambda f: f["duty"].map(vocab))
        cols = {"name": t("cp.col.name"), "grid_id": t("cp.col.grid"),
                "post": t("cp.col.post"), "duty": t("cp.col.duty"),
                "work_unit": t("cp.col.work_unit")}
        st.dataframe(blank_frame(members[list(cols)].rename(columns=cols)), hide_index=True,
                     width="stretch")
    st.markdown(f"**{t('cp.nearest')}**")
    nearest = summary["nearest"].assign(tier=lambda f: f["tier"].map(_tier))
    st.dataframe(nearest.drop(columns=["id"]).rename(columns={
        "name": t("cp.col.name"), "tier": t("cp.col.tier"), "distance_m": t("cp.col.distance"),
    }), hide_index=True, width="stretch")
    meetings = summary["meetings"]
    st.markdown(f"**{t('cp.meetings')}** · {fmt_int(len(meetings))}")
    if len(meetings):
        recent = meetings.sort_values("held_on", ascending=False).head(None if full else 3)
        st.dataframe(pd.DataFrame({
            t("cp.col.date"): recent["held_on"].map(_date), t("cp.col.topic"): recent["topic"],
            t("cp.col.attendees"): recent["attendees"]}), hide_index=True, width="stretch")
    disclosures = summary["disclosures"]
    st.markdown(f"**{t('cp.disclosures')}**")
    if len(disclosures):
        st.dataframe(pd.DataFrame({
            t("cp.col.category"): disclosures["category"].map(lambda c: t(f"cp.disclosure.{c}")),
            t("cp.col.months"): disclosures["months"],
            t("cp.col.disclosed"): disclosures["disclosed"]}), hide_index=True, width="stretch")
    else:
        st.caption(t("cp.none"))
    st.markdown(f"**{t('cp.orders')}**")
    rating = "—" if summary["rating_avg"] is None else f"{summary['rating_avg']:.2f}"
    line = t("cp.orders_line", n=fmt_int(summary["orders"]), done=fmt_int(summary["orders_done"]),
             rating=rating)
    if summary["satisfaction_pct"] is not None:
        line += f" · {t('head.satisfaction')} {fmt_pct(summary['satisfaction_pct'])}"
    st.caption(line)


def show_panel(detail, summary: dict, names: dict, full: bool = False) -> None:
    st.subheader(md(detail.compound["name"]))
    show_records(detail, names)
    show_activity(summary, full)
