"""Commands on whole stores: sample, validate, info, serve."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from geo.cli.common import add_store_option, print_json, store_from
from geo.store import PROJECT_ROOT, SAMPLE_STORE, open_store


def register(sub) -> None:
    p = sub.add_parser("sample", help="generate the sample district into a GeoPackage")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--scale", type=int, default=1)
    p.add_argument("--region", choices=["huangyan", "taizhou", "zhejiang"], default="huangyan",
                   help="Huangyan alone (default), Taizhou's 9 counties or Zhejiang's 90")
    p.add_argument("--workers", type=int, default=None,
                   help="processes generating counties (default: up to 2)")
    p.add_argument("--out", default=str(SAMPLE_STORE))
    p.add_argument("--if-missing", action="store_true", help="do nothing if --out exists")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("validate", help="check a store and print every problem")
    p.add_argument("path", nargs="?", default=None)
    p.add_argument("--lang", choices=["zh", "en", "both"], default="both")
    add_store_option(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("info", help="counts per layer")
    p.add_argument("path", nargs="?", default=None)
    p.add_argument("--json", action="store_true")
    add_store_option(p)
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("serve", help="start the app on the configured store")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--address", default="127.0.0.1")
    add_store_option(p)
    p.set_defaults(func=cmd_serve)


def cmd_sample(args) -> int:
    from geo.sample import DEFAULT_SEED
    from geo.sample.build import write_sample

    out = Path(args.out)
    if args.if_missing and out.exists():
        print(f"{out} exists; nothing to do")
        return 0
    if args.scale < 1:
        print("--scale must be >= 1", file=sys.stderr)
        return 2
    if out.exists():
        out.unlink()
    start = time.perf_counter()
    counts = write_sample(open_store(out), args.seed if args.seed is not None else DEFAULT_SEED,
                          args.scale, args.region, workers=args.workers)
    print(f"wrote {out} in {time.perf_counter() - start:.1f} s: "
          + ", ".join(f"{n} {c}" for n, c in sorted(counts.items()) if c))
    return 0


def _store_for(args):
    return open_store(args.path) if args.path else store_from(args)


def cmd_validate(args) -> int:
    from geo.validation import validate_store

    store = _store_for(args)
    if args.path and not Path(args.path).exists() and "://" not in args.path:
        print(f"{args.path}: 文件不存在 | file not found", file=sys.stderr)
        return 2
    problems = validate_store(store)
    for problem in problems:
        if args.lang == "both":
            print(problem.describe())
        else:
            msg = problem.message_zh if args.lang == "zh" else problem.message_en
            loc = problem.describe().split(": ", 1)[0]
            print(f"{loc}: {msg}")
    print(f"{len(problems)} 个问题 | {len(problems)} problem(s)", file=sys.stderr)
    return 1 if problems else 0


def cmd_info(args) -> int:
    store = _store_for(args)
    counts = {n: len(store.load(n)) for n in store.layer_names()}
    info = {"store": store.url, "is_sample": store.is_sample, "meta": store.meta(),
            "layers": counts}
    if args.json:
        print_json(info)
    else:
        print(f"{store.url}{'  (示例数据 sample data)' if store.is_sample else ''}")
        for name, count in counts.items():
            print(f"  {name:24s} {count:>8,}")
    return 0


def cmd_serve(args) -> int:
    """Replace this process by the server (exec): a service manager's or ``kill``'s SIGTERM
    then reaches Streamlit itself, which stops and closes the port (a child process would
    have kept serving after its parent was killed). Runs in the app directory so that its
    ``.streamlit/config.toml`` applies."""
    env = dict(os.environ)
    if args.store:
        env["HONGTU_DATABASE_URL"] = args.store
    cmd = [sys.executable, "-m", "components.serve", "run", str(PROJECT_ROOT / "app.py"),
           "--server.port", str(args.port), "--server.address", args.address]
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(PROJECT_ROOT)
    os.execve(sys.executable, cmd, env)
