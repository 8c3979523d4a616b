"""Every page warm beside the overview, and the grids page's own steps (issue 23), in one run.

For each region (the sample district; Taizhou cut to one county, as that county's org account
sees it with ?unit=CODE) one server is started and warmed, then, signed in, in one browser:

- warm draws (a new page each, the server's caches warm, medians over --runs): /overview,
  /grids as a grid leader of 3 grids, /grids as org, and as org /compound, /planner, /orders,
  /data, /audit, /big_screen. "Settled": from navigation start until the app is connected, its
  script run finished, nothing running, every map on the page has drawn its features (the
  overview: its grid layer) and, on /grids, the cards (leader) or both charts (org) are drawn;
  the same holds 1 s later (a rerun started by a component counts).
- a threshold change on org's /grids: from Enter in the box until the new rule is shown and
  the run has finished;
- a reassignment by the leader: from the click on Save until the saved notice is shown (then
  undone, untimed);
- the roster Excel of the whole district (org): from the click on "make" until the download
  button is there; and the workbook built in this process (geo.grid_report.roster_excel).

Times are taken inside the browser (Date.now(), performance.timeOrigin). Printed with the load
average: the machine may be shared.

    .venv/bin/python benchmarks/bench_pages.py [--runs 3] [--region huangyan taizhou]
        [--store PATH ...] [--county 331003]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from bench_map import wait_warm
from fixtures_browser import CHROMIUM, CHROMIUM_ARGS, StreamlitServers, sign_in, wait_for_app
from playwright.sync_api import sync_playwright

PASSWORD = "bench-pass-1"
ORG, LEADER = "bench_org", "bench_leader"
OTHER_PAGES = ("compound", "planner", "orders", "data", "audit", "big_screen")
TARGETS = {"grids_leader": 1.5, "grids_org": 2.0, **{p: 2.0 for p in OTHER_PAGES}}
THRESHOLD_S, EXCEL_S = 0.5, 2.0
# Installed in every page: window.__settled(want) is true while the page is settled (see above).
SETTLED = """window.__settled = (want) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testScriptState !== 'notRunning'
      || app.dataset.testConnectionState !== 'CONNECTED') return false;
  if (document.querySelector('[data-testid="stStatusWidgetRunningIcon"],'
      + '[data-testid="stStatusWidgetRunningManIcon"]')) return false;
  if (!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')) return false;
  for (const frame of document.querySelectorAll('iframe[title="streamlit_folium.st_folium"]')) {
    const w = frame.contentWindow;
    if (!w || !w.map) return false;
    if (want.overview) { if (!(w.hongtuDrawn && w.hongtuDrawn.grids > 0)) return false; }
    else { let n = 0; w.map.eachLayer(l => { if (l.feature) n += 1; }); if (!n) return false; }
  }
  if (want.cards && !document.querySelector('[class*="st-key-grid_card_"]')) return false;
  if (want.charts && document.querySelectorAll('[data-testid="stVegaLiteChart"] canvas,'
      + '[data-testid="stVegaLiteChart"] svg.marks').length < 2) return false;
  if (want.text && !document.body.innerText.includes(want.text)) return false;
  return true;
};
window.__watch = (want) => {
  window.__since = null;
  clearInterval(window.__timer);
  window.__timer = setInterval(() => {
    if (window.__settled(want)) { if (window.__since === null) window.__since = Date.now(); }
    else { window.__since = null; }
  }, 20);
};"""


def settle(page, want: dict, hold_ms: int = 1000, timeout_s: float = 240) -> float:
    """The Date.now() at which the page became settled (and stayed so for ``hold_ms``)."""
    page.evaluate("(w) => window.__watch(w)", want)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        since = page.evaluate("window.__since")
        if since is not None and page.evaluate("Date.now()") - since >= hold_ms:
            return since
        page.wait_for_timeout(100)
    raise TimeoutError(f"page never settled: {page.url} {want}")


def signed_in(browser, base: str, account: str, query: str):
    """A browser context signed in as ``account`` (the session cookie kept)."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    context.add_init_script(SETTLED)
    page = context.new_page()
    page.set_default_timeout(240_000)
    page.goto(f"{base}/grids{query}")
    wait_for_app(page)
    sign_in(page, account, PASSWORD)
    wait_for_app(page)
    for _ in range(300):
        if any(c["name"] == "hongtu_session" for c in context.cookies()):
            break
        page.wait_for_timeout(100)
    page.close()
    return context


