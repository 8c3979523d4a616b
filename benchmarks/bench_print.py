"""Printing speed: the A3 landscape map sheet of the whole district (PDF and PNG at 300 dpi)
and the monthly briefing (DOCX and PDF), made as the CLI and the print panel make them
(geo.printing.documents: load the store, draw, write the bytes, audit).

    .venv/bin/python benchmarks/bench_print.py [--runs 3] [--store PATH] [--month 2022-04]

Targets: the sheet under 10 s, the briefing under 20 s. Times (wall clock and this process's
CPU time) are medians over --runs after one warm-up (imports, fonts, pyproj); the parts of one
sheet (load, prepare+draw, write) are printed too. A copy of the store is used (every document writes an audit row). Exit code 1
when a target is missed.
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
sys.path.insert(0, str(ROOT))

from components.i18n import t
from geo.printing.documents import print_briefing, print_map
from geo.printing.sheet import SheetOptions, draw_sheet, figure_bytes, load_sheet_frames
from geo.store import open_store

SEED = 20220425
SHEET_TARGET_S = 10.0
BRIEFING_TARGET_S = 20.0


def label(key, **fmt):
    return t(key, "zh", **fmt)


def timed(func) -> tuple[float, object]:
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def median_time(func, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds (this process) over ``runs`` after a warm-up."""
    func()  # warm-up
    walls, cpus = [], []
    for _ in range(runs):
        cpu = time.process_time()
        walls.append(timed(func)[0])
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", default=None, help="a GeoPackage (default: a fresh sample)")
    parser.add_argument("--month", default="2022-04")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "store.gpkg"
        if args.store:
            shutil.copyfile(args.store, path)
        else:
            from geo.sample import build_store

            build_store(path, seed=SEED, scale=1)
        store = open_store(path)
        options = SheetOptions(size="A3", orientation="landscape")
        results = {}
        for fmt in ("pdf", "png"):
            results[f"sheet A3 {fmt}"] = median_time(
                lambda fmt=fmt: print_map(store, options, fmt, label), args.runs)
        for fmt in ("docx", "pdf"):
            results[f"briefing {fmt}"] = median_time(
                lambda fmt=fmt: print_briefing(store, None, args.month, fmt, label), args.runs)
        load_s, frames = timed(lambda: load_sheet_frames(store))
        draw_s, (fig, _, _) = timed(lambda: draw_sheet(frames, options, label))
        write_s, _ = timed(lambda: figure_bytes(fig, "pdf"))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall time grows "
          "with other work on the machine; CPU time does not)")
    for name, (seconds, cpu) in results.items():
        target = SHEET_TARGET_S if name.startswith("sheet") else BRIEFING_TARGET_S
        verdict = "ok" if seconds <= target else "MISSED"
        print(f"{name:<16} {seconds:6.2f} s wall, {cpu:6.2f} s CPU  (target {target:.0f} s: "
              f"{verdict})")
    print(f"one A3 sheet: load {load_s:.2f} s, prepare+draw {draw_s:.2f} s, "
          f"write PDF {write_s:.2f} s")
    missed = [n for n, (s, _) in results.items()
              if s > (SHEET_TARGET_S if n.startswith("sheet") else BRIEFING_TARGET_S)]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
