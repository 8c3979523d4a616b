"""Pieces of the big screen: dark full-viewport styling, clock, figure tiles, spotlight card,
ticker. Every text is escaped; nothing here links to an editing page."""

from __future__ import annotations

import json
from html import escape

import streamlit as st

from components.i18n import get_lang, t
from geo.clock import zone_name

SCREEN_CSS = """
<style>
:root { --hongtu-bg: #07162b; --hongtu-panel: #0d2342; --hongtu-accent: #e8463a;
        --hongtu-gold: #f5c04a; --hongtu-text: #e8eef7; --hongtu-muted: #8fa6c4; }
html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  background: var(--hongtu-bg) !important; color: var(--hongtu-text); overflow: hidden !important; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header,
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stStatusWidget"], footer, #MainMenu { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] {
  padding: 0.6vh 1.0vw 0 1.0vw !important; max-width: 100% !important; }
[data-testid="stVerticalBlock"] { gap: 0.6vh !important; }
.hongtu-title { font-size: min(1.7vw, 3.4vh); font-weight: 700; letter-spacing: 0.1vw;
  color: var(--hongtu-text); line-height: 1.3; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.hongtu-title small { font-size: 0.9vw; color: var(--hongtu-gold); margin-left: 1vw;
  border: 1px solid var(--hongtu-gold); padding: 0.1vw 0.5vw; border-radius: 0.3vw; }
.hongtu-tiles { display: grid; grid-template-columns: 1fr 1fr; gap: 0.6vw; }
.hongtu-tile { background: var(--hongtu-panel); border-radius: 0.5vw; padding: 0.5vw 0.7vw; }
.hongtu-tile .v { font-size: 1.9vw; font-weight: 700; color: var(--hongtu-gold); line-height: 1.1; }
.hongtu-tile .l { font-size: 0.8vw; color: var(--hongtu-muted); }
.hongtu-card { background: var(--hongtu-panel); border-left: 0.35vw solid var(--hongtu-accent);
  border-radius: 0.5vw; padding: 0.6vw 0.9vw; max-height: 40vh; overflow: hidden; }
.hongtu-card h3 { font-size: 1.35vw; margin: 0 0 0.4vw 0; color: var(--hongtu-text); padding: 0; }
.hongtu-card p { font-size: 0.85vw; margin: 0.15vw 0; color: var(--hongtu-text); }
.hongtu-card .lbl { color: var(--hongtu-muted); margin-right: 0.5vw; }
.hongtu-ticker { background: var(--hongtu-panel); border-radius: 0.5vw; overflow: hidden;
  white-space: nowrap; height: 4.2vh; line-height: 4.2vh; font-size: 1.0vw; }
.hongtu-ticker span { display: inline-block; padding-left: 100%;
  animation: hongtu-scroll 120s linear infinite; }
.hongtu-ticker b { color: var(--hongtu-gold); margin: 0 1.2vw; }
@keyframes hongtu-scroll { from { transform: translateX(0); } to { transform: translateX(-100%); } }
.hongtu-section { font-size: 1.0vw; color: var(--hongtu-muted); margin: 0.2vw 0; }
iframe { border-radius: 0.5vw; }
/* the map fills what the title and the ticker leave of the screen's height, at any size */
iframe[title="streamlit_folium.st_folium"] { height: calc(100vh - 11vh - 60px) !important; }
</style>
"""


def apply_screen_style() -> None:
    st.html(SCREEN_CSS)


DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """0-9999 in Chinese numerals as the article writes them (24 -> 二十四, 15 -> 十五)."""
    n = int(n)
    if n < 10:
        return DIGITS[n]
    if n < 20:
        return "十" + (DIGITS[n % 10] if n % 10 else "")
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit:
            out += ("零" if zero and out else "") + DIGITS[digit] + unit
            zero = False
        elif out:
            zero = True
    return out


def network_phrase(tiers: dict) -> str:
    """The unit's own network in the article's words: 一核三片四站二十四点 (Chinese), "1 core ·
    3 zones · 4 stations · 15 points" (English), counted from its positions."""
    counts = {k: int(tiers.get(k, 0)) for k in ("core", "zone", "station", "point")}
    if get_lang() == "zh":
        return t("screen.network_phrase", **{k: chinese_number(v) for k, v in counts.items()})
    return t("screen.network_phrase", **counts)


