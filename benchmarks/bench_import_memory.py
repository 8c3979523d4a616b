"""Peak memory of refused imports for the largest files: each import is checked in its own
Python process, and the figure printed is that process's peak RSS (VmHWM, reset just before
the check) minus its RSS before the check.

Files: a CSV just over the 50 MB limit (refused by size before a byte is parsed), a CSV just
under it with one bad row (read and validated, then refused), zip bombs of 0.5 MB (512 MB of
CSV) and 2 MB (2 GB), a zip whose headers lie about the size, and an .xlsx bomb.

    .venv/bin/python benchmarks/bench_import_memory.py [--mb 50] [--skip-large]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from make_bad_files import GOOD_MEMBER, MEMBER_HEADER
from test_import_bomb import PROBE, lying_zip, write_bomb


def big_csv(path: Path, mb: float, bad: bool) -> Path:
    """A members CSV of about ``mb`` MB (each row's id numbered, so rows grow with the count:
    written until the size is reached, not counted up front)."""
    row = (GOOD_MEMBER + "\n").encode()
    limit, i = int(mb * 1048576), 0
    with open(path, "wb") as handle:
        handle.write((MEMBER_HEADER + "\n").encode())
        while handle.tell() < limit - len(row) - 16:
            handle.writelines(row.replace(b"M1,", f"M{i + k},".encode(), 1) for k in range(1000))
            i += 1000
        if bad:
            handle.write(row.replace(b"121.262", "东经121度".encode()))
    return path


def measure(path: Path, folder: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PROBE, str(path), str(folder / "s.gpkg"),
                           str(ROOT / "tests")], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="the upload size limit in MB")
    parser.add_argument("--skip-large", action="store_true", help="no CSV near the limit")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {}
        if not args.skip_large:
            files["csv over the limit"] = big_csv(folder / "members_over.csv", args.mb + 1, False)
            files["csv under the limit, one bad row"] = big_csv(folder / "members_under.csv",
                                                                args.mb - 1, True)
        files["zip bomb 512 MB"] = write_bomb(folder / "bomb512.zip", 512)
        files["zip bomb 2 GB"] = write_bomb(folder / "bomb2g.zip", 2048)
        files["zip with lying headers"] = lying_zip(folder / "lying.zip")
        files["xlsx bomb"] = write_bomb(folder / "bomb.xlsx", 512, "xl/worksheets/s1.xml")
        print(f"{'file':36} {'size MB':>8} {'peak growth MB':>15} {'s':>6}  refused because")
        for label, path in files.items():
            result = measure(path, folder)
            growth = result["peak"] - result["before"]
            codes = ",".join(sorted({p[0] for p in result["problems"]})) or "accepted!"
            print(f"{label:36} {path.stat().st_size / 1048576:8.2f} {growth:15.1f} "
                  f"{result['seconds']:6.1f}  {codes}")


if __name__ == "__main__":
    main()
