"""bench_planner.py --region: coverage and MCLP (k=5) for every county of a region and for the
whole of each city, over sparse coverage sets (geo.siting_sparse), proven optimal.

    .venv/bin/python benchmarks/bench_planner.py --region taizhou [--store PATH]

Targets: per county <= 1 s, per city <= 10 s (the whole call: demand and supply points, the
coverage sets, the model, CBC). Memory: the peak of Python allocations during the call
(tracemalloc; numpy's arrays included; CBC runs in a child process, its memory apart) and the
process's peak RSS at the end.
"""

from __future__ import annotations

import resource
import time
import tracemalloc

from geo import hierarchy
from geo import siting_sparse as ss

RADIUS_M = 500.0
K = 5
COUNTY_TARGET_S, CITY_TARGET_S = 1.0, 10.0
LAYERS = ("districts", "streets", "communities", "grids", "compounds", "service_positions")


def _cut(frames: dict, districts) -> tuple:
    keys = hierarchy.unit_keys(frames, districts)
    return (hierarchy.filter_layer("compounds", frames["compounds"], keys),
            hierarchy.filter_layer("service_positions", frames["service_positions"], keys))


def _measure(compounds, positions) -> tuple[float, float, float, ss.SparseSiting]:
    tracemalloc.start()
    started = time.perf_counter()
    existing = ss.cover_sets(*_xy_pair(compounds, positions), RADIUS_M)
    coverage_s = time.perf_counter() - started
    found = ss.suggest_positions_sparse(compounds, positions, K, RADIUS_M)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    del existing
    return coverage_s, seconds, peak, found


def _xy_pair(compounds, positions):
    from geo import coverage as cov

    demand = cov.demand_points(compounds)
    supply = cov.supply_points(positions)
    return ss._xy(demand), ss._xy(supply)


def run(store) -> bool:
    frames = {n: store.load(n) for n in LAYERS}
    units = hierarchy.units(frames["districts"])
    rows, ok = [], True
    for unit in units:
        if unit.level not in (hierarchy.COUNTY, hierarchy.CITY):
            continue
        compounds, positions = _cut(frames, unit.districts)
        coverage_s, seconds, peak, found = _measure(compounds, positions)
        target = COUNTY_TARGET_S if unit.level == hierarchy.COUNTY else CITY_TARGET_S
        good = seconds <= target and found.status == "Optimal"
        ok &= good
        rows.append((unit, len(compounds), found, coverage_s, seconds, peak, target, good))
    print(f"{'unit':<12} {'level':<7} {'compounds':>9} {'pairs':>7} {'covered before':>15} "
          f"{'after k=5':>10} {'status':<8} {'cover s':>8} {'MCLP s':>7} {'target':>6} "
          f"{'peak MB':>8}  verdict")
    for unit, n, found, coverage_s, seconds, peak, target, good in rows:
        share = 100 * found.covered_before / max(found.households_total, 1)
        print(f"{unit.name:<12} {unit.level:<7} {n:>9,} {found.pairs:>7,} "
              f"{found.covered_before:>8,} {share:5.1f}% {found.covered_after:>10,} "
              f"{found.status[:8]:<8} {coverage_s:8.3f} {seconds:7.3f} {target:6.0f} "
              f"{peak:8.1f}  {'ok' if good else 'MISS'}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MB (store layers loaded: {', '.join(LAYERS)})")
    return ok & page_calls(frames, units)


def page_calls(frames: dict, units) -> bool:
    """The planner page's own entry points for each city and the province, with grid residents
    as demand (the widest choice): coverage, then MCLP k=5."""
    from geo import coverage as cov
    from geo import siting

    print(f"\nplanner page entry points, demand = grid residents, k={K}, {RADIUS_M:.0f} m")
    print(f"{'unit':<12} {'level':<8} {'grids':>7} {'solved as':<10} {'coverage s':>10} "
          f"{'MCLP s':>7} {'status':<8} {'peak MB':>8}  verdict")
    ok = True
    for unit in units:
        if unit.level == hierarchy.COUNTY:
            continue
        keys = hierarchy.unit_keys(frames, unit.districts)
        grids = hierarchy.filter_layer("grids", frames["grids"], keys)
        positions = hierarchy.filter_layer("service_positions", frames["service_positions"], keys)
        tracemalloc.start()
        started = time.perf_counter()
        cov.analyse_coverage(grids, positions, RADIUS_M, demand=cov.DEMAND_GRIDS)
        coverage_s = time.perf_counter() - started
        found = siting.suggest_positions(grids, positions, K, RADIUS_M, demand=cov.DEMAND_GRIDS)
        seconds = time.perf_counter() - started - coverage_s
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        wide = cov.is_wide(len(grids), 2 * len(grids) + len(positions))
        target = CITY_TARGET_S if unit.level == hierarchy.CITY else None
        good = found.solver_status == "Optimal" and (target is None or seconds <= target)
        ok &= good
        print(f"{unit.name:<12} {unit.level:<8} {len(grids):>7,} "
              f"{'sparse' if wide else 'dense':<10} {coverage_s:10.2f} {seconds:7.2f} "
              f"{found.solver_status[:8]:<8} {peak:8.1f}  {'ok' if good else 'MISS'}")
    return ok
