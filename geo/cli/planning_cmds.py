"""Planning commands: ``hongtu coverage`` (who is within reach of a position) and
``hongtu site`` (where the next positions should go), printing the planner page's figures."""

from __future__ import annotations

from geo import coverage as cov
from geo.cli.common import add_store_option, print_json, store_from
from geo.schema import TIERS


def _add_common(parser) -> None:
    add_store_option(parser)
    parser.add_argument("--radius", type=float, default=cov.DEFAULT_RADIUS_M,
                        help="coverage radius in metres (5/10/15-minute walk: 300/500/1000)")
    parser.add_argument("--tier", action="append", choices=TIERS, default=None,
                        help="count only positions of this tier (repeatable; default: all)")
    parser.add_argument("--include-planned", action="store_true",
                        help="count planned positions as well as existing ones")
    parser.add_argument("--demand", choices=sorted(cov.DEMAND_WEIGHT),
                        default=cov.DEMAND_COMPOUNDS,
                        help="compounds: households of each compound (default); grids: "
                             "residents of each grid (the whole district)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def register(sub) -> None:
    coverage = sub.add_parser("coverage", help="households within reach of service positions")
    _add_common(coverage)
    coverage.add_argument("--details", action="store_true",
                          help="with --json: every compound and position")
    coverage.set_defaults(func=run_coverage)

    site = sub.add_parser("site", help="suggest new service positions (MCLP) beside greedy")
    _add_common(site)
    site.add_argument("--add", type=int, required=True, metavar="K", help="positions to add")
    site.add_argument("--candidates", default=None, metavar="PATH",
                      help="extra candidates: CSV (lon, lat[, id, name, tier]) or GeoJSON/GPKG")
    site.add_argument("--only-candidates", action="store_true",
                      help="choose only among --candidates (not the compounds' or, with "
                           "--demand grids, the grids' points)")
    site.add_argument("--gap", type=float, default=None,
                      help="relative optimality gap for the solver (default: exact)")
    site.set_defaults(func=run_site)


def _inputs(args):
    """(demand frame: compounds or grids, positions, roads)."""
    store = store_from(args)
    return store.load(args.demand), store.load("service_positions"), store.load("roads")


def run_coverage(args) -> int:
    compounds, positions, roads = _inputs(args)
    result = cov.analyse_coverage(compounds, positions, args.radius, args.tier,
                                  args.include_planned, roads=roads, demand=args.demand)
    if args.json:
        print_json(result.to_dict(details=args.details))
        return 0
    print(f"radius {result.radius_m:,.0f} m ({result.distance_kind}): "
          f"{result.covered_households:,} of {result.households_total:,} {result.unit} covered "
          f"({100 * result.share_covered:.1f}%), {len(result.uncovered_compounds)} "
          f"{args.demand} uncovered; mean distance {result.mean_distance_m:,.0f} m, "
          f"90th percentile {result.p90_distance_m:,.0f} m")
    return 0


def run_site(args) -> int:
    from geo import siting  # spopt and its solvers: over a second to import, only needed here

    compounds, positions, roads = _inputs(args)
    candidates = (None if args.only_candidates
                  else siting.default_candidates(compounds, args.demand))
    if args.candidates:
        candidates = siting.combine_candidates(candidates, siting.read_candidates(args.candidates))
    result = siting.suggest_positions(compounds, positions, args.add, args.radius, candidates,
                                      args.tier, args.include_planned, roads, args.gap,
                                      demand=args.demand)
    unit = cov.DEMAND_WEIGHT[args.demand]
    if args.json:
        print_json(result.to_dict())
        return 0
    print(f"radius {result.radius_m:,.0f} m ({result.distance_kind}), "
          f"{result.candidates_count:,} candidates: covered {result.covered_before:,} -> "
          f"{result.covered_after:,} of {result.households_total:,} {unit} "
          f"(greedy {result.greedy_after:,}); solver {result.solver_status}, "
          f"{result.seconds:.2f} s")
    for row in result.chosen.to_dict(orient="records"):
        print(f"  + {row['name']} ({row['id']}) {row['lon']:.6f},{row['lat']:.6f} "
              f"+{row[siting.GAIN]:,} {unit}")
    return 0
