"""The ``hongtu`` command line. Each command group lives in its own module with a
``register(subparsers)`` function that adds its sub-commands (each sets ``func``)."""

from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = (
    "geo.cli.data_cmds",  # sample, validate, info, serve
    "geo.cli.db_cmds",  # migrate, load-sample
    "geo.cli.io_cmds",  # import, export
    "geo.cli.planning_cmds",  # coverage, site
    "geo.cli.grid_cmds",  # grid-coverage
    "geo.cli.work_cmds",  # kpis
    "geo.cli.user_cmds",  # user add|passwd|disable
    "geo.cli.print_cmds",  # print-map, briefing
    "geo.cli.ops_cmds",  # backup, restore
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hongtu", description="红图 Hongtu command line")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code = args.func(args)
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
