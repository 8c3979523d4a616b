"""Planner speed: coverage of the whole sample district, and MCLP (k=5) over every compound's
representative point plus 300 extra random candidates, existing positions kept fixed.

    .venv/bin/python benchmarks/bench_planner.py [--scale 1] [--runs 3] [--store PATH]
    .venv/bin/python benchmarks/bench_planner.py --region taizhou [--store PATH]

Targets: coverage under 0.2 s; MCLP under 1 s at scale 1 and under 20 s at --scale 10.
Times are medians over --runs after one warm-up run (which pays for imports and pyproj's
set-up); the MCLP time is the whole call (distance matrix, model, CBC, greedy). Exit code 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import geopandas as gpd
import numpy as np

from geo import coverage as cov
from geo import siting
from geo.schema import WGS84
from geo.store import open_store

SEED = 20220425
RADIUS_M = 500.0
K = 5
EXTRA_CANDIDATES = 300
COVERAGE_TARGET_S = 0.2
MCLP_TARGET_S = {1: 1.0, 10: 20.0}


def extra_candidates(compounds: gpd.GeoDataFrame, n: int, seed: int) -> gpd.GeoDataFrame:
    """``n`` random points (seeded) in the compounds' bounding box."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = compounds.to_crs(WGS84).total_bounds
    points = gpd.points_from_xy(rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n))
    return gpd.GeoDataFrame({"id": [f"rand-{i}" for i in range(n)],
                             "name": [f"随机候选{i}" for i in range(n)]},
                            geometry=points, crs=WGS84)


def timed(func, runs: int):
    func()  # warm-up
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--store", default=None, help="an existing store (else one is built)")
    parser.add_argument("--region", default=None, choices=("huangyan", "taizhou", "zhejiang"),
                        help="per county and per city, sparse coverage sets (planner_regions)")
    args = parser.parse_args(argv)
    if args.region:
        return _regions(args)
    if args.store:
        store = open_store(args.store)
        args.scale = int(store.meta().get("scale", args.scale))
    else:
        from geo.sample import build_store

        path = Path(tempfile.mkdtemp(prefix="bench-planner-")) / f"sample-{args.scale}.gpkg"
        started = time.perf_counter()
        build_store(path, SEED, scale=args.scale)
        print(f"built the sample store (scale {args.scale}) in {time.perf_counter() - started:.1f}"
              f" s: {path}")
        store = open_store(path)
    compounds, positions = store.load("compounds"), store.load("service_positions")
    roads = store.load("roads")
    candidates = siting.combine_candidates(
        siting.default_candidates(compounds), extra_candidates(compounds, EXTRA_CANDIDATES, SEED))
    print(f"{len(compounds):,} compounds, {int(compounds['households'].sum()):,} households, "
          f"{(positions['status'] == 'existing').sum():,} existing positions, "
          f"{len(candidates):,} candidates, radius {RADIUS_M:,.0f} m")

    cover_s, coverage = timed(
        lambda: cov.analyse_coverage(compounds, positions, RADIUS_M, roads=roads), args.runs)
    mclp_s, found = timed(lambda: siting.suggest_positions(
        compounds, positions, K, RADIUS_M, candidates=candidates, roads=roads), args.runs)
    mclp_target = MCLP_TARGET_S.get(args.scale, MCLP_TARGET_S[10])
    rows = [
        ("coverage", cover_s, COVERAGE_TARGET_S,
         (f"{coverage.covered_households:,} covered ({100 * coverage.share_covered:.1f}%), "
         f"{coverage.distance_kind}")),
        (f"MCLP k={K}", mclp_s, mclp_target,
         (f"{found.covered_before:,} -> {found.covered_after:,} (greedy {found.greedy_after:,}); "
         f"{found.solver_status}, solver {found.seconds:.2f} s")),
    ]
    failed = False
    for name, seconds, target, note in rows:
        ok = seconds < target
        failed |= not ok
        print(f"{name:<12} {seconds:8.3f} s  target < {target:g} s  {'ok' if ok else 'SLOW'}"
              f"  | {note}")
    if found.covered_after < found.greedy_after or found.objective != found.covered_after:
        print("MCLP below greedy or not equal to the solver's objective")
        failed = True
    return 1 if failed else 0


def _regions(args) -> int:
    import planner_regions

    if args.store:
        store = open_store(args.store)
    else:
        from geo.sample import build_store

        path = Path(tempfile.mkdtemp(prefix="bench-planner-")) / f"{args.region}.gpkg"
        started = time.perf_counter()
        build_store(path, SEED, scale=args.scale, region=args.region)
        print(f"built the {args.region} sample in {time.perf_counter() - started:.1f} s: {path}")
        store = open_store(path)
    return 0 if planner_regions.run(store) else 1


if __name__ == "__main__":
    sys.exit(main())
