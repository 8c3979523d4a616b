"""bench_map.py --region: the overview of a region's top unit against the same app's page with an
empty streamlit-folium map (HONGTU_BENCHMARK_FLOOR=map: the fastest any map on this stack can
appear), first visit after a server start and warm visits, an indicator change and a
drill-down click; the server's RSS.

- huangyan (one district): the network map, as bench_map.py measures it (grids drawn; filter:
  the compound colouring; click: a compound's panel shows its firm).
- taizhou, zhejiang: the units map of the top unit (the city, the province). Drawn: every unit
  below it is a path on the map. Filter: the colouring indicator changed until the map's
  colours changed. Click: the mouse press on a unit until the unit's own page has drawn (a
  county: its network map's grids; a city: its counties).

    .venv/bin/python benchmarks/bench_map.py --region taizhou [--runs 3] [--store PATH]
"""

from __future__ import annotations

import statistics
import sys
import time

from bench_load import process_and_children, rss_mb
from bench_map import _frame, _new_page, _since_start, _wait_frame, bare_map, overview, wait_warm

TARGETS = {  # region -> (drawn / empty-map page, filter s, click s, server RSS MB or None)
    "huangyan": (1.15, 0.25, 0.3, None), "taizhou": (1.3, 0.5, 0.5, None),
    "zhejiang": (1.5, 1.0, 1.0, 2000.0),
}
PATHS = "(n) => document.querySelectorAll('path.leaflet-interactive').length >= n"
FILLS = "() => Array.from(document.querySelectorAll('path.leaflet-interactive'))" \
        ".map(p => p.getAttribute('fill')).join(',')"
CENTRE = """code => { const m = window[Object.keys(window).find(k => k.startsWith('map_'))];
  let hit = null; m.eachLayer(l => { if (l.feature && l.feature.properties.code === code) hit = l; });
  const p = m.latLngToContainerPoint(hit.getCenter()); return [p.x, p.y]; }"""
GRIDS_DRAWN = "() => window.hongtuDrawn && window.hongtuDrawn.grids > 0"


def _units_drawn(page, n: int) -> float:
    page.locator('iframe[title="streamlit_folium.st_folium"]').first.wait_for(
        state="attached", timeout=180_000)
    _wait_frame(page, PATHS, n, timeout_ms=180_000)
    return page.evaluate("Date.now()")


def units_overview(browser, base: str, children: list[tuple[str, str, int]]):
    """(drawn, filter, click) seconds on the units map; ``children``: (code, level, n below)."""
    page = _new_page(browser)
    page.goto(base)
    at = _units_drawn(page, len(children))
    drawn = _since_start(page, at)
    page.wait_for_timeout(300)
    before = _frame(page).evaluate(FILLS)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="着色指标").click()
    mark = page.evaluate("Date.now()")
    page.get_by_role("option", name="四公开率").click()
    _wait_frame(page, f"(b) => ({FILLS})() !== b && ({PATHS})({len(children)})", before,
                timeout_ms=120_000)
    filtered = (page.evaluate("Date.now()") - mark) / 1000
    page.wait_for_timeout(500)
    code, level, below = children[0]
    frame = _frame(page)
    x, y = frame.evaluate(CENTRE, code)
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').first.bounding_box()
    mark = page.evaluate("Date.now()")
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_function(f"() => new URL(location.href).searchParams.get('unit') === '{code}'",
                           timeout=120_000)
    if level == "county":
        _wait_frame(page, GRIDS_DRAWN, timeout_ms=180_000)
    else:
        _wait_frame(page, f"() => ({PATHS})({below}) && !({FILLS})().includes('undefined')",
                    timeout_ms=180_000)
    clicked = (page.evaluate("Date.now()") - mark) / 1000
    page.close()
    print(f"  drawn {drawn:.2f} s, filter {filtered:.2f} s, click {clicked:.2f} s",
          file=sys.stderr, flush=True)
    return drawn, filtered, clicked


def _children(store) -> list[tuple[str, str, int]]:
    from geo import hierarchy

    units = hierarchy.units(store.load("districts"))
    top = hierarchy.top(units)
    return [(u.code, u.level, len(hierarchy.children(units, u)))
            for u in hierarchy.children(units, top)]


def run_region(browser, servers, region: str, path, store, runs: int) -> dict:
    empty_map = servers.start(path, env={"HONGTU_BENCHMARK_FLOOR": "map"})
    wait_warm(empty_map)
    bare_map(browser, empty_map)  # warm-up
    maps = statistics.median(bare_map(browser, empty_map) for _ in range(runs))
    started = time.monotonic()
    app = servers.start(path)
    warm_s = wait_warm(app)
    print(f"{region}: server up and warm in {time.monotonic() - started:.1f} s "
          f"(its warm-up {warm_s:.1f} s)", flush=True)
    if region == "huangyan":
        def visit():
            return overview(browser, app, "served", store)
    else:
        children = _children(store)

        def visit():
            return units_overview(browser, app, children)
    first = visit()
    warm = [visit() for _ in range(runs)]
    pid = next(p.pid for p, base in servers.running.values() if base == app)
    rss = sum(rss_mb(p) for p in process_and_children(pid))
    return {"region": region, "empty_map": maps, "first": first[0],
            **{k: statistics.median(r[i] for r in warm)
               for i, k in enumerate(("drawn", "filter", "click"))}, "rss": rss}


def print_table(rows: list[dict]) -> None:
    print(f"{'region':<9} {'empty map s':>11} {'first s':>8} {'x empty':>8} {'drawn s':>8} "
          f"{'x empty':>8} {'target':>7} {'filter s':>9} {'target':>7} {'click s':>8} "
          f"{'target':>7} {'RSS MB':>7}  verdict")
    for r in rows:
        ratio_t, filter_t, click_t, rss_t = TARGETS[r["region"]]
        ratio = r["drawn"] / r["empty_map"]
        checks = [("drawn", ratio <= ratio_t), ("filter", r["filter"] <= filter_t),
                  ("click", r["click"] <= click_t)]
        if rss_t:
            checks.append(("rss", r["rss"] <= rss_t))
        verdict = " ".join(f"{n} {'ok' if ok else 'MISS'}" for n, ok in checks)
        print(f"{r['region']:<9} {r['empty_map']:11.2f} {r['first']:8.2f} "
              f"{r['first'] / r['empty_map']:8.2f} {r['drawn']:8.2f} {ratio:8.2f} {ratio_t:7.2f} "
              f"{r['filter']:9.2f} {filter_t:7.2f} {r['click']:8.2f} {click_t:7.2f} "
              f"{r['rss']:7.0f}  {verdict}")
