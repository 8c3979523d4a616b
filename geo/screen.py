"""Content of the big screen: spotlight list and cards, ticker, monthly trends.

Everything is computed from the layers handed in; person names are always masked here,
whatever role is configured (the screen is public).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from geo import clock
from geo.masking import mask_name

SPOTLIGHT_TIERS = ("core", "zone", "station")
NAMED_COMPOUNDS = ("永悦华府", "世纪花园", "巨鼎港湾名府", "嘉丽阳光苑", "书香园")
STATUS_KEY = "orders.status.{}"  # the display text of an order's or a case's status
MEETING_KEY = "screen.meeting"  # "a joint meeting: {topic}"


def _keys(key: str, **values) -> str:
    """The default ``text``: the key itself (the page hands in its translation)."""
    return key + (f" {values}" if values else "")


def _word(text, value) -> str:
    """A fixed word of the data (an order's category) through ``text`` (key ``vocab.<word>``);
    the word itself when ``text`` has no translation for it."""
    key = f"vocab.{value}"
    shown = text(key)
    return str(value) if shown == key or shown.startswith(key + " ") else shown


@dataclass
class SpotlightCard:
    kind: str  # "compound" or "position"
    id: str
    name: str
    lon: float
    lat: float
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label key, value)
    recent: list[str] = field(default_factory=list)


def spotlight_ids(compounds: pd.DataFrame, positions: pd.DataFrame, setting: str = "") -> list[str]:
    """The rotation: ids from the setting (comma-separated), else the named compounds and
    every core, zone and station position."""
    wanted = [s.strip() for s in (setting or "").split(",") if s.strip()]
    known = set(compounds["id"]) | set(positions["id"])
    if wanted:
        return [i for i in wanted if i in known]
    named = compounds[compounds["name"].isin(NAMED_COMPOUNDS)]["id"].tolist()
    tiers = positions[positions["tier"].isin(SPOTLIGHT_TIERS) & (positions["status"] == "existing")]
    return named + tiers["id"].tolist()


def spotlight_card(item_id: str, layers: dict[str, pd.DataFrame], text=_keys) -> SpotlightCard:
    """``text(key, **values)``: the display text of a status or a meeting (the page's ``t``)."""
    compounds = layers["compounds"].set_index("id")
    if item_id in compounds.index:
        return _compound_card(item_id, layers, text)
    return _position_card(item_id, layers)


def _first(frame: pd.DataFrame, column: str, value) -> pd.Series | None:
    hit = frame[frame[column] == value]
    return hit.iloc[0] if len(hit) else None


def _compound_card(cid: str, layers, text=_keys) -> SpotlightCard:
    row = layers["compounds"].set_index("id").loc[cid]
    rep = row.geometry.representative_point()
    card = SpotlightCard("compound", cid, row["name"], rep.x, rep.y)
    branch = _first(layers["party_branches"], "compound_id", cid)
    owners = _first(layers["owners_committees"], "compound_id", cid)
    firm = _first(layers["property_firms"], "id", row["property_firm_id"])
    card.lines.append(("screen.households", f"{int(row['households']):,}"))
    if branch is not None:
        card.lines.append(("screen.branch", f"{branch['name']} · {mask_name(branch['secretary_name'])}"))
        card.lines.append(("screen.branch_members", f"{int(branch['party_members'])}"))
    if owners is not None:
        share = owners["party_seats"] / owners["seats"] * 100
        card.lines.append(("screen.committee", f"{mask_name(owners['director_name'])} · {share:.0f}%"))
    if firm is not None:
        red = " ★" if bool(firm["red_property"]) else ""
        card.lines.append(("screen.firm", f"{firm['name']}{red}"))
    card.recent = recent_activity(cid, layers, limit=3, text=text)
    return card


def _position_card(pid: str, layers) -> SpotlightCard:
    row = layers["service_positions"].set_index("id").loc[pid]
    card = SpotlightCard("position", pid, row["name"], row.geometry.x, row.geometry.y)
    card.lines.append(("screen.tier", row["tier"]))
    card.lines.append(("screen.floor_area", f"{row['floor_area_m2']:,.0f} m²"))
    card.lines.append(("screen.functions", row["functions"]))
    card.lines.append(("screen.hours", row["opening_hours"]))
    events = layers.get("events", pd.DataFrame())
    if len(events):
        mine = events[events["service_position_id"] == pid].sort_values("held_on", ascending=False)
        card.lines.append(("screen.events", f"{len(mine):,}"))
        card.recent = [f"{d:%m-%d} {t}" for d, t in zip(mine["held_on"][:3], mine["title"][:3])]
    return card


def recent_activity(cid: str, layers, limit: int = 3, text=_keys) -> list[str]:
    items = []
    meetings = layers.get("joint_meetings", pd.DataFrame())
    if len(meetings):
        for _, m in meetings[meetings["compound_id"] == cid].iterrows():
            items.append((m["held_on"], text(MEETING_KEY, topic=m["topic"])))
    orders = layers.get("service_orders", pd.DataFrame())
    if len(orders):
        for _, o in orders[orders["compound_id"] == cid].iterrows():
            status = text(STATUS_KEY.format(o["status"]))
            items.append((clock.to_local(o["created_at"]), f"{_word(text, o['category'])}: {status}"))
    items.sort(key=lambda x: x[0], reverse=True)
    return [f"{when:%m-%d} {what}" for when, what in items[:limit]]


def ticker_items(layers: dict[str, pd.DataFrame], limit: int = 20, text=_keys) -> list[str]:
    """The latest service orders, cases and events, newest first, with no person named
    (times on the display zone's clock; statuses in ``text``, the page's ``t``)."""
    names = layers["compounds"].set_index("id")["name"]
    rows = []
    orders = layers.get("service_orders", pd.DataFrame())
    for _, o in orders.nlargest(limit, "created_at").iterrows() if len(orders) else []:
        status = text(STATUS_KEY.format(o["status"]))
        rows.append((clock.to_local(o["created_at"]), f"{names.get(o['compound_id'], '')} · {_word(text, o['category'])} · {status}"))
    cases = layers.get("cases", pd.DataFrame())
    for _, c in cases.nlargest(limit, "reported_at").iterrows() if len(cases) else []:
        status = text(STATUS_KEY.format(c["status"]))
        rows.append((clock.to_local(c["reported_at"]), f"{names.get(c['compound_id'], '')} · {_word(text, c['category'])} · {status}"))
    events = layers.get("events", pd.DataFrame())
    positions = layers["service_positions"].set_index("id")["name"]
    for _, e in events.nlargest(limit, "held_on").iterrows() if len(events) else []:
        rows.append((e["held_on"], f"{positions.get(e['service_position_id'], '')} · {e['title']}"))
    rows.sort(key=lambda x: x[0], reverse=True)
    return [f"{when:%m-%d %H:%M} {text}" for when, text in rows[:limit]]


def monthly_trends(layers: dict[str, pd.DataFrame], months: int = 12, as_of=None) -> pd.DataFrame:
    """Per month: complaints (cases from complaints), satisfaction of closed cases (%),
    disclosure rate (%). Index: month start."""
    cases = layers.get("cases", pd.DataFrame())
    if len(cases):  # months of the display zone
        cases = cases.assign(reported_at=clock.to_local(cases["reported_at"]),
                             closed_at=clock.to_local(cases["closed_at"]))
    disclosures = layers.get("disclosures", pd.DataFrame())
    as_of = pd.Timestamp(as_of) if as_of is not None else _latest(cases, disclosures)
    index = pd.period_range(end=as_of.to_period("M"), periods=months, freq="M")
    out = pd.DataFrame(index=index)
    if len(cases):
        complaints = cases[cases["source"] == "complaint"]
        out["complaints"] = complaints["reported_at"].dt.to_period("M").value_counts().reindex(index, fill_value=0)
        closed = cases[cases["closed_at"].notna() & cases["satisfied"].notna()]
        month = closed["closed_at"].dt.to_period("M")
        rate = closed["satisfied"].astype(float).groupby(month).mean() * 100
        out["satisfaction_pct"] = rate.reindex(index)
    if len(disclosures):
        period = pd.PeriodIndex(disclosures["month"], freq="M")
        rate = disclosures["disclosed"].astype(float).groupby(period).mean() * 100
        out["disclosure_pct"] = rate.reindex(index)
    out.index = out.index.to_timestamp()
    return out


def _latest(cases: pd.DataFrame, disclosures: pd.DataFrame) -> pd.Timestamp:
    stamps = []
    if len(cases):
        stamps.append(cases["reported_at"].max())
    if len(disclosures):
        stamps.append(pd.Period(disclosures["month"].max(), freq="M").to_timestamp())
    return max(stamps) if stamps else clock.local_today()