def draw(context, base: str, path: str, query: str, want: dict) -> float:
    """Seconds from navigation start until ``path`` settled (a new page: a new session)."""
    page = context.new_page()
    page.set_default_timeout(240_000)
    page.goto(f"{base}/{path}{query}")
    took = (settle(page, want) - page.evaluate("performance.timeOrigin")) / 1000
    page.close()
    return took


def threshold_change(context, base: str, query: str, value: float) -> float:
    page = context.new_page()
    page.set_default_timeout(240_000)
    page.goto(f"{base}/grids{query}")
    settle(page, {"charts": True})
    box = page.get_by_role("spinbutton", name="超载阈值(户/党员)")
    box.fill(f"{value:.2f}")
    mark = page.evaluate("Date.now()")
    box.press("Enter")
    since = settle(page, {"charts": True, "text": f"> {value:g}"}, hold_ms=500)
    page.close()
    return (since - mark) / 1000


def reassign(context, base: str, query: str, member: str, target_label: str) -> float:
    page = context.new_page()
    page.set_default_timeout(240_000)
    page.goto(f"{base}/grids{query}")
    settle(page, {"cards": True})
    picker = page.get_by_role("combobox", name="选择党员", exact=True)
    picker.click()
    picker.fill(member)
    page.get_by_role("option").filter(has_text=member).first.click()
    page.keyboard.press("Escape")
    target = page.get_by_role("combobox", name="调入网格", exact=True)
    target.click()
    target.fill(target_label.split(" ")[0])
    page.get_by_role("option", name=target_label, exact=True).click()
    page.get_by_label("调整原因").fill("bench")
    mark = page.evaluate("Date.now()")
    page.get_by_role("button", name="保存调整").click()
    since = settle(page, {"cards": True, "text": "已保存 1 名党员的调整"}, hold_ms=500)
    page.get_by_role("button", name="撤销上次调整").click()  # put the member back (untimed)
    settle(page, {"cards": True, "text": "已撤销"}, hold_ms=300)
    page.close()
    return (since - mark) / 1000


def excel_when_asked(context, base: str, query: str) -> float:
    page = context.new_page()
    page.set_default_timeout(240_000)
    page.goto(f"{base}/grids{query}")
    settle(page, {"charts": True})
    mark = page.evaluate("Date.now()")
    page.get_by_role("button", name="生成名册 Excel").click()
    since = settle(page, {"charts": True, "text": "下载名册 Excel"}, hold_ms=300)
    page.close()
    return (since - mark) / 1000


def prepare(store_path: Path, work: Path, county: str | None):
    """A copy of the store with an org account and a leader of 3 grids (one community, in the
    county when given); (path, leader's member to move, target label, query)."""
    from geo import auth
    from geo.store import open_store

    path = work / f"bench-{store_path.name}"  # a built source lies in work/ too
    shutil.copyfile(store_path, path)
    store = open_store(path)
    grids, members = store.load("grids"), store.load("members")
    if county:
        streets = store.load("streets")
        grids = grids[grids["street_id"].isin(streets.loc[streets["district_id"] == county, "id"])]
    staffed = grids[grids["id"].isin(set(members["grid_id"]))].sort_values("id")
    community = staffed["community_id"].iloc[0]
    own = grids[grids["community_id"] == community].sort_values("id").head(3)
    auth.add_user(store, ORG, "org", PASSWORD, rounds=4)
    auth.add_user(store, LEADER, "grid_leader", PASSWORD, grids=list(own["id"]), rounds=4)
    mover = members[members["grid_id"] == own["id"].iloc[0]].sort_values("id").iloc[0]
    target = own.iloc[1]
    return path, str(mover["id"]), f"{target['name']} ({target['id']})", (
        f"?unit={county}" if county else "")


