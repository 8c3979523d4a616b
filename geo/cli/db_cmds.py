"""Commands on database stores: migrate, load-sample."""

from __future__ import annotations

import sys
import time

from geo import schema
from geo.cli.common import add_store_option, store_from


def register(sub) -> None:
    p = sub.add_parser("migrate", help="create or upgrade the PostGIS schema of a store")
    add_store_option(p)
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("load-sample", help="write the generated sample district into a store")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--scale", type=int, default=1)
    p.add_argument("--region", choices=["huangyan", "taizhou", "zhejiang"], default="huangyan",
                   help="Huangyan alone (default), Taizhou's 9 counties or Zhejiang's 90 "
                        "(in one transaction: the province needs a few GB of memory)")
    add_store_option(p)
    p.set_defaults(func=cmd_load_sample)


def cmd_migrate(args) -> int:
    store = store_from(args)
    if not hasattr(store, "migrate"):
        print(f"{shown_url(store.url)}: GeoPackage 无需迁移 | a GeoPackage needs no migration")
        return 0
    try:
        done = store.migrate()
    except Exception as exc:  # noqa: BLE001 - report any connection or SQL failure plainly
        print(f"迁移失败 | migration failed: {exc}", file=sys.stderr)
        return 1
    for step in done:
        print(f"applied {step}")
    print("数据库结构已是最新 | schema is up to date")
    return 0


def cmd_load_sample(args) -> int:
    """Replace the data layers and meta with the sample in one transaction; accounts, audit
    and the other system layers that the sample does not generate are kept."""
    from geo.sample import DEFAULT_SEED, generate
    from geo.store.base import empty_frame

    start = time.perf_counter()
    seed = args.seed if args.seed is not None else DEFAULT_SEED
    frames = generate(seed, args.scale, region=args.region)
    store = store_from(args)
    with store.transaction() as tx:
        for name in schema.LAYERS:
            if name in frames:
                tx.replace(name, frames[name])
            elif name in schema.DATA_LAYERS:
                tx.replace(name, empty_frame(name))
            else:
                tx.append(name, empty_frame(name))  # make sure the layer exists; keep its rows
    counts = {n: len(f) for n, f in frames.items() if len(f)}
    print(f"wrote the sample (seed {seed}, scale {args.scale}) to {shown_url(store.url)} in "
          f"{time.perf_counter() - start:.1f} s: "
          + ", ".join(f"{n} {c}" for n, c in counts.items()))
    return 0


def shown_url(url: str) -> str:
    """A store URL without its password."""
    if "://" not in url:
        return url
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
