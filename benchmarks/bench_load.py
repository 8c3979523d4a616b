"""Many users on one server: N concurrent browser sessions (Playwright contexts in one headless
Chromium) each open the overview and click compounds, against one ``components.serve`` server
on the sample store. For N in --users: p50/p95 of "drawn" (navigation start until the grid
layer is on the map's canvas, timed in the page) and of "click" (mouse press on a compound
until its panel shows the compound's property firm), the server's peak RSS, and dropped
sessions (any session that failed or timed out). Prints a table.

    .venv/bin/python benchmarks/bench_load.py [--users 1 10 20] [--clicks 3] [--store FILE]

Note: the browsers run on the same machine as the server, so on a small machine the figures
include the browsers' own CPU use (a real deployment has the browsers elsewhere): the table
prints the CPU seconds the server used at each level beside what everything else (Chromium)
used, which says how much of the time is the server's; Chromium runs niced (the server
first, as with browsers elsewhere; --same-priority to change that), and the server logs each
page run's own time (HONGTU_RUN_LOG), printed as "run p50/p95".
"""

from __future__ import annotations

import argparse
import asyncio
import os
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
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
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


def process_and_children(pid: int) -> list[int]:
    """``pid`` and its direct children (the server's launcher and Streamlit)."""
    try:
        return [pid, *(int(p) for p in
                       Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    except OSError:
        return [pid]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (MB)."""
    total = 0
    for p in process_and_children(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children so far, in seconds."""
    total = 0.0
    for p in process_and_children(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        except (OSError, IndexError, ValueError):
            pass
    return total


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine so far (all cores, /proc/stat), in seconds."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


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


def server_runs(run_log: Path, offset: int) -> tuple[list[float], int]:
    """Seconds of the page runs the server logged after ``offset`` (HONGTU_RUN_LOG), and the
    new offset."""
    if not run_log.exists():
        return [], offset
    with open(run_log, encoding="utf-8") as log:
        log.seek(offset)
        lines = log.read().splitlines()
        end = log.tell()
    return [float(line.split()[-1]) for line in lines if line.strip()], end


def niced_chromium(folder: Path) -> Path:
    """A launcher running Chromium at the lowest CPU priority: the server gets the CPU it
    asks for first, as it would with the browsers on the users' own machines."""
    launcher = folder / "chromium-niced"
    launcher.write_text(f'#!/bin/sh\nexec nice -n 19 {CHROMIUM} "$@"\n')
    launcher.chmod(0o755)
    return launcher


async def run_level(base: str, users: int, compounds, clicks: int, pid: int,
                    browser_path: Path = CHROMIUM, run_log: Path | None = None) -> dict:
    peak = [rss_mb(pid)]
    _, log_offset = server_runs(run_log, 0) if run_log else ([], 0)
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak.append(rss_mb(pid))
            stop.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    server_cpu, machine_cpu = cpu_seconds(pid), machine_cpu_seconds()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(browser_path), args=CHROMIUM_ARGS)
        started = time.monotonic()
        results = await asyncio.gather(
            *(session(browser, base, compounds[i % len(compounds):] + compounds, clicks)
              for i in range(users)), return_exceptions=True)
        wall = time.monotonic() - started
        await browser.close()
    stop.set()
    server_cpu = cpu_seconds(pid) - server_cpu
    machine_cpu = machine_cpu_seconds() - machine_cpu
    runs, _ = server_runs(run_log, log_offset) if run_log else ([], 0)
    ok = [r for r in results if isinstance(r, dict)]
    errors = [repr(r)[:200] for r in results if not isinstance(r, dict)]
    drawn = [r["drawn"] for r in ok]
    click = [c for r in ok for c in r["clicks"]]
    return {"users": users, "drawn50": pct(drawn, 0.5), "drawn95": pct(drawn, 0.95),
            "click50": pct(click, 0.5), "click95": pct(click, 0.95), "rss": max(peak),
            "dropped": len(errors), "errors": errors, "wall": wall,
            "server_cpu": server_cpu, "other_cpu": machine_cpu - server_cpu,
            "runs": len(runs), "run50": pct(runs, 0.5), "run95": pct(runs, 0.95)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 20])
    parser.add_argument("--clicks", type=int, default=3)
    parser.add_argument("--store", default=str(SAMPLE_STORE))
    parser.add_argument("--same-priority", action="store_true",
                        help="run Chromium at the server's CPU priority (default: niced)")
    args = parser.parse_args()
    store = open_store(args.store)
    firms = store.load("property_firms").set_index("id")["name"]
    compounds = [(row["id"], firms[row["property_firm_id"]])
                 for _, row in store.load("compounds").head(20).iterrows()]
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    servers = StreamlitServers(folder)
    run_log = folder / "runs.log"
    browser = CHROMIUM if args.same_priority else niced_chromium(folder)
    print(f"Chromium {'at the same priority' if args.same_priority else 'niced (19)'}; "
          f"store {args.store}", file=sys.stderr)
    try:
        base = servers.start(args.store, env={"HONGTU_RUN_LOG": str(run_log)})
        pid = next(iter(servers.running.values()))[0].pid
        asyncio.run(run_level(base, 1, compounds, 1, pid, browser))  # warm the server's caches
        rows = []
        for users in args.users:
            row = asyncio.run(run_level(base, users, compounds, args.clicks, pid, browser,
                                        run_log))
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
          f"{'server RSS MB':>14} {'dropped':>8} {'server CPU s':>13} {'browsers+rest CPU s':>20} "
          f"{'page runs':>10} {'run p50':>8} {'run p95':>8}")
    for r in rows:
        print(f"{r['users']:>5} {r['drawn50']:>9.2f}s {r['drawn95']:>9.2f}s {r['click50']:>9.2f}s "
              f"{r['click95']:>9.2f}s {r['rss']:>14.0f} {r['dropped']:>8} "
              f"{r['server_cpu']:>13.1f} {r['other_cpu']:>20.1f} {r['runs']:>10} "
              f"{r['run50']:>7.2f}s {r['run95']:>7.2f}s")
    base_drawn = rows[0]["drawn50"]
    for r in rows[1:]:
        print(f"{r['users']} users: p50 drawn {r['drawn50'] / base_drawn:.1f}x one user's "
              f"(target within 3x), dropped {r['dropped']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