def excel_in_process(path: Path, county: str | None, runs: int) -> float:
    from geo import grid_report
    from geo.store import open_store

    store = open_store(path)
    grids, members = store.load("grids"), store.load("members")
    if county:
        streets = store.load("streets")
        grids = grids[grids["street_id"].isin(streets.loc[streets["district_id"] == county, "id"])]
    roster = grid_report.roster_frame(members, grids, store.load("volunteer_teams"), True,
                                      list(grids["id"]))
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        grid_report.roster_excel(roster, lambda k: k)
        took.append(time.perf_counter() - started)
    return statistics.median(took)


def run_region(browser, servers, name: str, store_path: Path, county: str | None,
               runs: int, work: Path) -> list[tuple]:
    path, member, target, query = prepare(store_path, work, county)
    base = servers.start(path)
    warm_s = wait_warm(base)
    print(f"{name}: server warm in {warm_s:.1f} s; load average {os.getloadavg()}", flush=True)
    org, leader = signed_in(browser, base, ORG, query), signed_in(browser, base, LEADER, query)
    visits = {
        "overview": (org, "overview", {"overview": True}),
        "grids_leader": (leader, "grids", {"cards": True}),
        "grids_org": (org, "grids", {"charts": True}),
        **{p: (org, p, {}) for p in OTHER_PAGES},
    }
    for context, path_, want in visits.values():  # warm-up visit of every page
        draw(context, base, path_, query, want)
    times = {k: [] for k in visits}
    for run in range(runs):
        for key, (context, path_, want) in visits.items():
            times[key].append(draw(context, base, path_, query, want))
        print(f"  run {run + 1}: " + ", ".join(f"{k} {v[-1]:.2f}" for k, v in times.items()),
              file=sys.stderr, flush=True)
    limits = [50.0 + 5 * i for i in range(runs)]
    threshold = [threshold_change(org, base, query, v) for v in limits]
    moves = [reassign(leader, base, query, member, target) for _ in range(runs)]
    excel = [excel_when_asked(org, base, query) for _ in range(runs)]
    built = excel_in_process(path, county, runs)
    org.close()
    leader.close()
    servers.stop_all()
    overview = statistics.median(times["overview"])
    rows = [(name, "overview", overview, 1.0, None)]
    for key in visits:
        if key != "overview":
            median = statistics.median(times[key])
            rows.append((name, key, median, median / overview, TARGETS[key]))
    rows += [(name, "threshold change", statistics.median(threshold), None, THRESHOLD_S),
             (name, "reassignment", statistics.median(moves), None, None),
             (name, "roster Excel (browser)", statistics.median(excel), None, EXCEL_S),
             (name, "roster Excel (build only)", built, None, EXCEL_S)]
    return rows


def print_table(rows: list[tuple]) -> None:
    print(f"{'region':<9} {'what':<26} {'median s':>9} {'x overview':>10} {'target':>8}  verdict")
    for region, what, seconds, ratio, target in rows:
        ratio_text = "" if ratio is None else f"{ratio:.2f}"
        if target is None:
            target_text, verdict = "", ""
        elif ratio is not None and what != "overview":
            target_text, verdict = f"{target:.1f}x", "ok" if ratio <= target else "MISS"
        else:
            target_text, verdict = f"{target:.1f} s", "ok" if seconds <= target else "MISS"
        print(f"{region:<9} {what:<26} {seconds:9.2f} {ratio_text:>10} {target_text:>8}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--region", nargs="+", default=["huangyan", "taizhou"],
                        choices=("huangyan", "taizhou"))
    parser.add_argument("--store", nargs="+", default=None, help="an existing store per region")
    parser.add_argument("--county", default="331003", help="Taizhou: the county's org account")
    args = parser.parse_args()
    from geo.sample import build_store

    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    servers = StreamlitServers(work)
    rows = []
    print(f"load average at start {os.getloadavg()} on {os.cpu_count()} CPUs", flush=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for i, region in enumerate(args.region):
                source = Path(args.store[i]) if args.store else work / f"{region}-source.gpkg"
                if not args.store:
                    build_store(source, seed=20220425, region=region)
                county = args.county if region == "taizhou" else None
                rows += run_region(browser, servers, region, source, county, args.runs, work)
            browser.close()
    finally:
        servers.stop_all()
    print(f"load average at end {os.getloadavg()}")
    print_table(rows)


if __name__ == "__main__":
    main()
