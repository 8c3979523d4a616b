"""How fast this machine is against the one the suite's budget was set on.

Issue #26's budget is "12 minutes on this machine" (the 2-core machine the suite was timed on).
CI runs on other machines, some a third slower (the same 857 tests: 656 s here, 833 s there).
The probe times the kinds of work the suite is made of (pure Python, numpy, a Python process
importing pandas and shapely, a headless Chromium drawing a page), each twice, keeping the
faster; the largest of their ratios to the same probe on the budget's machine
(``machine_probe_reference`` in pyproject.toml) scales the budget (see :func:`slowdown`). The
factor never goes below 1 (a faster machine keeps the budget as written) and is capped at
``MAX_FACTOR`` (a machine more than that much slower is reported, not excused).

``python tests/machine_speed.py`` prints the probe in the ini's format, to record a new reference.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import numpy as np

REFERENCE_INI = "machine_probe_reference"
MAX_FACTOR = 2.0
CHROMIUM = "/usr/bin/chromium"
ROUNDS = 2


def python_work() -> None:
    counts: dict[str, int] = {}
    for i in range(1_000_000):
        key = f"k{i % 5000}"
        counts[key] = counts.get(key, 0) + i * i % 7
    sorted(str(v) for v in range(600_000))


def numpy_work() -> None:
    values = np.random.default_rng(1).random(4_000_000)
    for _ in range(5):
        values = np.sort(values)[::-1].copy()


def python_start() -> None:
    subprocess.run([sys.executable, "-c", "import pandas, shapely"], check=True)


def chromium_page() -> None:
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                    "data:text/html,<p>probe</p>"], check=True, capture_output=True, timeout=60)


PARTS = {"python": python_work, "numpy": numpy_work, "python-start": python_start,
         "chromium": chromium_page}


def probe(names=tuple(PARTS)) -> dict[str, float]:
    """Seconds per named part (the faster of ``ROUNDS``); a part that cannot run here (Chromium
    not installed, a process failing or hanging) is left out, never the run's failure."""
    seconds = {}
    for name in names:
        work = PARTS.get(name)
        if work is None or (name == "chromium" and shutil.which(CHROMIUM) is None):
            continue
        rounds = []
        try:
            for _ in range(ROUNDS):
                started = time.perf_counter()
                work()
                rounds.append(time.perf_counter() - started)
        except (OSError, subprocess.SubprocessError):
            continue
        seconds[name] = min(rounds)
    return seconds


def format_probe(seconds: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.3f}" for name, value in seconds.items())


def parse_probe(text: str) -> dict[str, float]:
    parts = (part.strip().rsplit(" ", 1) for part in text.split(",") if part.strip())
    return {name: float(value) for name, value in parts}


def slowdown(measured: dict[str, float], reference: dict[str, float]) -> float:
    """How much slower this machine is: the largest of measured over reference time among the
    parts both have (1.0 if they share none). The largest, not the mean: a slow hour on a
    shared host slows some kinds of work far more than others (2026-12-07: starting Python 1.56
    times, pure Python 0.95), and the suite, made of server and browser starts, went with the
    slow ones (1.52 times its quiet time while the parts' mean read 1.32)."""
    ratios = [measured[name] / reference[name] for name in measured if name in reference]
    return max(ratios) if ratios else 1.0


def budget_factor(ratios: list[float]) -> float:
    """The slowest reading, never below 1, capped at ``MAX_FACTOR``."""
    return min(max([1.0, *ratios]), MAX_FACTOR)


if __name__ == "__main__":
    print(f'{REFERENCE_INI} = "{format_probe(probe())}"')
