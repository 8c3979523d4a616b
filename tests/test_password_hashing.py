"""A burst of sign-ins hashes at most ``auth.HASHING_SLOTS`` passwords at once (one per core):
bcrypt runs outside Python's lock, and unbounded a burst put a thread per sign-in on the
cores the page runs of everyone else need (issue #27)."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import bcrypt

from geo import auth


def test_one_slot_per_core_unless_configured():
    if "HONGTU_HASHING_SLOTS" not in os.environ:
        assert auth.HASHING_SLOTS == len(os.sched_getaffinity(0))
    assert auth.HASHING_SLOTS >= 1


def test_a_burst_of_checks_runs_at_most_the_slots_at_once(monkeypatch):
    real_check, lock = bcrypt.checkpw, threading.Lock()
    running, most = [0], [0]

    def watched(password, hashed):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)  # long enough for the others to arrive while this one runs
        try:
            return real_check(password, hashed)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(auth.bcrypt, "checkpw", watched)
    hashed = auth.hash_password("correct horse", rounds=4)
    attempts = ["correct horse", "wrong horse!"] * (2 * auth.HASHING_SLOTS + 2)
    with ThreadPoolExecutor(len(attempts)) as pool:
        results = list(pool.map(lambda p: auth.verify_password(p, hashed), attempts))
    assert results == [p == "correct horse" for p in attempts]
    assert most[0] == auth.HASHING_SLOTS
