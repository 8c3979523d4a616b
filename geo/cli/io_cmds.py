"""``hongtu import``, ``imports`` (the log), ``rollback`` and ``export``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from components.strings.io import TEXT
from geo.cli.common import add_store_option, print_json, store_from

CRS_HELP = ("source CRS: an EPSG code (4326, 4490, 4549, 4528...), gcj02 or bd09, for every file, "
            "or FILE=CRS for one file (repeatable); default: detect")


def register(sub) -> None:
    imp = sub.add_parser("import", help="import Excel/CSV/GeoJSON/Shapefile(zip)/GeoPackage files")
    imp.add_argument("paths", nargs="+", help="files (or folders, e.g. an unzipped CSV/GeoJSON "
                     "export) to import together (one transaction)")
    imp.add_argument("--dry-run", action="store_true", help="check only, write nothing")
    imp.add_argument("--crs", action="append", default=[], help=CRS_HELP)
    imp.add_argument("--layer", default=None, help="target layer (default: from file/sheet name)")
    imp.add_argument("--repair", action="store_true", help="repair invalid geometries (make_valid)")
    imp.add_argument("--max-mb", type=float, default=50.0, help="size limit per file in MB")
    imp.add_argument("--account", default=os.environ.get("USER", "cli"))
    imp.add_argument("--json", action="store_true", help="print the result as JSON")
    add_store_option(imp)
    imp.set_defaults(func=run_import)

    log = sub.add_parser("imports", help="list the import log (newest first)")
    log.add_argument("--json", action="store_true", help="print the log as JSON")
    add_store_option(log)
    log.set_defaults(func=run_imports)

    back = sub.add_parser("rollback", help="roll back one import by its log id")
    back.add_argument("import_id", help="the id `hongtu imports` lists (imp-...)")
    back.add_argument("--keep-later-edits", action="store_true",
                      help="rows changed after the import keep their changes; roll back the rest")
    back.add_argument("--account", default=os.environ.get("USER", "cli"))
    add_store_option(back)
    back.set_defaults(func=run_rollback)

    exp = sub.add_parser("export", help="export the store's layers")
    exp.add_argument("--format", required=True, choices=("gpkg", "geojson", "xlsx", "csv"))
    exp.add_argument("--out", required=True,
                     help="output file (.gpkg/.xlsx); for geojson/csv a folder or a .zip")
    exp.add_argument("--layers", default=None, help="comma-separated layers (default: all)")
    exp.add_argument("--unmasked", action="store_true", help="keep personal data unmasked")
    exp.add_argument("--account", default=os.environ.get("USER", "cli"),
                     help="who exports (recorded in the audit log)")
    add_store_option(exp)
    exp.set_defaults(func=run_export)


def normalise_crs(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip().lower()
    if text in ("gcj02", "gcj-02", "gcj"):
        return "gcj02"
    if text in ("bd09", "bd-09", "baidu"):
        return "bd09"
    if text in ("wgs84", "4326", "epsg:4326"):
        return "wgs84"
    digits = text.removeprefix("epsg:")
    if digits.isdigit():
        return f"EPSG:{digits}"
    raise SystemExit(f"unknown --crs {value!r}")


def crs_option(values: list[str], paths: list[str]):
    """``--crs`` values: one CRS for every file, or FILE=CRS pairs (a dict by file name)."""
    per_file = {}
    for value in values:
        name, sep, code = value.rpartition("=")
        if not sep:
            if len(values) > 1:
                raise SystemExit("--crs: give one CRS for all files, or FILE=CRS for each")
            return normalise_crs(value)
        from geo.importer import distinct_names  # a repeated name is "name (2).csv" there

        names = set(distinct_names([Path(p).name for p in paths]))
        if Path(name).name not in names:
            raise SystemExit(f"--crs {value!r}: {name} is not one of the files imported")
        per_file[Path(name).name] = normalise_crs(code)
    return per_file or None


def run_import(args) -> int:
    from geo.importer import ImportRefused, apply_import, plan_import

    store = store_from(args)
    plan = plan_import(args.paths, store, crs=crs_option(args.crs, args.paths), layer=args.layer,
                       repair=args.repair, size_limit=int(args.max_mb * 1024 * 1024))
    log_id = None
    if plan.ok and not args.dry_run:
        try:
            log_id = apply_import(store, plan, account=args.account)
        except ImportRefused as exc:
            print(exc, file=sys.stderr)
            return 2
    if args.json:
        print_json({
            "tables": [vars(t) for t in plan.tables], "counts": plan.counts,
            "problems": [p.describe() for p in plan.problems], "import_id": log_id,
            "repaired": plan.repaired,
        })
    else:
        for table in plan.tables:
            print(f"{table.file} {table.sheet or ''} [{table.fmt} {table.encoding or ''}] -> "
                  f"{table.layer or '?'} rows={table.rows} crs={table.crs or '-'}")
        for problem in plan.problems:
            print(problem.describe())
        if plan.ok:
            print("\n".join(counts_lines(plan.counts)))
        if log_id:
            print(f"已导入 imported: {log_id}")
        elif args.dry_run and plan.ok:
            print("检查通过(未写入) dry run ok, nothing written")
        elif plan.ok:
            print(" | ".join(TEXT["io.nothing_changed"]))
        else:
            print(f"未导入 not imported: {len(plan.problems)} problem(s)", file=sys.stderr)
    return 0 if plan.ok else 1


def counts_lines(counts: dict) -> list[str]:
    """Per layer and in all: "N unchanged, M changed, K new", in Chinese | English."""
    from geo.importer import LAYER_LABELS

    keys = ("unchanged", "changed", "new")
    lines = [" | ".join(TEXT["io.counts_split"][i].format(
        layer=LAYER_LABELS.get(name, name) if i == 0 else name, **{k: c[k] for k in keys})
        for i in (0, 1)) for name, c in counts.items()]
    totals = {k: sum(c[k] for c in counts.values()) for k in keys}
    return lines + [" | ".join(TEXT["io.counts_total"][i].format(**totals) for i in (0, 1))]


def run_imports(args) -> int:
    from geo.importer import import_log

    log = import_log(store_from(args))
    if args.json:
        print_json(log.assign(at=log["at"].astype(str)).to_dict(orient="records"))
        return 0
    if log.empty:
        print("还没有导入记录 no imports yet")
    for row in log.itertuples():
        print(f"{row.id}  {row.at:%Y-%m-%d %H:%M:%S}  {row.account}  {row.status}  "
              f"{row.files}  {row.counts}")
    return 0


def run_rollback(args) -> int:
    from geo.importer import ImportRefused, rollback_import

    try:
        restored = rollback_import(store_from(args), args.import_id, account=args.account,
                                   keep_later_edits=args.keep_later_edits)
    except ImportRefused as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"已回滚 rolled back: {args.import_id} {restored}")
    return 0


def run_export(args) -> int:
    from geo.exporter import export_store

    layers = [x.strip() for x in args.layers.split(",")] if args.layers else None
    from geo.audit import record_export

    store = store_from(args)
    out = export_store(store, args.format, args.out, layers=layers,
                       can_see_personal=args.unmasked)
    record_export(store, args.account, "store", str(out), masked=not args.unmasked,
                  detail={"format": args.format, "layers": layers, "via": "cli"})
    print(out)
    return 0
