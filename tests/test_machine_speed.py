"""The suite's budget: scaled by a machine probe, and failing a run that passes it."""

import textwrap
from pathlib import Path

import machine_speed
import pytest

TESTS = Path(__file__).parent


def test_probe_text_round_trips_and_the_slowdown_is_the_largest_ratio_of_shared_parts():
    reference = machine_speed.parse_probe("python 0.1, numpy 0.2, chromium 0.7")
    assert reference == {"python": 0.1, "numpy": 0.2, "chromium": 0.7}
    assert machine_speed.parse_probe(machine_speed.format_probe(reference)) == reference
    assert machine_speed.parse_probe("") == {}
    measured = {"python": 0.2, "numpy": 0.4, "python-start": 9.0}  # no chromium here
    assert machine_speed.slowdown(measured, reference) == 2.0
    assert machine_speed.slowdown({"python": 0.3, "numpy": 0.2}, reference) == pytest.approx(3.0)
    assert machine_speed.slowdown({"python": 0.05, "chromium": 0.7}, reference) == 1.0
    assert machine_speed.slowdown(measured, {}) == 1.0


def test_the_budget_factor_takes_the_slowest_reading_between_one_and_the_cap():
    assert machine_speed.budget_factor([]) == 1.0
    assert machine_speed.budget_factor([0.7, 0.9]) == 1.0  # a faster machine: the budget as set
    assert machine_speed.budget_factor([1.1, 1.3]) == 1.3
    assert machine_speed.budget_factor([5.0]) == machine_speed.MAX_FACTOR


def test_probe_times_only_the_named_parts():
    seconds = machine_speed.probe(("python", "no-such-part"))
    assert list(seconds) == ["python"] and seconds["python"] > 0


def test_a_part_that_fails_here_is_left_out_not_the_run(monkeypatch):
    def broken():
        raise machine_speed.subprocess.CalledProcessError(1, "chromium")

    monkeypatch.setitem(machine_speed.PARTS, "numpy", broken)
    assert list(machine_speed.probe(("python", "numpy"))) == ["python"]


def write_suite(pytester, reference: str) -> None:
    pytester.makeini(textwrap.dedent(f"""
        [pytest]
        testpaths = .
        markers = slow: left out
        suite_budget_s = 0.2
        test_budget_s = 0.3
        machine_probe_reference = {reference}
    """))
    pytester.makeconftest(f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n"
                          "pytest_plugins = ['fixtures_budget']\n")
    pytester.makepyfile(test_sleepy="import time\n\ndef test_sleeps():\n    time.sleep(0.5)\n")


def test_a_whole_run_past_the_budget_fails_and_names_the_test(pytester):
    write_suite(pytester, "")
    result = pytester.runpytest_subprocess("-m", "not slow", "-p", "no:cacheprovider")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*1 passed*"])
    out = result.stdout.str()
    assert "TEST TIME BUDGET EXCEEDED: the suite took" in out
    assert "TEST TIME BUDGET EXCEEDED: test_sleepy.py::test_sleeps took" in out
    assert "machine probe" not in out  # no reference: nothing to scale by, no probe


def test_a_slower_machine_gets_a_larger_budget(pytester):
    write_suite(pytester, "python 0.000001")  # any machine reads as far slower: the cap
    result = pytester.runpytest_subprocess("-m", "not slow", "-p", "no:cacheprovider")
    out = result.stdout.str()
    assert out.count("machine probe") == 2, out
    assert f"x {machine_speed.MAX_FACTOR:.2f}" in out
    assert "budget 0 s for the whole suite, 1 s per test" in out  # 0.2 x 2, 0.3 x 2: still over
    assert result.ret == 1


def test_a_run_of_some_files_is_not_held_to_the_budget(pytester):
    write_suite(pytester, "")
    result = pytester.runpytest_subprocess("test_sleepy.py", "-p", "no:cacheprovider")
    assert result.ret == 0 and "EXCEEDED" not in result.stdout.str()
