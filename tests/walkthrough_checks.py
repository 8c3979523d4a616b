"""What the walkthrough (test_walkthrough_browser.py) counts as a defect on a page: the
patterns of raw keys, programmer values, negative durations, codes and Streamlit's English
defaults, and the scripts that read what a user sees in a frame."""

from __future__ import annotations

import re

from components.i18n import TEXT
from geo import audit, schema, workflow

NAMESPACES = sorted({key.split(".")[0] for key in TEXT})
DOTTED = re.compile(r"(?<![\w./-])[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+(?![\w/-])")
SNAKE = re.compile(r"(?<![A-Za-z0-9_./-])[a-z]+(?:_[a-z]+)+(?![A-Za-z0-9_(/-])")
PROGRAMMER_VALUES = re.compile(r"(?<![A-Za-z0-9_])(None|nan|NaN|NaT|null|undefined)(?![A-Za-z0-9_])")
NEGATIVE_DURATION = re.compile(r"(?<![\w.])-\d+(?:\.\d+)?\s*(?:小时|分钟|天|h\b|hours?\b|min\b|days?\b)")
DURATION_HEADER = re.compile(r"历时|小时|分钟|天数|hours|minutes|days|elapsed|duration|age", re.IGNORECASE)
FILE_NAME = re.compile(r"\.(gpkg|xlsx|csv|json|geojson|zip|shp|html|py|toml|txt|png)$")
# codes that must never reach a Chinese page (Latin words a Chinese user cannot read)
CODES = sorted({*schema.TIERS, *schema.POSITION_STATUSES, *schema.STATION_KINDS,
                *schema.BRANCH_TYPES, *schema.INSTRUCTOR_KINDS, *schema.ROLES, *audit.OUTCOMES,
                *workflow.ORDER_STATUSES, *workflow.CASE_STATUSES, *workflow.CASE_SOURCES,
                *workflow.CASE_HANDLERS, "Optimal", "Infeasible", "Unbounded", "Not Solved",
                "Undefined", "True", "False", "true", "false"})
CODE_WORDS = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(map(re.escape, CODES))
                        + r")(?![A-Za-z0-9_])")
# Streamlit's built-in English (placeholders, upload area, toolbars, menus)
LATIN_DEFAULTS = (
    "Choose options", "Choose an option", "Select all", "No results", "No options",
    "Press Enter to submit form", "Press Enter to apply", "Drag and drop", "Browse files",
    "per file", "Limit 200MB", "Download as CSV", "Search", "Fullscreen", "Close fullscreen",
    "Save as SVG", "Save as PNG", "View Source", "Open in Vega Editor", "Skip to main content",
    "Clear all", "Clear value", "Show password", "Hide password", "Copy to clipboard",
    "Show data", "Increment", "Decrement", "Add row", "Delete row",
)
PAGE_NOT_FOUND = ("Page not found", "You have requested page")
# Streamlit's frontend probes for its base path from a deep link (/grids/_stcore/health then
# /_stcore/health): the failed probes are logged by Chromium as console errors, no user sees
# them, and no option turns the probe off.
BASE_PATH_PROBE = re.compile(r"/[\w-]+/_stcore/(health|host-config)")

# The text a sighted user can read: text nodes in visible, non-zero-size elements whose font is
# not sized to zero (screen-reader-only announcements and text replaced by the app's Chinese
# stylesheet are skipped; the replacement itself is read by PSEUDO_TEXT).
FRAME_TEXT = """() => {
    if (!document.body) return '';
    const seen = new Map(), out = [];
    const readable = e => {
        if (seen.has(e)) return seen.get(e);
        const r = e.getBoundingClientRect(), style = getComputedStyle(e);
        const ok = e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
            && r.width > 1 && r.height > 1 && parseFloat(style.fontSize) > 0
            && !(style.clipPath && style.clipPath.startsWith('inset(50%'));
        seen.set(e, ok); return ok; };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent.trim();
        if (text && n.parentElement && readable(n.parentElement)) out.push(text);
    }
    return out.join('\\n'); }"""
# hover texts, and a placeholder only while it shows (an input with no value)
ATTRIBUTES = """() => Array.from(document.querySelectorAll('[placeholder],[title]'))
    .filter(e => e.getClientRects().length > 0)
    .flatMap(e => [e.getAttribute('title'), e.value === '' ? e.getAttribute('placeholder') : null])
    .filter(v => v)"""
# ::before/::after content a stylesheet puts on screen (the app replaces Streamlit's English so)
PSEUDO_TEXT = """() => Array.from(document.querySelectorAll('[data-testid]')).flatMap(e =>
    ['::before', '::after'].map(p => getComputedStyle(e, p).content))
    .filter(c => c && c !== 'none' && c !== 'normal').map(c => c.replace(/^"|"$/g, ''))"""
ICON_NAMES = """() => Array.from(document.querySelectorAll('[data-testid=stIconMaterial]'))
    .map(e => e.textContent.trim())"""
MAP_DRAWN = """() => !!(window.map && window.map._loaded && Object.values(window.map._layers)
    .some(l => l.feature || l._latlng || l._latlngs))"""
MAP_LABELS = """() => Object.values(window.map._layers).flatMap(l => {
    const out = [];
    const tip = l.getTooltip && l.getTooltip(); if (tip && typeof tip.getContent() === 'string')
        out.push(tip.getContent());
    const pop = l.getPopup && l.getPopup(); if (pop && typeof pop.getContent() === 'string')
        out.push(pop.getContent());
    return out; }).map(h => { const d = document.createElement('div'); d.innerHTML = h;
        return d.innerText || d.textContent; })"""
TABLES = """() => Array.from(document.querySelectorAll('[data-testid=stDataFrame] table'))
    .map(t => Array.from(t.querySelectorAll('tr')).map(r =>
        Array.from(r.querySelectorAll('th,td')).map(c => c.innerText)))"""
# The map's scale bar is on the map and nothing lies over it (the offline basemap's credit did,
# issue #25): '' when clear, else what is wrong. Run inside the map's frame.
SCALE_CLEAR = """() => {
    const s = document.querySelector('.leaflet-control-scale');
    if (!s) return 'no scale bar';
    const r = s.getBoundingClientRect();
    if (r.width < 5 || r.height < 5 || r.top < 0 || r.left < 0
        || r.bottom > window.innerHeight || r.right > window.innerWidth)
        return 'scale bar outside the map frame ' + JSON.stringify(r);
    for (const [x, y] of [[0.5, 0.5], [0.1, 0.5], [0.9, 0.5]]) {
        const e = document.elementFromPoint(r.left + r.width * x, r.top + r.height * y);
        if (!e || !s.contains(e))
            return 'scale bar covered by ' + (e ? (e.className || e.tagName) : 'nothing');
    }
    return ''; }"""
# JSON or a Python dict shown as a value (the audit's before/after once were)
JSON_TEXT = re.compile(r"[{\[]\s*\"[^\"]+\"\s*:")
