"""Re-importing an unchanged unmasked export of the sample district, per format: seconds to
export, seconds to check and apply, rows unchanged/changed/new, and the store file's bytes
before and after (an unchanged export writes nothing).

    .venv/bin/python benchmarks/bench_reimport.py [--store PATH] [--formats csv,geojson,...]

Without ``--store`` a sample district (seed 20220425) is generated in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from geo.exporter import export_store
from geo.importer import import_files
from geo.store import open_store

OUTPUTS = {"gpkg": "out.gpkg", "geojson": "geojson", "xlsx": "out.xlsx", "csv": "csv"}


def store_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", default=None)
    parser.add_argument("--formats", default=",".join(OUTPUTS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "source.gpkg"
        if args.store:
            shutil.copyfile(args.store, source)
        else:
            from geo.sample import build_store

            build_store(source, seed=20220425)
        for fmt in args.formats.split(","):
            path = folder / f"{fmt}.gpkg"
            shutil.copyfile(source, path)
            store = open_store(path)
            start = time.perf_counter()
            out = export_store(store, fmt, folder / f"{fmt}_{OUTPUTS[fmt]}",
                               can_see_personal=True)
            exported = time.perf_counter()
            before = store_bytes(path)
            plan, log_id = import_files(store, [out])
            done = time.perf_counter()
            totals = {k: sum(c[k] for c in plan.counts.values())
                      for k in ("unchanged", "changed", "new")}
            print(json.dumps({"format": fmt, "export_s": round(exported - start, 1),
                              "reimport_s": round(done - exported, 1), **totals,
                              "problems": len(plan.problems), "import_id": log_id,
                              "store_bytes_before": before,
                              "store_bytes_after": store_bytes(path)}))


if __name__ == "__main__":
    main()
