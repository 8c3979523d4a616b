"""How many people one app server carries: N concurrent sessions that speak Streamlit's own
WebSocket protocol (no browser in the loop), each signed in with its own account, doing the
task of :mod:`session_task` (overview, search, a compound's panel, a filter, the grids page,
a reassignment) with think time, fetching the map's layer files over HTTP as a browser does.

    HONGTU_DATABASE_URL=... .venv/bin/python benchmarks/bench_sessions.py \\
        --sessions 1 10 25 50 100 --think 10 [--servers 1|2] [--json]
    ... --sessions 25 --think 10 --duration 600 --window 60      # the soak

It copies the store named by HONGTU_DATABASE_URL (a GeoPackage file, or a PostGIS database:
``CREATE DATABASE ... TEMPLATE``), makes the accounts it needs there (org, bcrypt at the
configured cost), starts the app server(s) on the copy (two: PostGIS only, behind
deploy/nginx/hongtu.conf with its ip_hash stickiness; each session connects from its own
loopback address 127.0.X.1), records the task once in headless Chromium (or replays
``--recording FILE``), warms every server with one replayed session, then runs each level.

Per level one row: sessions, actions (requests sent), p50/p95/p99 of the time from a request
sent to the script-finished message, errors (an exception on the page, a refused move, a
replay mismatch), dropped sessions (socket closed, connection refused or a run over
--timeout), server CPU (% of one core, all app servers) and peak RSS (MB, all app servers).
Each session starts at a random moment within the first think time and does one round of
the task (``--duration S``: rounds until S seconds passed). The generator is not niced: it
uses little CPU (stderr shows it, and the load averages), and a starved client answers the
server's WebSocket pings late, which closes its session (as a frozen browser would).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import sys
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests"), str(HERE)]

import session_servers as srv
import session_task as task
from session_client import SessionDropped, StreamlitSession

KEYS = ("sessions", "actions", "p50_s", "p95_s", "p99_s", "errors", "dropped", "cpu_pct",
        "rss_mb")


def source_ip(index: int) -> str:
    """A loopback address per session; nginx's ip_hash keys on the first three octets."""
    return f"127.0.{index % 250 + 1}.{index // 250 + 1}"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = q * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class Runner:
    """The recorded task, the plans and how far each plan's member has moved (rounds)."""

    def __init__(self, steps, plans, think_s: float, timeout_s: float):
        self.steps, self.plans = steps, plans
        self.rounds = [0] * len(plans)  # completed moves per plan: the member's current grid
        self.think_s, self.timeout_s = think_s, timeout_s

    async def session(self, base: str, index: int, delay_s: float, deadline: float | None,
                      timings: list, problems: list) -> bool:
        """One simulated user (plan ``index``); False when the session was dropped."""
        rng = random.Random(index * 7919 + len(timings))
        await asyncio.sleep(delay_s)
        session = StreamlitSession(base, source_ip(index), timeout_s=self.timeout_s)
        opening = True
        try:
            await session.open("/overview")
            while True:
                mine: list = []
                done = await task.replay_round(
                    session, self.steps, self.plans[0], self.plans[index], self.rounds[index],
                    self.think_s, rng, mine, opening=opening, deadline=deadline)
                timings.extend(mine)
                opening = False
                if any(t.step == "reassign" and t.ok for t in mine):
                    self.rounds[index] += 1
                problems.extend(f"{t.step}: {t.error}" for t in mine if not t.ok)
                if not done or deadline is None or time.monotonic() > deadline:
                    return True
                await asyncio.sleep(self.think_s * rng.uniform(0.5, 1.5))
        except (SessionDropped, OSError) as error:
            problems.append(f"dropped: {error!r}"[:300])
            return False
        except Exception as error:  # noqa: BLE001 - a replay mismatch, a refused layer...
            problems.append(f"error: {error!r}"[:300])
            return True
        finally:
            await session.close()

    async def level(self, base: str, sessions: int, duration_s: float) -> tuple:
        timings: list = []
        problems: list = []
        deadline = time.monotonic() + duration_s if duration_s else None
        results = await asyncio.gather(*(
            self.session(base, i, random.Random(i).uniform(0, self.think_s), deadline,
                         timings, problems) for i in range(1, sessions + 1)))
        return timings, problems, sum(1 for ok in results if not ok)


