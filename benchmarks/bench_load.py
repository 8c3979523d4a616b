"""Many users on one server: N concurrent browser sessions (Playwright contexts in one headless
Chromium) each open the overview and click compounds, against one ``components.serve`` server
on the sample store. For N in --users: p50/p95 of "drawn" (navigation start until the grid
layer is on the map's canvas, timed in the page) and of "click" (mouse press on a compound
until its panel shows the compound's property firm), the server's peak RSS, and dropped
sessions (any session that failed or timed out). Prints a table.

    .venv/bin/python benchmarks/bench_load.py [--users 1 10 20] [--clicks 3] [--scale 1]

Note: the browsers run on the same machine as the server, so on a small machine the figures
include the browsers' own CPU use (a real deployment has the browsers elsewhere).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fixtures_browser import CHROMIUM, CHROMIUM_ARGS, FOLIUM_IFRAME, StreamlitServers
from playwright.async_api import async_playwright

from geo.store import SAMPLE_STORE, open_store

SESSION_TIMEOUT_S = 300
GRIDS_DRAWN = "() => window.hongtuDrawn && window.hongtuDrawn.grids > 0"
CENTRE_AND_POINT = """id => { const l = Object.values(window.map._layers).find(l => l.feature
    && l.feature.properties.kind === 'compound' && l.feature.properties.id === id);
    window.map.setView(l.getCenter(), 17, {animate: false});
    const p = window.map.latLngToContainerPoint(l.getCenter()); return [p.x, p.y]; }"""
WATCH = """window.__bench = {};
new MutationObserver(() => {
  const b = window.__bench;
  const panel = b.want && !b.panel && document.querySelector('[class*="st-key-compound_panel"]');
  if (panel && panel.innerText.includes(b.want)) { b.panel = Date.now(); }
}).observe(document, {subtree: true, childList: true, characterData: true});"""


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB)."""
    total = 0
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


async def frame_of(page):
    handle = await page.locator(FOLIUM_IFRAME).first.element_handle()
    return await handle.content_frame()


async def wait_frame(page, expression: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            frame = await frame_of(page)
            if frame and await frame.evaluate(expression):
                return
        except Exception:  # noqa: BLE001, S110 - the iframe is being (re)created
            pass
        await asyncio.sleep(0.05)
    raise TimeoutError(expression)


async def session(browser, base: str, compounds: list[tuple[str, str]], clicks: int) -> dict:
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    page = await context.new_page()
    await page.add_init_script(WATCH)
    try:
        await page.goto(f"{base}/overview", timeout=SESSION_TIMEOUT_S * 1000)
        await page.locator(FOLIUM_IFRAME).first.wait_for(state="attached",
                                                         timeout=SESSION_TIMEOUT_S * 1000)
        await wait_frame(page, GRIDS_DRAWN, SESSION_TIMEOUT_S)
        frame = await frame_of(page)
        drawn = (await frame.evaluate("window.hongtuDrawn.grids_at")
                 - await page.evaluate("performance.timeOrigin")) / 1000
        await wait_frame(page, "() => window.hongtuDrawn.compounds > 0", SESSION_TIMEOUT_S)
        click_times = []
        for compound_id, firm in compounds[:clicks]:
            await page.evaluate("(f) => { window.__bench.want = f; window.__bench.panel = 0; }",
                                firm)
            frame = await frame_of(page)
            for _attempt in range(5):
                x, y = await frame.evaluate(CENTRE_AND_POINT, compound_id)
                await asyncio.sleep(0.5)
                box = await page.locator(FOLIUM_IFRAME).first.bounding_box()
                start = await page.evaluate("Date.now()")
                await page.mouse.click(box["x"] + x, box["y"] + y)
                try:
                    await page.wait_for_function("() => window.__bench.panel > 0", timeout=30_000)
                    break
                except Exception:  # noqa: BLE001 - the view moved: retry
                    frame = await frame_of(page)
            else:
                raise TimeoutError(f"no panel for {compound_id}")
            click_times.append((await page.evaluate("window.__bench.panel") - start) / 1000)
        return {"drawn": drawn, "clicks": click_times}
    finally:
        await context.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run_level(base: str, users: int, compounds, clicks: int, pid: int) -> dict:
    peak = [rss_mb(pid)]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak.append(rss_mb(pid))
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        started = time.monotonic()
        results = await asyncio.gather(
            *(session(browser, base, compounds[i % len(compounds):] + compounds, clicks)
              for i in range(users)), return_exceptions=True)
        wall = time.monotonic() - started
        await browser.close()
    stop.set()
    ok = [r for r in results if isinstance(r, dict)]
    errors = [repr(r)[:200] for r in results if not isinstance(r, dict)]
    drawn = [r["drawn"] for r in ok]
    click = [c for r in ok for c in r["clicks"]]
    return {"users": users, "drawn50": pct(drawn, 0.5), "drawn95": pct(drawn, 0.95),
            "click50": pct(click, 0.5), "click95": pct(click, 0.95), "rss": max(peak),
            "dropped": len(errors), "errors": errors, "wall": wall}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 20])
    parser.add_argument("--clicks", type=int, default=3)
    parser.add_argument("--store", default=str(SAMPLE_STORE))
    args = parser.parse_args()
    store = open_store(args.store)
    firms = store.load("property_firms").set_index("id")["name"]
    compounds = [(row["id"], firms[row["property_firm_id"]])
                 for _, row in store.load("compounds").head(20).iterrows()]
    servers = StreamlitServers(Path(tempfile.mkdtemp(prefix="bench-load-")))
    try:
        base = servers.start(args.store)
        pid = next(iter(servers.running.values()))[0].pid
        asyncio.run(run_level(base, 1, compounds, 1, pid))  # warm the server's caches
        rows = []
        for users in args.users:
            row = asyncio.run(run_level(base, users, compounds, args.clicks, pid))
            print(f"  {users} users done in {row['wall']:.0f} s: drawn p50 {row['drawn50']:.2f} s "
                  f"p95 {row['drawn95']:.2f} s, click p50 {row['click50']:.2f} s p95 "
                  f"{row['click95']:.2f} s, RSS {row['rss']:.0f} MB, dropped {row['dropped']}",
                  file=sys.stderr, flush=True)
            for error in row["errors"][:3]:
                print(f"    {error}", file=sys.stderr)
            rows.append(row)
    finally:
        servers.stop_all()
    print(f"{'users':>5} {'drawn p50':>10} {'drawn p95':>10} {'click p50':>10} {'click p95':>10} "
          f"{'server RSS MB':>14} {'dropped':>8}")
    for r in rows:
        print(f"{r['users']:>5} {r['drawn50']:>9.2f}s {r['drawn95']:>9.2f}s {r['click50']:>9.2f}s "
              f"{r['click95']:>9.2f}s {r['rss']:>14.0f} {r['dropped']:>8}")
    base_drawn = rows[0]["drawn50"]
    for r in rows[1:]:
        print(f"{r['users']} users: p50 drawn {r['drawn50'] / base_drawn:.1f}x one user's "
              f"(target within 3x), dropped {r['dropped']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