def title_bar(title: str, badge: str | None) -> None:
    extra = f"<small>{escape(badge)}</small>" if badge else ""
    st.html(f'<div class="hongtu-title">{escape(title)}{extra}</div>')


def clock() -> None:
    """Date and time ticking in the browser (no server rerun every second), on the display
    zone's clock whatever the zone of the screen's computer."""
    locale = "zh-CN" if get_lang() == "zh" else "en-GB"
    zone = json.dumps(zone_name())
    # one line at any width: the English date is short (Mon 7 Dec 2026), the font follows the
    # frame's width, and nothing wraps (a wrapped line was cut off: only the date showed)
    month, weekday = ("long", "short") if get_lang() == "zh" else ("short", "short")
    st.iframe(
        f"""<div id="c" style="font:600 min(26px, 5.6vw) 'Noto Sans CJK SC',sans-serif;
        color:#e8eef7;text-align:right;background:#07162b;height:44px;line-height:44px;
        white-space:nowrap;overflow:hidden"></div>
        <script>
        function tick() {{
          const d = new Date();
          document.getElementById('c').textContent = d.toLocaleDateString('{locale}',
            {{year:'numeric', month:'{month}', day:'numeric', weekday:'{weekday}',
              timeZone:{zone}}})
            + '  ' + d.toLocaleTimeString('{locale}', {{hour12:false, timeZone:{zone}}});
        }}
        tick(); setInterval(tick, 1000);
        </script>""",
        height=46,
    )


def figure_tiles(items: list[tuple[str, str]]) -> None:
    """Big-number tiles: (value, label) pairs."""
    cells = "".join(
        f'<div class="hongtu-tile"><div class="v">{escape(v)}</div><div class="l">{escape(lbl)}</div></div>'
        for v, lbl in items
    )
    st.html(f'<div class="hongtu-tiles">{cells}</div>')


def spotlight_card(card) -> None:
    rows = "".join(
        f'<p><span class="lbl">{escape(t(key))}</span>{escape(_value(key, value))}</p>'
        for key, value in card.lines
    )
    recent = "".join(f"<p>· {escape(item)}</p>" for item in card.recent)
    kind = t("screen.kind_compound") if card.kind == "compound" else t("screen.kind_position")
    st.html(
        f'<div class="hongtu-card" data-spotlight="{escape(card.id)}">'
        f"<h3>{escape(kind)} · {escape(card.name)}</h3>{rows}"
        f'{"<p class=lbl>" + escape(t("screen.recent")) + "</p>" + recent if recent else ""}</div>'
    )


def _value(key: str, value) -> str:
    """A card line's value as shown: a position's tier in words (一核, not "core")."""
    return t(f"map.tier.{value}") if key == "screen.tier" else str(value)


def ticker(items: list[str]) -> None:
    text = "".join(f"<b>◆</b>{escape(item)}" for item in items) or escape(t("screen.no_news"))
    st.html(f'<div class="hongtu-ticker"><span>{text}</span></div>')


def section(label: str) -> None:
    st.html(f'<div class="hongtu-section">{escape(label)}</div>')


def trend_chart(table, column: str, height: int = 96) -> None:
    """A small dark line chart of one monthly series."""
    import altair as alt

    data = table[[column]].reset_index(names="month").dropna()
    chart = (
        alt.Chart(data, height=height)
        .mark_line(color="#f5c04a", point=alt.OverlayMarkDef(color="#f5c04a", size=18))
        .encode(x=alt.X("month:T", title=None, axis=alt.Axis(format="%y-%m", labelColor="#8fa6c4",
                                                               grid=False, tickCount=6)),
                y=alt.Y(f"{column}:Q", title=None, scale=alt.Scale(zero=False),
                        axis=alt.Axis(labelColor="#8fa6c4", gridColor="#1d3557", tickCount=3)))
        .configure_view(strokeWidth=0)
        .configure(background="#0d2342")
    )
    st.altair_chart(chart, width="stretch", theme=None)