class Sampler:
    """Peak RSS of the servers, sampled every 0.5 s in a thread (and per window)."""

    def __init__(self, pids: list[int]):
        self.pids, self.peak, self.last = pids, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.last = srv.rss_mb(self.pids)
            self.peak = max(self.peak, self.last)
            self._stop.wait(0.5)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def measure(runner: Runner, base: str, pids: list[int], sessions: int, duration_s: float,
            window_s: float) -> dict:
    each0 = [srv.cpu_seconds([pid]) for pid in pids]
    cpu0, wall0, own0 = sum(each0), time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
    load_before = srv.load_average()
    windows = []
    with Sampler(pids) as sampler:
        async def run():
            job = asyncio.ensure_future(runner.level(base, sessions, duration_s))
            while window_s and not job.done():  # the soak: RSS at the end of each window
                await asyncio.wait([job], timeout=window_s)
                windows.append((time.monotonic() - wall0, sampler.last))
            return await job

        timings, problems, dropped = asyncio.run(run())
    wall = time.monotonic() - wall0
    own = resource.getrusage(resource.RUSAGE_SELF)
    seconds = [t.seconds for t in timings]
    errors = sum(1 for t in timings if not t.ok) + sum(1 for p in problems if p.startswith(
        "error:"))
    row = {"sessions": sessions, "actions": len(timings), "p50_s": round(percentile(seconds, .5), 3),
           "p95_s": round(percentile(seconds, .95), 3), "p99_s": round(percentile(seconds, .99), 3),
           "errors": errors, "dropped": dropped,
           "cpu_pct": round(100 * (srv.cpu_seconds(pids) - cpu0) / wall, 1),
           "rss_mb": round(sampler.peak)}
    generator = own.ru_utime + own.ru_stime - own0.ru_utime - own0.ru_stime
    each = " + ".join(f"{srv.cpu_seconds([pid]) - c:.0f}" for pid, c in zip(pids, each0,
                                                                           strict=True))
    print(f"  {sessions} sessions: {wall:.0f} s, load average {load_before} -> "
          f"{srv.load_average()}, server CPU {each} s "
          f"({sum(srv.cpu_seconds([p]) for p in pids) - cpu0:.0f} s / {len(timings)} actions), "
          f"generator CPU {generator:.1f} s, "
          f"per step p95 {per_step(timings)}", file=sys.stderr, flush=True)
    kinds = Counter(re.sub(r"answered (\d{3})|[0-9a-f]{16}-\S+|\d+",  # HTTP statuses kept
                           lambda m: m.group(0) if m.group(1) else "#", p)[:120]
                    for p in problems)
    for problem, count in kinds.most_common(8):
        print(f"    {count} x {problem}", file=sys.stderr)
    if window_s:
        report_windows(timings, windows, wall0)
    return row


def per_step(timings) -> str:
    steps: dict = {}
    for t in timings:
        steps.setdefault(t.step, []).append(t.seconds)
    return " ".join(f"{k} {percentile(v, .95):.2f}" for k, v in steps.items())


