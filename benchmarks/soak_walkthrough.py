"""The walkthrough in a loop against the same app servers, then their logs read (issue #25).

    .venv/bin/python benchmarks/soak_walkthrough.py --minutes 30

Runs ``tests/test_walkthrough_browser.py`` (every role and the demo, both languages, both
desktop sizes, the province and city pages) in one pytest process, round after round, until
the minutes are up; the servers are started once and serve every round. Then it prints the
rounds, the tests passed and failed, and every line of the servers' logs that is a warning
(deprecations, "static folder", tracebacks). Exit 1 when a test failed or a log line is a
defect. Each walkthrough test also reads its server's whole log, so a deprecation warning in
round 5 fails round 5.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOG_DEFECTS = re.compile(r"deprecat|static folder|warning|traceback|error", re.IGNORECASE)


def fresh(item: pytest.Function) -> pytest.Function:
    """A new test item of the same function and parameters (an item runs only once)."""
    return pytest.Function.from_parent(
        item.parent, name=item.name, callspec=getattr(item, "callspec", None),
        callobj=item.obj, fixtureinfo=item._fixtureinfo, keywords=item.keywords,
        originalname=item.originalname)


class Loop:
    """A pytest plugin: run the collected tests again and again until the deadline, keeping
    module and session fixtures (the servers) between rounds."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.rounds = 0
        self.passed = 0
        self.failed: list[str] = []

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        items = session.items
        while items:
            self.rounds += 1
            upcoming = []
            for index, item in enumerate(items):
                if index + 1 < len(items):
                    nextitem = items[index + 1]
                else:  # the next round's first item keeps the module's fixtures (servers)
                    if time.monotonic() < self.deadline:
                        upcoming = [fresh(each) for each in session.items]
                    nextitem = upcoming[0] if upcoming else None
                item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            print(f"\nround {self.rounds} done at {time.strftime('%H:%M:%S')}: "
                  f"{self.passed} passed, {len(self.failed)} failed so far", flush=True)
            items = upcoming
        return True

    def pytest_runtest_logreport(self, report):
        if report.when == "call" and report.passed:
            self.passed += 1
        elif report.failed:  # a failed test, or an error in its setup or teardown
            self.failed.append(f"round {self.rounds}: {report.nodeid} ({report.when})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("-k", default="", help="pytest -k expression (a subset of the walk)")
    args = parser.parse_args()
    basetemp = Path(tempfile.mkdtemp(prefix="hongtu-soak-walk-"))
    loop = Loop(args.minutes * 60)
    started = time.monotonic()
    os.environ.setdefault("HONGTU_TEST_BUDGET", "0")
    os.chdir(ROOT)
    pytest_args = ["-p", "no:randomly", "-q", "-n", "0", "--basetemp", str(basetemp),
                   "tests/test_walkthrough_browser.py"] + (["-k", args.k] if args.k else [])
    pytest.main(pytest_args, plugins=[loop])
    minutes = (time.monotonic() - started) / 60
    logs = sorted(basetemp.rglob("streamlit-*.log"))
    defects = [f"{log.name}: {line.strip()[:200]}" for log in logs
               for line in log.read_text(errors="replace").splitlines()
               if LOG_DEFECTS.search(line)]
    lines = sum(len(log.read_text(errors="replace").splitlines()) for log in logs)
    print(f"\n{minutes:.1f} min, {loop.rounds} rounds, {loop.passed} tests passed, "
          f"{len(loop.failed)} failed")
    for failure in loop.failed:
        print(f"  failed: {failure}")
    print(f"{len(logs)} server logs, {lines} lines, {len(defects)} warnings or errors")
    for defect in defects:
        print(f"  {defect}")
    return 1 if loop.failed or defects else 0


if __name__ == "__main__":
    sys.exit(main())
