"""Helpers shared by CLI commands."""

from __future__ import annotations

import json
import sys

from geo.store import open_store, store_url


def add_store_option(parser) -> None:
    parser.add_argument(
        "--store", default=None,
        help="GeoPackage path or postgresql:// URL (default: $HONGTU_DATABASE_URL or the sample)",
    )


def store_from(args):
    return open_store(getattr(args, "store", None) or store_url())


def print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