def report_windows(timings, windows, wall0: float) -> None:
    """The soak: p95 and RSS per window; then, after the first window (the ramp and the
    sign-ins), p95 of the first and the second half, and RSS from the end of the second
    window to the end."""
    print(f"  {'window end s':>12} {'actions':>8} {'p95 s':>7} {'RSS MB':>7}", file=sys.stderr)
    start = 0.0
    for end, rss in windows:
        inside = [t.seconds for t in timings if start <= t.at - wall0 < end]
        print(f"  {end:>12.0f} {len(inside):>8} {percentile(inside, .95):>7.2f} {rss:>7.0f}",
              file=sys.stderr)
        start = end
    if len(windows) < 3:
        return
    settled = windows[1:]
    middle = settled[(len(settled) - 1) // 2]
    halves = [[t.seconds for t in timings if low <= t.at - wall0 < high]
              for low, high in ((windows[0][0], middle[0]), (middle[0], windows[-1][0] + 1))]
    p95 = [percentile(h, .95) for h in halves]
    print(f"  soak: p95 {p95[0]:.2f} s -> {p95[1]:.2f} s ({100 * (p95[1] / p95[0] - 1):+.1f}%), "
          f"RSS {settled[0][1]:.0f} -> {windows[-1][1]:.0f} MB "
          f"({100 * (windows[-1][1] / settled[0][1] - 1):+.1f}%), halves after "
          f"{windows[0][0]:.0f} s", file=sys.stderr)


def print_table(rows: list[dict], servers: int) -> None:
    print(f"servers {servers}")
    print(f"{'sessions':>8} {'actions':>8} {'p50 s':>7} {'p95 s':>7} {'p99 s':>7} {'errors':>7} "
          f"{'dropped':>8} {'server CPU %':>13} {'RSS MB':>7}")
    for r in rows:
        print(f"{r['sessions']:>8} {r['actions']:>8} {r['p50_s']:>7.2f} {r['p95_s']:>7.2f} "
              f"{r['p99_s']:>7.2f} {r['errors']:>7} {r['dropped']:>8} {r['cpu_pct']:>13.1f} "
              f"{r['rss_mb']:>7}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 25, 50, 100])
    parser.add_argument("--think", type=float, default=10.0, help="mean think time (s)")
    parser.add_argument("--servers", type=int, choices=(1, 2), default=1)
    parser.add_argument("--duration", type=float, default=0.0,
                        help="seconds of rounds per level (default: one round per session)")
    parser.add_argument("--window", type=float, default=0.0,
                        help="print p95 and RSS per window of this many seconds (the soak)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="a run taking longer drops its session (s)")
    parser.add_argument("--recording", type=Path, help="replay this recording (no browser)")
    parser.add_argument("--save-recording", type=Path, help="write the recording here")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    return parser.parse_args(argv)


def start_servers(store_url: str, count: int, folder: Path):
    """``(servers, base URLs of each app server, base URL the sessions use, pids, nginx)``."""
    from fixtures_browser import StreamlitServers, _free_port

    servers = StreamlitServers(folder)
    bases = [servers.start(store_url, env={"HONGTU_NODE": str(i)}) for i in range(1, count + 1)]
    pids = [process.pid for process, _ in servers.running.values()]
    if count == 1:
        return servers, bases, bases[0], pids, None
    port = _free_port()
    nginx = srv.start_nginx(folder / "nginx", port, [int(b.rsplit(":", 1)[1]) for b in bases])
    return servers, bases, f"http://127.0.0.1:{port}", pids, nginx


def main(argv=None) -> int:
    from geo.store import ENV_URL, open_store

    args = parse_args(argv)
    source = os.environ.get(ENV_URL)
    if not source:
        sys.exit(f"set {ENV_URL} to the store to measure (a GeoPackage or a PostGIS URL)")
    if args.servers == 2 and not srv.is_postgres(source):
        sys.exit("--servers 2 needs a PostGIS store (several servers on one GeoPackage: no)")
    folder = srv.scratch_folder()
    store_url = srv.copy_store(source, folder)
    servers = nginx = None
    try:
        store = open_store(store_url)
        plans = task.make_plans(store, max(args.sessions) + 2)  # 0 records, the last warms up
        started = time.monotonic()
        made = task.make_accounts(store, plans)
        if hasattr(store, "dispose"):  # PostGIS: close this process's pool
            store.dispose()
        print(f"store copy {store_url}; {made} accounts in {time.monotonic() - started:.0f} s; "
              f"{args.servers} server(s); load average {srv.load_average()} (2 cores shared "
              "with other work)", file=sys.stderr, flush=True)
        servers, bases, base, pids, nginx = start_servers(store_url, args.servers, folder)
        if args.recording:
            steps = task.load(args.recording)
        else:
            steps = task.record(bases[0], plans[0])
        if args.save_recording:
            task.save(steps, args.save_recording)
        runner = Runner(steps, plans, 0.0, args.timeout)
        warm = len(plans) - 1
        for server in bases:  # every server's caches warm; the replay checked once
            timings, problems = [], []
            asyncio.run(runner.session(server, warm, 0.0, None, timings, problems))
            if problems:
                sys.exit(f"the warm-up replay failed on {server}: {problems[:3]}")
        runner.think_s = args.think
        rows = []
        for sessions in args.sessions:  # each row on stderr at once: a cut run keeps its rows
            rows.append(measure(runner, base, pids, sessions, args.duration, args.window))
            print(f"  row {json.dumps(rows[-1])}", file=sys.stderr, flush=True)
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        if servers is not None:
            servers.stop_all()
        srv.drop_copy(store_url)
    if args.json:
        print(json.dumps([{k: r[k] for k in KEYS} for r in rows]))
    else:
        print_table(rows, args.servers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
