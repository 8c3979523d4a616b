"""``hongtu print-map`` (the map sheet, PDF/PNG) and ``hongtu briefing`` (the monthly
briefing, DOCX/PDF). Both are recorded in the audit under ``--account``; personal data is
masked unless ``--unmasked`` is given by a role that may see it (``--role``, default org as
for ``hongtu export``; a refused request is audited and exits 2). Labels come from the app's
translation table (components.i18n), in ``--lang``. The drawing libraries are imported when a
command runs, so that other commands start without them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from components.i18n import t
from geo import auth, network
from geo.cli.common import add_store_option, store_from
from geo.printing.paper import BRIEFING_FORMATS, ORIENTATIONS, SHEET_FORMATS, SIZES
from geo.printing.units import UnknownUnit
from geo.schema import ROLES, TIERS

BASEMAPS = ("offline", "osm", "gaode", "tianditu_vec", "tianditu_img")  # components.basemaps


def _common(parser) -> None:
    parser.add_argument("--unit", default=None,
                        help="district, street (id, code or name), community or compound id "
                             "(default: the district)")
    parser.add_argument("--out", required=True, help="output file; its suffix picks the format")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    parser.add_argument("--account", default=os.environ.get("USER", "cli"))
    parser.add_argument("--role", choices=ROLES, default="org",
                        help="whose view is printed (masking); default org")
    add_store_option(parser)


def register(sub) -> None:
    pm = sub.add_parser("print-map", help="print the network map sheet (PDF or PNG, 300 dpi)")
    _common(pm)
    pm.add_argument("--size", choices=SIZES, default="A3")
    pm.add_argument("--orientation", choices=ORIENTATIONS, default="landscape")
    pm.add_argument("--indicator", choices=network.INDICATORS, default=network.INDICATORS[0])
    pm.add_argument("--tiers", default="", help=f"comma-separated tiers ({','.join(TIERS)})")
    pm.add_argument("--basemap", choices=BASEMAPS, default=BASEMAPS[0],
                    help="tile basemaps are used only when their tiles can be fetched")
    pm.set_defaults(func=run_print_map)

    br = sub.add_parser("briefing", help="the monthly briefing (DOCX or PDF)")
    _common(br)
    br.add_argument("--month", default=None, help="YYYY-MM (default: the store's as-of month)")
    br.add_argument("--unmasked", action="store_true",
                    help="keep personal data unmasked (only for roles that may see it)")
    br.set_defaults(func=run_briefing)


def _label(lang: str):
    return lambda key, **fmt: t(key, lang, **fmt)


def _principal(args) -> auth.Principal:
    return auth.Principal(args.account, auth.Role(args.role))


def _suffix(out: str, choices) -> str:
    fmt = Path(out).suffix.lower().lstrip(".")
    if fmt not in choices:
        raise SystemExit(f"--out 的扩展名应为 {'/'.join(choices)} | --out must end in "
                         f".{' or .'.join(choices)}: {out}")
    return fmt


def _write(out: str, data: bytes) -> None:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    print(path)


def sheet_options(args):
    from components import basemaps
    from geo.printing import sheet

    tiles, review_no, gcj02 = (), None, False
    if args.basemap != basemaps.OFFLINE:
        chosen = basemaps.basemap(args.basemap)
        tiles, gcj02 = chosen.tiles, chosen.gcj02
        if args.basemap in (basemaps.TIANDITU_VECTOR, basemaps.TIANDITU_IMAGERY):
            review_no = basemaps.TIANDITU_REVIEW_NO
    tiers = tuple(x for x in args.tiers.split(",") if x in TIERS)
    return sheet.SheetOptions(unit=args.unit, size=args.size, orientation=args.orientation,
                              indicator=args.indicator, tiers=tiers, basemap=args.basemap,
                              tiles=tiles, review_no=review_no, gcj02=gcj02)


def run_print_map(args) -> int:
    from geo.printing.documents import print_map
    from geo.printing.fonts import FontMissing

    fmt = _suffix(args.out, SHEET_FORMATS)
    try:
        document = print_map(store_from(args), sheet_options(args), fmt, _label(args.lang),
                             _principal(args))
    except (UnknownUnit, FontMissing, ValueError) as exc:
        print(exc, file=sys.stderr)
        return 2
    _write(args.out, document.data)
    return 0


def run_briefing(args) -> int:
    from geo.printing.documents import print_briefing
    from geo.printing.fonts import FontMissing

    fmt = _suffix(args.out, BRIEFING_FORMATS)
    store = store_from(args)
    month = args.month or store.meta().get("as_of", "")[:7] or None
    try:
        document = print_briefing(store, args.unit, month, fmt, _label(args.lang),
                                  _principal(args), unmasked=args.unmasked)
    except (UnknownUnit, FontMissing, ValueError, auth.PermissionDenied) as exc:
        print(exc, file=sys.stderr)
        return 2
    _write(args.out, document.data)
    return 0
