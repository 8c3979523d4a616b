"""Per-edit time on the GeoPackage store at several district sizes.

For each scale K a sample district (``hongtu sample --scale K``) is built once into --dir and
reused. Timed, median of --runs:

* ``store edit``: one member moved to another grid through the store, as the grids page writes
  it: one transaction with ``tx.update`` (grid, point, expected version) and an audit row;
* ``reassign()``: the whole ``geo.reassignment.move_members`` call, what the grids page runs
  (it reads the moved members and the target grid by id, checks the role, then the edit);
* ``file copy``: copying the store file once, what every write cost before WAL transactions.

Usage: python benchmarks/bench_edit.py [--scales 1 10 100] [--runs 20] [--dir /tmp/hongtu-bench]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from geo import audit
from geo.auth import SYSTEM
from geo.reassignment import move_members, point_in_grid
from geo.store import open_store


def build(scale: int, folder: Path) -> Path:
    path = folder / f"sample-scale{scale}.gpkg"
    if not path.exists():
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "geo.cli", "sample", "--scale", str(scale),
                        "--out", str(path)], check=True, stdout=subprocess.DEVNULL)
        print(f"  built scale {scale} in {time.perf_counter() - start:.0f} s", flush=True)
    return path


def timed(runs: int, action) -> float:
    times = []
    for i in range(runs):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bench(path: Path, runs: int) -> dict:
    work = path.with_name(path.stem + "-work.gpkg")
    shutil.copyfile(path, work)
    store = open_store(work)
    members = store.load("members")
    grids = store.load("grids")
    member_ids = members["id"].tolist()[:runs]
    targets = grids["id"].tolist()[:2]
    shapes = dict(zip(grids["id"], grids.geometry))
    versions = dict(zip(members["id"], members["version"].astype(int)))

    def store_edit(i: int) -> None:
        member_id, grid_id = member_ids[i % len(member_ids)], targets[i % 2]
        with store.transaction("bench") as tx:
            before = tx.update("members", member_id,
                               {"grid_id": grid_id, "geometry": point_in_grid(shapes[grid_id],
                                                                              member_id)},
                               expected_version=versions[member_id])
            versions[member_id] += 1
            audit.record(tx, "bench", "members.move", "members", member_id,
                         {"grid_id": before["grid_id"]}, {"grid_id": grid_id}, "benchmark")

    def reassign(i: int) -> None:
        move_members(store, [member_ids[i % len(member_ids)]], targets[(i + 1) % 2],
                     "benchmark", "bench", principal=SYSTEM)

    copy_to = work.with_name(work.stem + "-copy.gpkg")
    result = {
        "size_mb": path.stat().st_size / 1e6,
        "members": len(members),
        "store_edit": timed(runs, store_edit),
        "reassign": timed(max(3, runs // 4), reassign),
        "file_copy": timed(3, lambda i: shutil.copyfile(work, copy_to)),
    }
    copy_to.unlink(missing_ok=True)
    for leftover in work.parent.glob(work.name + "*"):
        leftover.unlink()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--dir", default="/tmp/hongtu-bench")
    args = parser.parse_args(argv)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for scale in args.scales:
        rows.append((scale, bench(build(scale, folder), args.runs)))
    print(f"{'scale':>5} {'file MB':>8} {'members':>8} {'store edit ms':>14} "
          f"{'reassign() ms':>14} {'file copy ms':>13}")
    for scale, r in rows:
        print(f"{scale:>5} {r['size_mb']:>8.1f} {r['members']:>8} {r['store_edit']:>14.1f} "
              f"{r['reassign']:>14.1f} {r['file_copy']:>13.1f}")
    for column, name in (("store_edit", "store edit"), ("reassign", "reassign()")):
        base = rows[0][1][column]
        for scale, r in rows[1:]:
            ratio = r[column] / base
            verdict = "within" if ratio <= 2 else "NOT within"
            print(f"{name} at scale {scale}: {ratio:.2f}x scale {rows[0][0]} ({verdict} 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
