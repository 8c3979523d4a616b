"""``hongtu grid-coverage``: members, households and gap flags per grid."""

from __future__ import annotations

import sys

from geo import grid_coverage as gc
from geo.cli.common import add_store_option, print_json, store_from


def register(sub) -> None:
    parser = sub.add_parser(
        "grid-coverage", help="members per grid, households per member, gap flags",
        description="One record per grid: grid_id, members, households, "
                    "households_per_member, flags (no_member, overloaded, far_home).",
    )
    add_store_option(parser)
    parser.add_argument("--street", help="only this street (id, code or name)")
    parser.add_argument(
        "--threshold", type=float, default=None,
        help="households per member above which a grid is overloaded "
             "(default: 2 × the district median over grids with members)",
    )
    parser.add_argument(
        "--far-limit", type=float, default=gc.DEFAULT_FAR_LIMIT_M,
        help="metres a member's home compound may lie outside the grid (default 1000)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON records")
    parser.set_defaults(func=run)


def run(args) -> int:
    store = store_from(args)
    grids = store.load("grids")
    coverage = gc.grid_coverage(
        grids, store.load("members"), store.load("compounds"),
        threshold=args.threshold, far_limit_m=args.far_limit,
    )
    if args.street:
        try:
            street_id = gc.resolve_street(store.load("streets"), args.street)
        except KeyError as exc:
            print(f"未知街道 | {exc.args[0]}", file=sys.stderr)
            return 2
        coverage = coverage[coverage[gc.STREET_ID] == street_id]
    records = gc.coverage_records(coverage)
    if args.json:
        print_json(records)
        return 0
    summary = gc.coverage_summary(coverage)
    print(f"grids {summary['grids']:,}  members {summary['members']:,}  "
          f"households {summary['households']:,}  threshold {summary['threshold']:.1f}")
    for r in records:
        per = "-" if r[gc.PER_MEMBER] is None else f"{r[gc.PER_MEMBER]:.1f}"
        print(f"{r[gc.GRID_ID]}\t{r['name']}\t{r[gc.MEMBERS]:,}\t{r[gc.HOUSEHOLDS]:,}\t{per}\t"
              f"{','.join(r[gc.FLAGS])}")
    return 0
