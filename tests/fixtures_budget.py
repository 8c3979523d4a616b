"""The suite's time, visible and kept: per-file totals after pytest's ``--durations`` table, and
a budget that fails the whole non-slow run when it grows past it.

The two numbers live in one place, ``[tool.pytest.ini_options]`` of pyproject.toml:

* ``suite_budget_s``: wall time of the whole non-slow suite (``make test`` without installs);
* ``test_budget_s``: one test's setup + call + teardown.

The budget is checked only on a run of the whole non-slow suite (``make test``: no paths given,
``-m "not slow"``), where the numbers mean something; any run prints the per-file table.
The numbers are for the machine they were set on; on another one they are scaled by how much
slower it is (``tests/machine_speed.py``: a probe before the first test and after the last, the
slower reading counts, between 1 and 2 times). ``HONGTU_TEST_BUDGET=0`` turns the check off.

Longest files first: the workers take whole files (``--dist loadfile``) in collection order
(``--no-loadscope-reorder``), and the collection is sorted by each file's seconds in the last
run (pytest's cache), else in ``tests/file_seconds.json`` (committed, for a fresh clone), so that
no long file starts last while the other workers idle. Every run stores its files' seconds in
the cache and in ``artifacts/test_file_seconds.json`` (copy it over the committed file when the
suite's shape changes).
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from pathlib import Path

import machine_speed
import pytest

SUITE_BUDGET_INI = "suite_budget_s"
TEST_BUDGET_INI = "test_budget_s"
BUDGET_ENV = "HONGTU_TEST_BUDGET"
FILES_SHOWN = 25
FILE_SECONDS = Path(__file__).with_name("file_seconds.json")
FILE_SECONDS_CACHE = "hongtu/file_seconds"
MEASURED = Path(__file__).resolve().parents[1] / "artifacts" / "test_file_seconds.json"


def file_seconds(config) -> dict[str, float]:
    """Seconds per test file: the last runs' (cache), over the committed ones."""
    seconds = json.loads(FILE_SECONDS.read_text(encoding="utf-8"))
    cache = getattr(config, "cache", None)
    seconds.update(cache.get(FILE_SECONDS_CACHE, {}) if cache is not None else {})
    return seconds


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Longest files first (a stable sort: each file's tests stay together and in order)."""
    seconds = file_seconds(config)
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::", 1)[0], 0.0))


def pytest_addoption(parser):
    parser.addini(SUITE_BUDGET_INI, "wall-time budget (s) of the whole non-slow suite", default="720")
    parser.addini(TEST_BUDGET_INI, "budget (s) of one test: setup + call + teardown", default="60")
    parser.addini(machine_speed.REFERENCE_INI, "the machine probe on the budget's machine",
                  default="")


class SuiteClock:
    """Collects every test's phases (on the xdist controller, reports of all workers)."""

    def __init__(self, config):
        self.config = config
        self.checked = os.environ.get(BUDGET_ENV) != "0" and self.whole_suite()
        self.speed: list[str] = []
        self.ratios = [self.probe_machine("before the first test")] if self.checked else []
        self.started = time.monotonic()
        self.ended: float | None = None  # the last test's end (the probe after it not counted)
        self.per_test: dict[str, float] = defaultdict(float)
        self.setup_per_file: dict[str, float] = defaultdict(float)
        self.total_per_file: dict[str, float] = defaultdict(float)
        self.tests_per_file: dict[str, int] = defaultdict(int)
        self.failures: list[str] = []

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report):
        path = report.nodeid.split("::", 1)[0]
        self.per_test[report.nodeid] += report.duration
        self.total_per_file[path] += report.duration
        if report.when == "setup":
            self.setup_per_file[path] += report.duration
            self.tests_per_file[path] += 1

    def whole_suite(self) -> bool:
        """True for ``make test``: the default test paths, slow tests left out."""
        config = self.config
        given = [a for a in config.args if a not in config.getini("testpaths")]
        return not given and config.getoption("markexpr", "") == "not slow"

    def probe_machine(self, when: str) -> float:
        """This machine's slowdown against the budget's machine (1.0 without a reference)."""
        reference = machine_speed.parse_probe(self.config.getini(machine_speed.REFERENCE_INI))
        if not reference:
            return 1.0
        measured = machine_speed.probe(tuple(reference))
        ratio = machine_speed.slowdown(measured, reference)
        self.speed.append(f"machine probe {when}: {machine_speed.format_probe(measured)} "
                          f"= {ratio:.2f}x the budget's machine")
        return ratio

    def offenders(self) -> tuple[float, list[tuple[str, float]], float, float]:
        wall = (self.ended or time.monotonic()) - self.started
        factor = machine_speed.budget_factor(self.ratios)
        suite_budget = float(self.config.getini(SUITE_BUDGET_INI)) * factor
        test_budget = float(self.config.getini(TEST_BUDGET_INI)) * factor
        slow = sorted(((n, s) for n, s in self.per_test.items() if s > test_budget),
                      key=lambda pair: -pair[1])
        return wall, slow, suite_budget, test_budget

    @pytest.hookimpl(trylast=True)
    def pytest_terminal_summary(self, terminalreporter, exitstatus, config):
        if not self.total_per_file:  # nothing ran (--collect-only, say)
            return
        write = terminalreporter.write_line
        wall, slow, suite_budget, test_budget = self.offenders()
        terminalreporter.section(f"time per test file (top {FILES_SHOWN}; setup = fixtures)")
        write(f"{'total s':>9} {'setup s':>9} {'tests':>6}  file")
        ranked = sorted(self.total_per_file.items(), key=lambda pair: -pair[1])
        for path, total in ranked[:FILES_SHOWN]:
            write(f"{total:9.1f} {self.setup_per_file[path]:9.1f} "
                  f"{self.tests_per_file[path]:6d}  {path}")
        busy = sum(self.total_per_file.values())
        for line in self.speed:
            write(line)
        factor = machine_speed.budget_factor(self.ratios)
        write(f"wall {wall:.0f} s; test time summed over workers {busy:.0f} s; "
              f"budget {suite_budget:.0f} s for the whole suite, {test_budget:.0f} s per test"
              + (f" (the budget's numbers x {factor:.2f})" if factor > 1 else ""))
        if slow:
            write(f"tests over {test_budget:.0f} s:")
            for nodeid, seconds in slow:
                write(f"  {seconds:7.1f} s  {nodeid}")
        for line in self.failures:
            write(f"TEST TIME BUDGET EXCEEDED: {line}", red=True, bold=True)

    def remember(self) -> None:
        """This run's seconds per file, for the next run's order."""
        measured = {path: round(total, 1) for path, total in self.total_per_file.items()}
        if not measured:
            return
        cache = getattr(self.config, "cache", None)
        if cache is not None:
            cache.set(FILE_SECONDS_CACHE, {**cache.get(FILE_SECONDS_CACHE, {}), **measured})
        MEASURED.parent.mkdir(exist_ok=True)
        MEASURED.write_text(json.dumps(dict(sorted(measured.items(), key=lambda p: -p[1])),
                                       indent=1) + "\n", encoding="utf-8")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session, exitstatus):
        self.remember()
        if not self.checked:
            return
        self.ended = time.monotonic()
        self.ratios.append(self.probe_machine("after the last test"))
        wall, slow, suite_budget, test_budget = self.offenders()
        over = []
        if wall > suite_budget:
            over.append(f"the suite took {wall:.0f} s, over its budget of {suite_budget:.0f} s")
        over += [f"{nodeid} took {seconds:.1f} s, over {test_budget:.0f} s"
                 for nodeid, seconds in slow]
        self.failures = over  # printed in the summary that follows
        if over and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_configure(config):
    if getattr(config, "workerinput", None) is None:  # the controller (or a run without xdist)
        config.pluginmanager.register(SuiteClock(config), "hongtu-suite-clock")

