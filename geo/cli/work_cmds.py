"""``hongtu kpis``: the outcome indicators of service orders and cases, as the pages show them."""

from __future__ import annotations

import pandas as pd

from geo import kpi_month, kpis
from geo.cli.common import add_store_option, print_json, store_from


def register(sub) -> None:
    parser = sub.add_parser("kpis", help="outcome indicators (satisfaction, complaints, ...)")
    add_store_option(parser)
    parser.add_argument("--street", default=None, help="street id, code or name")
    parser.add_argument("--since", default=None, help="only records from this date (YYYY-MM-DD)")
    parser.add_argument("--until", default=None,
                        help="only records before this date (YYYY-MM-DD, exclusive)")
    parser.add_argument("--month", default=None,
                        help="one month (YYYY-MM), as the monthly briefing prints it")
    parser.add_argument("--as-of", default=None, help="as-of date (default: the store's meta)")
    parser.add_argument("--limit-hours", type=float, default=kpis.DEFAULT_LIMIT_HOURS,
                        help="time limit for the share closed in time (hours)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_kpis)


def run_kpis(args) -> int:
    since = pd.Timestamp(args.since) if args.since else None
    until = pd.Timestamp(args.until) if args.until else None
    if args.month:
        figures = kpi_month.month_kpis(kpis.load_frames(store_from(args)), args.month,
                                       street=args.street, limit_hours=args.limit_hours)
    else:
        figures = kpis.kpis_from_store(store_from(args), street=args.street, since=since,
                                       until=until, as_of=args.as_of,
                                       limit_hours=args.limit_hours)
    if args.json:
        print_json(figures)
        return 0
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        shown = "-" if value is None else (f"{value:,}" if isinstance(value, int) else value)
        print(f"{key:<{width}}  {shown}")
    return 0
